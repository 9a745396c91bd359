import XCTest
@testable import Agent
import MesosAPI

final class StatusUpdateManagerTests: XCTestCase {
    let fw = FrameworkID("f")

    func status(_ task: String, _ state: TaskState, _ uuid: String) -> TaskStatus {
        TaskStatus(taskId: TaskID(task), state: state, uuid: uuid)
    }

    func testOnlyTheHeadIsInFlightAndAcksReleaseTheNext() {
        var m = StatusUpdateManager(initialBackoff: 10)
        XCTAssertEqual(m.add(status("t", .TASK_STARTING, "u1"), framework: fw, now: 0)?.status.uuid, "u1")
        XCTAssertNil(m.add(status("t", .TASK_RUNNING, "u2"), framework: fw, now: 0))
        XCTAssertNil(m.add(status("t", .TASK_FINISHED, "u3"), framework: fw, now: 0))
        // The head carries the newest state the agent knows.
        XCTAssertEqual(m.due(now: 10).first?.latestState, .TASK_FINISHED)
        XCTAssertNil(m.acknowledge(framework: fw, task: TaskID("t"), uuid: "u2", now: 1), "not the head: ignored")
        XCTAssertEqual(m.acknowledge(framework: fw, task: TaskID("t"), uuid: "u1", now: 1)?.status.uuid, "u2")
        XCTAssertEqual(m.acknowledge(framework: fw, task: TaskID("t"), uuid: "u2", now: 1)?.status.uuid, "u3")
        XCTAssertNil(m.acknowledge(framework: fw, task: TaskID("t"), uuid: "u3", now: 1))
        XCTAssertEqual(m.pendingCount, 0)
    }

    func testRetriesBackOffExponentiallyUpToTheCap() {
        var m = StatusUpdateManager(initialBackoff: 10, maxBackoff: 40)
        _ = m.add(status("t", .TASK_RUNNING, "u1"), framework: fw, now: 0)
        XCTAssertTrue(m.due(now: 9.9).isEmpty)
        XCTAssertEqual(m.due(now: 10).count, 1)   // next in 20
        XCTAssertTrue(m.due(now: 29).isEmpty)
        XCTAssertEqual(m.due(now: 30).count, 1)   // next in 40
        XCTAssertTrue(m.due(now: 69).isEmpty)
        XCTAssertEqual(m.due(now: 70).count, 1)   // capped: next in 40
        XCTAssertTrue(m.due(now: 109).isEmpty)
        XCTAssertEqual(m.due(now: 110).count, 1)
    }

    func testDuplicateUpdatesAreIgnored() {
        var m = StatusUpdateManager()
        _ = m.add(status("t", .TASK_RUNNING, "u1"), framework: fw, now: 0)
        XCTAssertNil(m.add(status("t", .TASK_RUNNING, "u1"), framework: fw, now: 0))
        XCTAssertEqual(m.pendingCount, 1)
    }

    func testResendSendsEveryHeadAtOnce() {
        var m = StatusUpdateManager()
        _ = m.add(status("a", .TASK_RUNNING, "1"), framework: fw, now: 0)
        _ = m.add(status("a", .TASK_FINISHED, "2"), framework: fw, now: 0)
        _ = m.add(status("b", .TASK_RUNNING, "3"), framework: FrameworkID("g"), now: 0)
        XCTAssertEqual(Set(m.resend(now: 1).compactMap(\.status.uuid)), ["1", "3"])
        XCTAssertEqual(m.resend(framework: fw, now: 1).compactMap(\.status.uuid), ["1"])
    }

    func testTasksAreIndependentAndFrameworkRemovalDropsUpdates() {
        var m = StatusUpdateManager()
        XCTAssertNotNil(m.add(status("a", .TASK_RUNNING, "1"), framework: fw, now: 0))
        XCTAssertNotNil(m.add(status("b", .TASK_RUNNING, "2"), framework: fw, now: 0))
        m.removeFramework(fw)
        XCTAssertEqual(m.pendingCount, 0)
        XCTAssertTrue(m.due(now: 100).isEmpty)
    }
}
