import Foundation
import XCTest
@testable import Master
import MesosAPI
import HTTPSupport
import Registry

final class RegistryTests: XCTestCase {
    func temporaryPath() -> String {
        NSTemporaryDirectory() + "plinth-registry-\(UUID().uuidString).sqlite"
    }

    func testSQLiteRegistryKeepsWeightsQuotaAndReservations() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let store = try SQLiteRegistry(path: path)
            try store.setWeights(["eng": 2, "ops": 3])
            try store.setWeights(["eng": 4])
            try store.setQuota(QuotaConfig(role: "eng", guarantees: ["cpus": 1], limits: ["cpus": 2]))
            try store.setQuota(QuotaConfig(role: "gone", guarantees: ["cpus": 1]))
            try store.removeQuota(role: "gone")
            try store.setReservations([.scalar("cpus", 1, role: "eng")], agent: AgentID("a1"))
        }
        let state = try SQLiteRegistry(path: path).load()
        XCTAssertEqual(state.weights, ["eng": 4, "ops": 3])
        XCTAssertEqual(Array(state.quotas.keys), ["eng"])
        XCTAssertEqual(state.quotas["eng"]?.limitAmounts, ["cpus": 2])
        XCTAssertEqual(state.reservations[AgentID("a1")], [.scalar("cpus", 1, role: "eng")])
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
                                                                frameworks: [], tasks: []), stream: EventStream())
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
