import Foundation
import HTTPSupport
import NIOCore
import XCTest

final class JSONValueTests: XCTestCase {
    func testSerialisesInOrderWithEscapesAndMesosNumbers() {
        let value: JSONValue = .object([
            ("z", .string("a\"b\\c\nd\te\u{01}é")), ("a", .number(4)), ("f", .number(0.25)), ("i", .int(-7)),
            ("n", .null), ("b", .bool(true)), ("l", .array([.number(1e20), .number(.nan), .object([])])),
        ])
        XCTAssertEqual(String(decoding: value.serialized(), as: UTF8.self),
                       #"{"z":"a\"b\\c\nd\te\u0001é","a":4.0,"f":0.25,"i":-7,"n":null,"b":true,"l":[1e+20,null,{}]}"#)
    }

    /// Shared buffers go out as they are, a large written part is handed on before what follows
    /// is written, and the buffers read back as the serialised document.
    func testChunksAreHandedOnAsTheyAreWritten() {
        let shared = ByteBuffer(string: #"["kept"]"#)
        let big = String(repeating: "x", count: 1 << 20)
        var written: [String] = []
        let value: JSONValue = .object([
            ("a", .buffer(shared)), ("b", .string(big)),
            ("c", .stream(size: 1) { $0.append(UInt8(ascii: "7")) }), ("d", .array([.int(1)])),
        ])
        value.writeChunks { written.append(String(buffer: $0)) }
        XCTAssertEqual(written.count, 4)
        XCTAssertEqual(written[1], #"["kept"]"#)
        XCTAssertEqual(written[2], #","b":""# + big + "\"")
        XCTAssertEqual(written[3], #","c":7,"d":[1]}"#)
        XCTAssertEqual(written.joined(), String(decoding: value.serialized(), as: UTF8.self))
        XCTAssertEqual(value.chunks.map { String(buffer: $0) }, written)
    }

    /// Readers of a shared document get every buffer in order, whether it was appended before
    /// or after they asked, and the end once it is finished.
    func testSharedDocumentReadersGetEveryBufferInOrder() async {
        let document = SharedDocument()
        document.append(ByteBuffer(string: "a"))
        document.append(ByteBuffer())
        let early = Task { await document.collect().map { String(buffer: $0) } }
        try? await Task.sleep(for: .milliseconds(20))
        document.append(ByteBuffer(string: "b"))
        let late = Task { await document.collect().map { String(buffer: $0) } }
        document.append(ByteBuffer(string: "c"))
        document.finish()
        let (first, second) = (await early.value, await late.value)
        XCTAssertEqual(first, ["a", "b", "c"])
        XCTAssertEqual(second, ["a", "b", "c"])
        let empty = SharedDocument()
        empty.finish()
        let none = await empty.chunk(at: 0)
        XCTAssertNil(none)
    }
}

@testable import Master
import MesosAPI

final class TaskJSONWriterTests: XCTestCase {
    func testTasksAreWrittenInMesossLegacyShape() async {
        var executor = ExecutorInfo(executorId: ExecutorID("ex\"1"), command: CommandInfo(value: "run"))
        executor.resources = []
        var info = TaskInfo(name: "name with \"quotes\"\n", taskId: TaskID("t-1"), agentId: AgentID("a"),
                            resources: [.scalar("cpus", 0.5), .scalar("mem", 64)], command: nil)
        info.executor = executor
        var task = TaskEntry(info: info, frameworkID: FrameworkID("f"), agentID: AgentID("a"), role: "eng",
                             resources: Resources([.scalar("cpus", 0.5), .scalar("mem", 64)]), state: .TASK_RUNNING)
        task.statuses = [TaskStatus(taskId: TaskID("t-1"), state: .TASK_STAGING, timestamp: 1.5),
                         TaskStatus(taskId: TaskID("t-1"), state: .TASK_RUNNING, timestamp: 1_700_000_000.25)]
        let plain = TaskEntry(info: TaskInfo(name: "p", taskId: TaskID("p"), agentId: AgentID("a"), resources: nil, command: nil),
                              frameworkID: FrameworkID("f"), agentID: AgentID("a"), role: "*", resources: Resources(),
                              state: .TASK_FINISHED)
        let view = await Master(config: MasterConfig(port: 0)).stateView()
        let expected = #"[{"id":"t-1","name":"name with \"quotes\"\n","framework_id":"f","executor_id":"ex\"1","slave_id":"a","state":"TASK_RUNNING","resources":{"cpus":0.5,"gpus":0.0,"mem":64.0,"disk":0.0},"role":"eng","statuses":[{"state":"TASK_STAGING","timestamp":1.5},{"state":"TASK_RUNNING","timestamp":1700000000.25}]},{"id":"p","name":"p","framework_id":"f","executor_id":"","slave_id":"a","state":"TASK_FINISHED","resources":{"cpus":0.0,"gpus":0.0,"mem":0.0,"disk":0.0},"role":"*","statuses":[]}]"#
        let bulk = view.tasksJSON([task, plain]).serialized()
        XCTAssertEqual(String(decoding: bulk, as: UTF8.self), expected)
        let one = JSONValue.array([view.taskJSON(task), view.taskJSON(plain)]).serialized()
        XCTAssertEqual(String(decoding: one, as: UTF8.self), expected, "one at a time, the same bytes")
        XCTAssertEqual(String(decoding: view.tasksJSON([TaskEntry]()).serialized(), as: UTF8.self), "[]")
    }
}
