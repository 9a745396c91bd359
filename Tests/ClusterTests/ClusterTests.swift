import Foundation
import XCTest
import MesosAPI
import PlinthTestKit
import SchedulerClient

final class ClusterTests: XCTestCase {
    func task(_ id: String, _ command: String, on offer: Offer, resources: String = "cpus:0.1;mem:32") throws -> TaskInfo {
        TaskInfo(name: id, taskId: TaskID(id), agentId: offer.agentId,
                 resources: try Resources.parse(resources).resources, command: CommandInfo(value: command))
    }

    func testTaskRunsToFinishedWithOutputInItsSandbox() async throws {
        let cluster = try await InProcessCluster.start()
        addTeardownBlock { await cluster.stop() }
        let connection = try await cluster.subscribe()
        var reader = EventReader(connection)
        let offer = try await reader.offer()
        XCTAssertEqual(offer.resources.first?.role, "*")
        try await connection.launch([try task("hello", "echo hello from plinth", on: offer)], offers: [offer.id])
        let states = try await reader.updates(of: TaskID("hello")).map(\.state)
        XCTAssertEqual(states, [.TASK_STARTING, .TASK_RUNNING, .TASK_FINISHED])
        let outputs = FileManager.default.enumerator(atPath: cluster.workDir)?.compactMap { $0 as? String }
            .filter { $0.hasSuffix("executors/hello/runs/") == false && $0.hasSuffix("/stdout") } ?? []
        XCTAssertEqual(outputs.count, 1)
        let text = try String(contentsOfFile: "\(cluster.workDir)/\(outputs[0])", encoding: .utf8)
        XCTAssertEqual(text, "hello from plinth\n")
    }

    func testFailingCommandReportsItsExitStatus() async throws {
        let cluster = try await InProcessCluster.start()
        addTeardownBlock { await cluster.stop() }
        let connection = try await cluster.subscribe()
        var reader = EventReader(connection)
        let offer = try await reader.offer()
        try await connection.launch([try task("bad", "exit 7", on: offer)], offers: [offer.id])
        let last = try await reader.updates(of: TaskID("bad")).last
        XCTAssertEqual(last?.state, .TASK_FAILED)
        XCTAssertEqual(last?.message, "Command exited with status 7")
    }

    func testInvalidTaskGetsTaskError() async throws {
        let cluster = try await InProcessCluster.start()
        addTeardownBlock { await cluster.stop() }
        let connection = try await cluster.subscribe()
        var reader = EventReader(connection)
        let offer = try await reader.offer()
        var bad = try task("greedy", "true", on: offer, resources: "cpus:64;mem:32")
        try await connection.launch([bad], offers: [offer.id])
        var status = try await reader.updates(of: TaskID("greedy")).last
        XCTAssertEqual(status?.state, .TASK_ERROR)
        XCTAssertEqual(status?.reason, .REASON_TASK_INVALID)
        XCTAssertEqual(status?.source, .SOURCE_MASTER)
        XCTAssertNil(status?.uuid)
        // An offer that was already used is invalid: TASK_LOST with REASON_INVALID_OFFERS.
        bad = try task("late", "true", on: offer)
        try await connection.launch([bad], offers: [offer.id])
        status = try await reader.updates(of: TaskID("late")).last
        XCTAssertEqual(status?.state, .TASK_LOST)
        XCTAssertEqual(status?.reason, .REASON_INVALID_OFFERS)
    }

    func testKillEndsTheTaskWithinTheGracePeriod() async throws {
        let cluster = try await InProcessCluster.start()
        addTeardownBlock { await cluster.stop() }
        let connection = try await cluster.subscribe()
        var reader = EventReader(connection)
        let offer = try await reader.offer()
        try await connection.launch([try task("sleeper", "sleep 600", on: offer)], offers: [offer.id])
        _ = try await reader.updates(of: TaskID("sleeper"), until: .TASK_RUNNING)
        let start = ContinuousClock.now
        try await connection.kill(TaskID("sleeper"))
        let last = try await reader.updates(of: TaskID("sleeper")).last
        XCTAssertEqual(last?.state, .TASK_KILLED)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
    }

    func testResourcesComeBackAfterTheTaskEnds() async throws {
        let cluster = try await InProcessCluster.start(resources: "cpus:1;mem:64")
        addTeardownBlock { await cluster.stop() }
        let connection = try await cluster.subscribe()
        var reader = EventReader(connection)
        let first = try await reader.offer()
        try await connection.launch([try task("all", "true", on: first, resources: "cpus:1;mem:64")],
                                    offers: [first.id])
        _ = try await reader.updates(of: TaskID("all"))
        let again = try await reader.offer()
        XCTAssertEqual(Resources(again.resources).scalar("cpus"), 1)
    }
}
