import Foundation
import XCTest
import Master
import MesosAPI
import PlinthTestKit
import SchedulerClient

/// DRAIN_AGENT, DEACTIVATE_AGENT and REACTIVATE_AGENT on a master and agent in this process.
final class DrainTests: ContainerTestCase {
    func masterAgent(_ cluster: InProcessCluster) async throws -> [String: Any] {
        let state = try JSONSerialization.jsonObject(with: await cluster.master.stateView().stateJSON().serialized()) as? [String: Any]
        return try XCTUnwrap((state?["slaves"] as? [[String: Any]])?.first)
    }

    /// After several allocation rounds, nothing of the agent is on offer.
    func expectNoOffer(_ cluster: InProcessCluster) async throws {
        try await Task.sleep(for: .seconds(1))
        let offered = try await masterAgent(cluster)["offered_resources"] as? [String: Any]
        XCTAssertEqual((offered?["cpus"] as? NSNumber)?.doubleValue, 0, "a deactivated agent was offered")
    }

    func testDrainKillsEveryTaskWithinTheCapThenStaysDrainedUntilReactivated() async throws {
        let cluster = try await InProcessCluster.start()
        addTeardownBlock { await cluster.stop() }
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        var stubborn = try task("stubborn", "trap '' TERM; sleep 600", on: offer)
        stubborn.killPolicy = KillPolicy(gracePeriod: DurationInfo(seconds: 60))
        try await connection.launch([stubborn, try task("plain", "sleep 600", on: offer)], offers: [offer.id])
        _ = try await updates.until(TaskID("stubborn")) { $0 == .TASK_RUNNING }
        _ = try await updates.until(TaskID("plain")) { $0 == .TASK_RUNNING }
        let agentID = offer.agentId
        let start = ContinuousClock.now
        let outcome = await cluster.master.operatorDrain(
            OperatorCall.DrainAgent(agentId: agentID, maxGracePeriod: ProtoDuration(seconds: 1)))
        XCTAssertEqual(outcome, .ok)
        let early = await cluster.master.operatorReactivate(agentID)
        XCTAssertEqual(early, .badRequest("Agent \(agentID) is still draining; it can be reactivated once DRAINED"))
        for id in ["plain", "stubborn"] {
            let end = try await updates.until(TaskID(id)) { $0.isTerminal }
            XCTAssertEqual(end.state, .TASK_KILLED, id)
            XCTAssertEqual(end.reason, .REASON_AGENT_DRAINING, id)
        }
        // The one that ignores SIGTERM went at the 1 s cap, not its own 60 s.
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
        var drained = false
        for _ in 0..<50 where !drained {
            let agent = try await masterAgent(cluster)
            drained = (agent["drain_info"] as? [String: Any])?["state"] as? String == "DRAINED"
            if !drained { try await Task.sleep(for: .milliseconds(50)) }
        }
        let agent = try await masterAgent(cluster)
        XCTAssertTrue(drained, "\(agent)")
        XCTAssertEqual(agent["deactivated"] as? Bool, true)
        let (_, body) = try await get(cluster, "/state")
        let agentState = try JSONSerialization.jsonObject(with: body) as? [String: Any]
        XCTAssertNotNil(agentState?["drain_config"], "the agent's /state does not show the drain")
        try await expectNoOffer(cluster)
        let reactivated = await cluster.master.operatorReactivate(agentID)
        XCTAssertEqual(reactivated, .ok)
        let back = try await updates.reader.offer()
        XCTAssertEqual(back.agentId, agentID)
        let after = try await masterAgent(cluster)
        XCTAssertNil(after["drain_info"])
    }

    func testDeactivatedAgentKeepsItsTasksButGetsNoOffers() async throws {
        let cluster = try await InProcessCluster.start()
        addTeardownBlock { await cluster.stop() }
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        try await connection.launch([try task("keeps", "sleep 600", on: offer)], offers: [offer.id])
        _ = try await updates.until(TaskID("keeps")) { $0 == .TASK_RUNNING }
        let deactivated = await cluster.master.operatorDeactivate(offer.agentId)
        XCTAssertEqual(deactivated, .ok)
        let unknown = await cluster.master.operatorDeactivate(AgentID("nope"))
        XCTAssertEqual(unknown, .badRequest("Unknown agent nope"))
        try await expectNoOffer(cluster)
        XCTAssertEqual(updates.latest[TaskID("keeps")]?.state, .TASK_RUNNING)
        let back = await cluster.master.operatorReactivate(offer.agentId)
        XCTAssertEqual(back, .ok)
        _ = try await updates.reader.offer()
        try await connection.kill(TaskID("keeps"))
        _ = try await updates.until(TaskID("keeps")) { $0.isTerminal }
    }

    func testDrainWithMarkGoneRemovesTheAgentForGood() async throws {
        let cluster = try await InProcessCluster.start()
        addTeardownBlock { await cluster.stop() }
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        try await connection.launch([try task("last", "sleep 600", on: offer)], offers: [offer.id])
        _ = try await updates.until(TaskID("last")) { $0 == .TASK_RUNNING }
        let outcome = await cluster.master.operatorDrain(OperatorCall.DrainAgent(agentId: offer.agentId, markGone: true))
        XCTAssertEqual(outcome, .ok)
        let end = try await updates.until(TaskID("last")) { $0.isTerminal }
        XCTAssertEqual(end.reason, .REASON_AGENT_DRAINING)
        var gone = false
        for _ in 0..<100 where !gone {
            gone = await cluster.master.isGone(offer.agentId)
            if !gone { try await Task.sleep(for: .milliseconds(50)) }
        }
        XCTAssertTrue(gone)
        let state = try JSONSerialization.jsonObject(with: await cluster.master.stateView().stateJSON().serialized()) as? [String: Any]
        XCTAssertEqual((state?["slaves"] as? [Any])?.count, 0)
        // It does not come back: its re-registrations are refused.
        try await Task.sleep(for: .seconds(1))
        let connected = await cluster.agent.isConnected
        XCTAssertFalse(connected)
    }
}
