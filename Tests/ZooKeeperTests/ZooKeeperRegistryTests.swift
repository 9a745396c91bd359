import Foundation
import MesosAPI
import Registry
import XCTest
import ZooKeeper

/// The registry's ZooKeeper store against a real server: documents round-trip, large registries
/// are split into shards and requests under ZooKeeper's limits, and a writer whose candidacy is
/// gone writes nothing.
final class ZooKeeperRegistryTests: ZooKeeperTestCase {
    func candidacy(_ zk: ZooKeeperClient) async throws -> String {
        try await zk.ensurePath("/mesos")
        return try await zk.create("/mesos/json.info_", data: [], mode: .ephemeralSequential)
    }

    func testFortyThousandAgentsRoundTrip() async throws {
        let zk = try await makeClient()
        let fence = try await candidacy(zk)
        let registrar = Registrar(store: ZooKeeperRegistry(client: zk, path: "/mesos/registry", fence: fence))
        _ = try await registrar.recover()
        let operations: [RegistryOperation] = (0..<40_000).map { i in
            .admitAgent(AgentInfo(hostname: "agent-\(i).example.com", port: 5051,
                                  resources: [.scalar("cpus", 32), .scalar("mem", 131_072)], attributes: nil,
                                  id: AgentID("3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b-S\(i)")))
        }
        try await registrar.apply(operations)
        try await registrar.apply([.setWeights(["eng": 2]), .markUnreachable(AgentID("3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b-S7"), time: 1)])
        let written = await registrar.state

        let reader = try await makeClient()
        let recovered = try await Registrar(store: ZooKeeperRegistry(client: reader, path: "/mesos/registry", fence: fence)).recover()
        XCTAssertEqual(recovered, written)
        XCTAssertEqual(recovered.agents.count, 39_999)
        let children = try await reader.getChildren("/mesos/registry")
        XCTAssertEqual(children.count, RegistryLayout.agentShards + 1)
        for child in children {
            let (_, stat) = try await reader.getData("/mesos/registry/\(child)")
            XCTAssertLessThan(stat.dataLength, 1_000_000)
        }
    }

    func testAWriterWithoutItsCandidacyIsFenced() async throws {
        let zk = try await makeClient()
        let fence = try await candidacy(zk)
        let registrar = Registrar(store: ZooKeeperRegistry(client: zk, path: "/mesos/registry", fence: fence))
        _ = try await registrar.recover()
        try await registrar.apply([.setWeights(["eng": 2])])
        // What a session expiry does to the candidacy of a paused leader.
        try await zk.delete(fence)
        do {
            try await registrar.apply([.setWeights(["eng": 5])])
            XCTFail("a fenced write must fail")
        } catch let error as RegistryError {
            XCTAssertEqual(error, .fenced(fence))
        }
        do {
            try await registrar.apply([.setWeights(["ops": 1])])
            XCTFail("after a failed write, the registrar accepts nothing more")
        } catch {}
        let stored = try await Registrar(store: ZooKeeperRegistry(client: zk, path: "/mesos/registry", fence: fence)).recover()
        XCTAssertEqual(stored.weights, ["eng": 2])
    }
}
