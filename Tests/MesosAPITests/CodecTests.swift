import Foundation
import XCTest
@testable import MesosAPI

final class CodecTests: XCTestCase {
    /// A SUBSCRIBE exactly as pymesos 0.3.15 writes it.
    func testDecodesPymesosSubscribe() throws {
        let body = """
        {"type": "SUBSCRIBE", "subscribe": {"framework_info": {"user": "", "name": "MyFramework",
         "hostname": "localhost", "failover_timeout": 100, "capabilities": [{"type": "GPU_RESOURCES"}]}}}
        """
        let call = try WireCodec.decode(Call.self, from: Data(body.utf8))
        XCTAssertEqual(call.type, .SUBSCRIBE)
        XCTAssertEqual(call.subscribe?.frameworkInfo.name, "MyFramework")
        XCTAssertEqual(call.subscribe?.frameworkInfo.failoverTimeout, 100)
        XCTAssertTrue(call.subscribe?.frameworkInfo.hasCapability("GPU_RESOURCES") ?? false)
    }

    func testDecodesAcceptWithLaunchAndIgnoresUnknownFields() throws {
        let body = """
        {"type": "ACCEPT", "framework_id": {"value": "F-0000"}, "unknown_top": 1,
         "accept": {"offer_ids": [{"value": "M-O1"}], "filters": {"refuse_seconds": 30},
          "operations": [{"type": "LAUNCH", "launch": {"task_infos": [{"task_id": {"value": "0"},
           "agent_id": {"value": "M-S0"}, "name": "my-task", "command.environment": {"x": 1},
           "command": {"value": "echo 'Hello, Mesos!'"},
           "resources": [{"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1}},
                         {"name": "ports", "type": "RANGES", "ranges": {"range": [{"begin": 31000, "end": 31001}]}}]}]}}]}}
        """
        let call = try WireCodec.decode(Call.self, from: Data(body.utf8))
        XCTAssertEqual(call.frameworkId, FrameworkID("F-0000"))
        XCTAssertEqual(call.accept?.filters?.refuseSeconds, 30)
        let task = try XCTUnwrap(call.accept?.operations.first?.launch?.taskInfos.first)
        XCTAssertEqual(task.command?.value, "echo 'Hello, Mesos!'")
        XCTAssertTrue(task.command?.isShell ?? false)
        XCTAssertEqual(task.resources?.count, 2)
        XCTAssertEqual(task.resources?[1].ranges?.range.first?.end, 31001)
    }

