import XCTest
@testable import Agent
import MesosAPI

final class RecoveredStateTests: XCTestCase {
    let fw = FrameworkID("f")
    let agent = AgentID("a")

    func framework() -> FrameworkInfo {
        var info = FrameworkInfo(user: "", name: "fw")
        info.id = fw
        info.checkpoint = true
        return info
    }

    func task(_ id: String, container: String, executor: String? = nil, group: String? = nil) -> StateRecord {
        var task = CommandTask(info: TaskInfo(name: id, taskId: TaskID(id), agentId: agent, resources: [], command: CommandInfo(value: "true")),
                               frameworkID: fw, containerID: ContainerID(container), sandbox: "/s/\(id)")
        task.executorID = executor.map { ExecutorID($0) }
        task.taskGroup = group
        return .task(task)
    }

    func update(_ id: String, _ state: TaskState, _ uuid: String) -> StateRecord {
        .update(TaskStatus(taskId: TaskID(id), state: state, uuid: uuid), framework: fw)
    }

    func testTasksCarryTheirLatestStateAndOnlyUnacknowledgedUpdatesRemain() {
        let records: [StateRecord] = [
            .framework(framework()), task("t", container: "c1"),
            update("t", .TASK_STARTING, "u1"), .process(ContainerID("c1"), ProcessIdentity(pid: 42, startTime: 7)),
            update("t", .TASK_RUNNING, "u2"), .ack(framework: fw, task: TaskID("t"), uuid: "u1"),
        ]
        let state = RecoveredState.replay(records, agentID: agent)
        XCTAssertEqual(state.frameworks[fw]?.name, "fw")
        let key = StatusUpdateManager.Key(framework: fw, task: TaskID("t"))
        XCTAssertEqual(state.tasks[key]?.state, .TASK_RUNNING)
        XCTAssertEqual(state.processes[ContainerID("c1")], ProcessIdentity(pid: 42, startTime: 7))
        let updates = state.statusUpdates(initialBackoff: 10, now: 0)
        XCTAssertEqual(updates.pending(key).map(\.uuid), ["u2"])
    }

    func testForgottenTasksExecutorsAndFrameworksAreGone() {
        let records: [StateRecord] = [
            .framework(framework()), task("done", container: "c1"), update("done", .TASK_FINISHED, "u1"),
            .ack(framework: fw, task: TaskID("done"), uuid: "u1"), .forgetTask(framework: fw, task: TaskID("done")),
            .executor(framework: fw, id: ExecutorID("e"), info: nil, container: ContainerID("c2"), sandbox: "/s/e"),
            task("member", container: "c3", executor: "e", group: "g"),
            .forgetExecutor(framework: fw, executor: ExecutorID("e")),
        ]
        let state = RecoveredState.replay(records, agentID: agent)
        XCTAssertNil(state.tasks[.init(framework: fw, task: TaskID("done"))])
        XCTAssertTrue(state.executors.isEmpty)
        XCTAssertEqual(state.tasks.count, 1)
        XCTAssertTrue(state.updateHistory.isEmpty, "updates of forgotten tasks are dropped")
        let gone = RecoveredState.replay(records + [StateRecord(kind: .forgetFramework, frameworkId: fw)], agentID: agent)
        XCTAssertTrue(gone.tasks.isEmpty && gone.frameworks.isEmpty)
    }

    func testACompactedTaskKeepsItsState() {
        var record = task("t", container: "c1")
        record.state = .TASK_RUNNING
        let state = RecoveredState.replay([.framework(framework()), record], agentID: agent)
        XCTAssertEqual(state.tasks.first?.value.state, .TASK_RUNNING)
    }

    func testDefaultAndCustomExecutorsAreTold() {
        let records: [StateRecord] = [
            .executor(framework: fw, id: ExecutorID("pod"), info: nil, container: ContainerID("c1"), sandbox: "/s/pod"),
            .executor(framework: fw, id: ExecutorID("echo"), info: ExecutorInfo(executorId: ExecutorID("echo"), command: CommandInfo(value: "true")),
                      container: ContainerID("c2"), sandbox: "/s/echo"),
        ]
        let state = RecoveredState.replay(records, agentID: agent)
        XCTAssertEqual(state.executors[.init(framework: fw, executor: ExecutorID("pod"))]?.isDefault, true)
        XCTAssertEqual(state.executors[.init(framework: fw, executor: ExecutorID("echo"))]?.isDefault, false)
        XCTAssertEqual(state.containerIDs, ["c1", "c2"])
    }
}

final class StateLogTests: XCTestCase {
    func testATornTailIsIgnoredAndRewriteReplacesTheLog() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("statelog-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/state.log"
        let log = try StateLog(path: path)
        log.append(StateRecord(kind: .forgetFramework, frameworkId: FrameworkID("a")))
        log.append(StateRecord(kind: .forgetFramework, frameworkId: FrameworkID("b")))
        log.sync()
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("{\"kind\":\"forgetFr".utf8))
        try handle.close()
        XCTAssertEqual(StateLog.read(path).map(\.frameworkId?.value), ["a", "b"])

        try log.rewrite([StateRecord(kind: .forgetFramework, frameworkId: FrameworkID("c"))])
        log.append(StateRecord(kind: .forgetFramework, frameworkId: FrameworkID("d")))
        XCTAssertEqual(StateLog.read(path).map(\.frameworkId?.value), ["c", "d"])
        XCTAssertEqual(log.appended, 1)
    }

    func testAnUnknownKindEndsTheReadLikeDamage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("statelog-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let text = "{\"kind\":\"ack\",\"uuid\":\"x\"}\nnot json\n{\"kind\":\"ack\",\"uuid\":\"y\"}\n"
        try text.write(toFile: "\(dir)/state.log", atomically: true, encoding: .utf8)
        XCTAssertEqual(StateLog.read("\(dir)/state.log").map(\.uuid), ["x"])
    }
}
