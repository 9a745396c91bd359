import Foundation
import XCTest
@testable import Master
import MesosAPI
import HTTPSupport
import Registry
import GRDB

final class RegistryTests: XCTestCase {
    func temporaryPath() -> String {
        NSTemporaryDirectory() + "plinth-registry-\(UUID().uuidString).sqlite"
    }

    func testSQLiteRegistryKeepsEveryRecord() async throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var framework = FrameworkInfo(user: "u", name: "f")
        framework.id = FrameworkID("f1")
        let agent = AgentInfo(hostname: "h", port: 5051, resources: [.scalar("cpus", 4)], attributes: nil,
                              id: AgentID("a1"))
        let drain = DrainRecord(state: .DRAINING, config: DrainConfig(maxGracePeriod: nil, markGone: false))
        let written: RegistryState
        do {
            let registrar = Registrar(store: try SQLiteRegistry(path: path))
            _ = try await registrar.recover()
            try await registrar.apply([.setWeights(["eng": 2, "ops": 3]), .setWeights(["eng": 4])])
            try await registrar.apply([.setQuota(QuotaConfig(role: "eng", guarantees: ["cpus": 1], limits: ["cpus": 2])),
                                       .setQuota(QuotaConfig(role: "gone", guarantees: ["cpus": 1])),
                                       .removeQuota(role: "gone")])
            try await registrar.apply([.setReservations(AgentID("a1"), [.scalar("cpus", 1, role: "eng")]),
                                       .admitAgent(agent), .setDrain(AgentID("a1"), drain),
                                       .markUnreachable(AgentID("a2"), time: 7), .markGone(AgentID("a3"), time: 9),
                                       .addFramework(framework)])
            written = await registrar.state
        }
        let state = try await Registrar(store: try SQLiteRegistry(path: path)).recover()
        XCTAssertEqual(state, written)
        XCTAssertEqual(state.weights, ["eng": 4, "ops": 3])
        XCTAssertEqual(Array(state.quotas.keys), ["eng"])
        XCTAssertEqual(state.reservations[AgentID("a1")], [.scalar("cpus", 1, role: "eng")])
        XCTAssertEqual(state.agents[AgentID("a1")], agent)
        XCTAssertEqual(state.drains[AgentID("a1")], drain)
        XCTAssertEqual(state.unreachable, [AgentID("a2"): 7])
        XCTAssertEqual(state.gone, [AgentID("a3"): 9])
        XCTAssertEqual(state.frameworks[FrameworkID("f1")], framework)
    }

    func testARegistryFromBeforeDocumentsIsCarriedOver() async throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let legacy = try DatabaseQueue(path: path)
        try await legacy.write { db in
            try db.execute(sql: """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('v1');
                CREATE TABLE weights (role TEXT PRIMARY KEY, weight DOUBLE NOT NULL);
                CREATE TABLE quotas (role TEXT PRIMARY KEY, config TEXT NOT NULL);
                CREATE TABLE reservations (agent_id TEXT PRIMARY KEY, resources TEXT NOT NULL);
                INSERT INTO weights VALUES ('eng', 2.5);
                INSERT INTO quotas VALUES ('eng', '{"role":"eng","guarantees":{"cpus":{"value":1}}}');
                """)
        }
        try legacy.close()
        let state = try await Registrar(store: try SQLiteRegistry(path: path)).recover()
        XCTAssertEqual(state.weights, ["eng": 2.5])
        XCTAssertEqual(state.quotas["eng"]?.guaranteeAmounts, ["cpus": 1])
    }

    func testOperationsMoveAgentsBetweenAdmittedUnreachableAndGone() {
        var state = RegistryState()
        let info = AgentInfo(hostname: "h", port: 1, resources: [], attributes: nil, id: AgentID("a"))
        let key = RegistryOperation.admitAgent(info).apply(to: &state)
        XCTAssertEqual(key, [RegistryLayout.key(for: AgentID("a"))])
        RegistryOperation.markUnreachable(AgentID("a"), time: 5).apply(to: &state)
        XCTAssertNil(state.agents[AgentID("a")])
        XCTAssertEqual(state.unreachable[AgentID("a")], 5)
        RegistryOperation.markReachable(info).apply(to: &state)
        XCTAssertEqual(state.agents[AgentID("a")], info)
        XCTAssertTrue(state.unreachable.isEmpty)
        RegistryOperation.setReservations(AgentID("a"), [.scalar("cpus", 1, role: "eng")]).apply(to: &state)
        RegistryOperation.markGone(AgentID("a"), time: 6).apply(to: &state)
        XCTAssertTrue(state.agents.isEmpty && state.reservations.isEmpty)
        XCTAssertEqual(state.gone[AgentID("a")], 6)
        XCTAssertTrue(RegistryOperation.removeQuota(role: "none").apply(to: &state).isEmpty,
                      "a change that changes nothing writes nothing")
    }

    /// ZooKeeper refuses znodes over 1 MB: 40,000 agents with reservations and drains, and 3,000
    /// frameworks, must still fit, and read back whole.
    func testShardsStayUnderOneMegabyteAtFortyThousandAgents() throws {
        var state = RegistryState()
        for i in 0..<40_000 {
            let id = AgentID("3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b-S\(i)")
            state.agents[id] = AgentInfo(hostname: "agent-\(i).rack-\(i % 40).example.com", port: 5051,
                                         resources: [.scalar("cpus", 32), .scalar("mem", 131_072), .scalar("disk", 1_000_000)],
                                         attributes: nil, id: id)
            if i % 10 == 0 { state.reservations[id] = [.scalar("cpus", 4, role: "eng")] }
            if i % 50 == 0 { state.drains[id] = DrainRecord() }
        }
        for i in 0..<3000 {
            var info = FrameworkInfo(user: "root", name: "framework-\(i)")
            info.id = FrameworkID("3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b-\(i)")
            state.frameworks[info.id!] = info
        }
        let keys = Set((0..<RegistryLayout.agentShards).map(RegistryLayout.Key.agents)
            + (0..<RegistryLayout.frameworkShards).map(RegistryLayout.Key.frameworks) + [.roles])
        let documents = try RegistryLayout.documents(of: state, keys: keys)
        let largest = try XCTUnwrap(documents.values.map(\.count).max())
        XCTAssertLessThan(largest, 512 * 1024, "largest shard: \(largest) bytes")
        XCTAssertEqual(try RegistryLayout.state(from: documents), state)
    }

    func testMaintenanceIsItsOwnDocumentAndRemovingAnAgentForgetsIt() throws {
        var state = RegistryState()
        let id = AgentID("a1")
        RegistryOperation.admitAgent(AgentInfo(hostname: "h", port: 5051, resources: [], attributes: nil, id: id)).apply(to: &state)
        RegistryOperation.setReservations(id, [.scalar("cpus", 1, role: "eng")]).apply(to: &state)
        let machine = MachineID(hostname: "h", ip: "10.0.0.1")
        let window = MaintenanceWindow(machineIds: [machine], unavailability: Unavailability(start: TimeInfo(nanoseconds: 1), duration: nil))
        let maintenance = try MaintenanceState().updating(MaintenanceSchedule(windows: [window])).get().starting([machine]).get()
        XCTAssertEqual(RegistryOperation.setMaintenance(maintenance).apply(to: &state), [.maintenance])
        XCTAssertEqual(RegistryOperation.removeAgent(id).apply(to: &state), [RegistryLayout.key(for: id)])
        XCTAssertNil(state.agents[id])
        XCTAssertNil(state.reservations[id])
        XCTAssertNil(state.gone[id], "removed, not gone: it may come back once the machine is up")
        let documents = try RegistryLayout.documents(of: state, keys: [.maintenance, RegistryLayout.key(for: id)])
        XCTAssertEqual(try RegistryLayout.state(from: documents).maintenance, maintenance)
        XCTAssertEqual(RegistryLayout.Key("maintenance"), .maintenance)
    }

    func testTheRegistrarBatchesChangesThatArriveDuringAWrite() async throws {
        let store = SlowStore()
        let registrar = Registrar(store: store)
        _ = try await registrar.recover()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<100 {
                group.addTask { try await registrar.apply([.setWeights(["r\(i)": Double(i + 1)])]) }
            }
            try await group.waitForAll()
        }
        let writes = await registrar.writes
        let weights = await registrar.state.weights
        XCTAssertEqual(weights.count, 100)
        XCTAssertLessThan(writes, 20, "changes waiting for a write go together into the next")
        let stored = try RegistryLayout.state(from: try await store.read())
        XCTAssertEqual(stored.weights, weights)
    }

    func testAFailedWriteIsFatalAndChangesNothing() async throws {
        let failures = FailureLog()
        let master = Master(config: MasterConfig(port: 0), registry: FailingStore(),
                            onRegistryFailure: { failures.record($0) })
        try await master.start()
        let outcome = await master.updateWeights([WeightInfo(weight: 2, role: "eng")])
        guard case .unavailable = outcome else { return XCTFail("a write that failed cannot succeed: \(outcome)") }
        let weights = await master.roleWeights
        XCTAssertTrue(weights.isEmpty)
        XCTAssertEqual(failures.count, 1)
        let subscribed = await master.subscribe(Call.Subscribe(frameworkInfo: FrameworkInfo(user: "", name: "f")),
                                                stream: EventStream())
        guard case .refused = subscribed else { return XCTFail("a framework that cannot be stored is refused") }
    }

    func testWeightsAreValidatedAndNothingIsHalfApplied() async throws {
        let master = Master(config: MasterConfig(port: 0))
        let first = await master.updateWeights([WeightInfo(weight: 2, role: "eng")])
        XCTAssertEqual(first, .ok)
        let bad = await master.updateWeights([WeightInfo(weight: 5, role: "ops"), WeightInfo(weight: 0, role: "dev")])
        guard case .badRequest = bad else { return XCTFail("a zero weight must be refused") }
        let invalidRole = await master.updateWeights([WeightInfo(weight: 1, role: "a//b")])
        guard case .badRequest = invalidRole else { return XCTFail("an invalid role must be refused") }
        let weights = await master.roleWeights
        XCTAssertEqual(weights, ["eng": 2])
    }

    func testQuotaRules() async throws {
        let master = Master(config: MasterConfig(port: 0))
        let aboveLimit = await master.updateQuota([QuotaConfig(role: "eng", guarantees: ["cpus": 4], limits: ["cpus": 2])], force: true)
        guard case .badRequest(let message) = aboveLimit else { return XCTFail() }
        XCTAssertTrue(message.contains("above its limit"))
        let tooBig = await master.updateQuota([QuotaConfig(role: "eng", guarantees: ["cpus": 4])], force: false)
        guard case .badRequest = tooBig else { return XCTFail("guarantees beyond the cluster need force") }
        let forced = await master.updateQuota([QuotaConfig(role: "eng", guarantees: ["cpus": 4])], force: true)
        XCTAssertEqual(forced, .ok)
        let unknownResource = await master.updateQuota([QuotaConfig(role: "eng", limits: ["ports": 4])], force: true)
        guard case .badRequest = unknownResource else { return XCTFail() }
        let removed = await master.updateQuota([QuotaConfig(role: "eng")], force: false)
        XCTAssertEqual(removed, .ok)
        let quotas = await master.roleQuotas
        XCTAssertTrue(quotas.isEmpty)
    }

    func testMasterRecoversWeightsAndQuotaFromItsRegistry() async throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = Master(config: MasterConfig(port: 0), registry: try SQLiteRegistry(path: path))
        try await first.start()
        _ = await first.updateWeights([WeightInfo(weight: 3, role: "eng")])
        _ = await first.updateQuota([QuotaConfig(role: "eng", guarantees: ["cpus": 1])], force: true)
        await first.shutdown()
        var config = MasterConfig(port: 0)
        config.weights = ["eng": 1, "ops": 2]
        let second = Master(config: config, registry: try SQLiteRegistry(path: path))
        try await second.start()
        let weights = await second.roleWeights
        let quotas = await second.roleQuotas
        XCTAssertEqual(weights, ["eng": 3, "ops": 2])
        XCTAssertEqual(quotas["eng"]?.guaranteeAmounts, ["cpus": 1])
        await second.shutdown()
    }

    func testDynamicReservationsAreReappliedWhenTheAgentReturnsToANewMaster() async throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        func register(_ master: Master, id: AgentID?) async -> AgentID {
            let info = AgentInfo(hostname: "h", port: 5051, resources: [.scalar("cpus", 4)], attributes: nil, id: id)
            return await master.registerAgent(AgentRegistration(agentInfo: info, endpoint: "127.0.0.1:5051",
                                                                frameworks: [], tasks: []), stream: EventStream())!
        }
        let first = Master(config: MasterConfig(port: 0), registry: try SQLiteRegistry(path: path))
        try await first.start()
        let agentID = await register(first, id: nil)
        var reserved = Resource.scalar("cpus", 1)
        reserved.reservations = [ReservationInfo(type: .DYNAMIC, role: "eng")]
        let outcome = await first.operatorReserve(OperatorCall.ReserveResources(agentId: agentID, resources: [reserved]))
        XCTAssertEqual(outcome, .ok)
        await first.shutdown()

        let second = Master(config: MasterConfig(port: 0), registry: try SQLiteRegistry(path: path))
        try await second.start()
        _ = await register(second, id: agentID)
        let total = await second.agents[agentID]?.total
        XCTAssertEqual(total?.reserved(for: "eng").scalar("cpus"), 1)
        XCTAssertEqual(total?.unreserved.scalar("cpus"), 3)
    }
}

/// Takes its time over each write, as ZooKeeper does, so changes queue up behind it.
final class SlowStore: RegistryStore, @unchecked Sendable {
    private let inner = InMemoryRegistry()
    func read() async throws -> [String: Data] { try await inner.read() }
    func write(_ documents: [String: Data]) async throws {
        try await Task.sleep(for: .milliseconds(20))
        try await inner.write(documents)
    }
}

struct FailingStore: RegistryStore {
    struct Down: Error {}
    func read() async throws -> [String: Data] { [:] }
    func write(_ documents: [String: Data]) async throws { throw Down() }
}

final class FailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var reasons: [String] = []
    func record(_ reason: String) { lock.withLock { reasons.append(reason) } }
    var count: Int { lock.withLock { reasons.count } }
}