    func testEventsUseSnakeCaseAndNestUnderLowercasedType() throws {
        var status = TaskStatus(taskId: TaskID("t"), state: .TASK_RUNNING, source: .SOURCE_EXECUTOR,
                                agentId: AgentID("a"), executorId: ExecutorID("t"), timestamp: 1.5,
                                uuid: "hTaLQ0b5Q1OZuab7QclTKQ==")
        status.containerStatus = ContainerStatus(containerId: ContainerID("c"), executorPid: 42)
        let json = try XCTUnwrap(String(data: try WireCodec.encode(Event.update(status)), encoding: .utf8))
        XCTAssertTrue(json.contains(#""type":"UPDATE""#))
        XCTAssertTrue(json.contains(#""update":{"status":"#))
        XCTAssertTrue(json.contains(#""task_id":{"value":"t"}"#))
        XCTAssertTrue(json.contains(#""agent_id":{"value":"a"}"#))
        XCTAssertTrue(json.contains(#""container_status":{"#))
        XCTAssertTrue(json.contains(#""executor_pid":42"#))
        XCTAssertFalse(json.contains("\n"))
        XCTAssertEqual(String(data: try WireCodec.encode(Event.heartbeat), encoding: .utf8), #"{"type":"HEARTBEAT"}"#)
        let rescind = try XCTUnwrap(String(data: try WireCodec.encode(Event.rescind(OfferID("o"))), encoding: .utf8))
        XCTAssertTrue(rescind.contains(#""rescind":{"offer_id":{"value":"o"}}"#), rescind)
        XCTAssertTrue(rescind.contains(#""type":"RESCIND""#), rescind)
    }

    func testRoundTripsEveryTaskState() throws {
        for state in TaskState.allCases {
            let status = TaskStatus(taskId: TaskID("x"), state: state, reason: .REASON_RECONCILIATION)
            let back = try WireCodec.decode(TaskStatus.self, from: try WireCodec.encode(status))
            XCTAssertEqual(back, status)
        }
    }

    func testSubscribedCarriesMasterInfo() throws {
        let info = MasterInfo(id: "M", ip: "127.0.0.1", port: 5050, hostname: "h", version: "1.11.0")
        XCTAssertEqual(info.ip, 16_777_343)
        let event = Event.subscribed(FrameworkID("M-0000"), heartbeat: 15, master: info)
        let json = String(decoding: try WireCodec.encode(event), as: UTF8.self)
        XCTAssertTrue(json.contains(#""heartbeat_interval_seconds":15"#))
        XCTAssertTrue(json.contains(#""pid":"master@127.0.0.1:5050""#))
    }

    func testMissingRequiredFieldIsNamed() {
        let body = #"{"type": "KILL", "framework_id": {"value": "f"}, "kill": {"agent_id": {"value": "a"}}}"#
        XCTAssertThrowsError(try WireCodec.decode(Call.self, from: Data(body.utf8))) { error in
            XCTAssertEqual(WireCodec.describe(error), "Missing required field 'kill.task_id'")
        }
    }

    func testMalformedJSONIsDescribed() {
        XCTAssertThrowsError(try WireCodec.decode(Call.self, from: Data("{nope".utf8))) { error in
            XCTAssertTrue(WireCodec.describe(error).hasPrefix("Failed to parse body into JSON"))
        }
    }

    func testEnumAsNumberIsRejected() {
        let body = #"{"type": 1}"#
        XCTAssertThrowsError(try WireCodec.decode(Call.self, from: Data(body.utf8)))
    }
}

final class RecordIOTests: XCTestCase {
    func testFramesWithByteLength() {
        let framed = RecordIO.frame(Data(#"{"type":"HEARTBEAT"}"#.utf8))
        XCTAssertEqual(String(decoding: framed, as: UTF8.self), "20\n{\"type\":\"HEARTBEAT\"}")
        let unicode = RecordIO.frame(Data("é".utf8))
        XCTAssertEqual(String(decoding: unicode, as: UTF8.self), "2\né")
    }

    func testDecodesRecordsSplitAtEveryByte() throws {
        let records = ["{\"a\":1}", "{\"type\":\"HEARTBEAT\"}", "x", String(repeating: "y", count: 300)]
        var stream = Data()
        for r in records { stream.append(RecordIO.frame(Data(r.utf8))) }
        var decoder = RecordIODecoder()
        var out: [String] = []
        for byte in stream {
            decoder.feed([byte])
            while let record = try decoder.next() { out.append(String(decoding: record, as: UTF8.self)) }
        }
        XCTAssertEqual(out, records)
    }

    func testDecodesManyRecordsInOneChunk() throws {
        var stream = Data()
        for i in 0..<100 { stream.append(RecordIO.frame(Data("{\"i\":\(i)}".utf8))) }
        var decoder = RecordIODecoder()
        decoder.feed(stream)
        var count = 0
        while try decoder.next() != nil { count += 1 }
        XCTAssertEqual(count, 100)
    }

    func testRejectsGarbageLength() {
        var decoder = RecordIODecoder()
        decoder.feed(Array("abc\n{}".utf8))
        XCTAssertThrowsError(try decoder.next())
    }

    func testRejectsOversizedRecord() {
        var decoder = RecordIODecoder(maxRecordSize: 10)
        decoder.feed(Array("11\n".utf8))
        XCTAssertThrowsError(try decoder.next())
    }
}

final class TaskStateTests: XCTestCase {
    func testTerminalStatesNeverChange() {
        for from in TaskState.allCases where from.isTerminal {
            for to in TaskState.allCases { XCTAssertFalse(from.canTransition(to: to), "\(from) -> \(to)") }
        }
    }

    func testCommandTaskLifecycle() {
        let path: [TaskState] = [.TASK_STAGING, .TASK_STARTING, .TASK_RUNNING, .TASK_KILLING, .TASK_KILLED]
        for (from, to) in zip(path, path.dropFirst()) { XCTAssertTrue(from.canTransition(to: to), "\(from) -> \(to)") }
        XCTAssertTrue(TaskState.TASK_STAGING.canTransition(to: .TASK_ERROR))
        XCTAssertTrue(TaskState.TASK_RUNNING.canTransition(to: .TASK_RUNNING))
    }

    func testNoGoingBack() {
        XCTAssertFalse(TaskState.TASK_RUNNING.canTransition(to: .TASK_STARTING))
        XCTAssertFalse(TaskState.TASK_RUNNING.canTransition(to: .TASK_STAGING))
        XCTAssertFalse(TaskState.TASK_KILLING.canTransition(to: .TASK_RUNNING))
    }

    func testTerminalSet() {
        let terminal = Set(TaskState.allCases.filter(\.isTerminal))
        XCTAssertEqual(terminal, [.TASK_FINISHED, .TASK_FAILED, .TASK_KILLED, .TASK_ERROR, .TASK_LOST,
                                  .TASK_DROPPED, .TASK_GONE, .TASK_GONE_BY_OPERATOR])
    }
}
