import Foundation
import SwiftProtobuf
import XCTest
@testable import MesosProtobuf

/// The native drivers' messages and the v1 calls and events they stand for.
final class NativeMessagesTests: XCTestCase {
    private func json(_ data: Data?) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: XCTUnwrap(data)) as? [String: Any])
    }

    private func framework(id: String? = nil) -> Mesos_V1_FrameworkInfo {
        var info = Mesos_V1_FrameworkInfo()
        info.user = "root"
        info.name = "legacy"
        if let id { info.id.value = id }
        return info
    }

    // MARK: scheduler side

    /// v0's SUBSCRIBE keeps `force` at 2 and `suppressed_roles` at 3; v1 renumbered them.
    func testV0SubscribeIsReadWithItsOwnNumbers() throws {
        var head = Mesos_Internal_V0SchedulerCallHead()
        head.type = 1
        head.frameworkID.value = "fw-1"
        head.subscribe.frameworkInfo = framework(id: "fw-1")
        head.subscribe.force = true
        head.subscribe.suppressedRoles = ["batch"]
        let call = try json(NativeSchedulerMessages.callJSON(head.serializedData()))
        XCTAssertEqual(call["type"] as? String, "SUBSCRIBE")
        let subscribe = try XCTUnwrap(call["subscribe"] as? [String: Any])
        XCTAssertEqual(subscribe["suppressed_roles"] as? [String], ["batch"])
        XCTAssertEqual((subscribe["framework_info"] as? [String: Any])?["name"] as? String, "legacy")

        // And back: what a Swift client on the native protocol sends.
        var v1 = Mesos_V1_Scheduler_Call()
        v1.type = .subscribe
        v1.subscribe.frameworkInfo = framework()
        v1.subscribe.suppressedRoles = ["batch"]
        let v0 = try Mesos_Internal_V0SchedulerCallHead(
            serializedBytes: NativeSchedulerMessages.v0Call(fromV1: v1.serializedData()))
        XCTAssertEqual(v0.subscribe.suppressedRoles, ["batch"])
        XCTAssertFalse(v0.subscribe.force)
        let forced = try Mesos_Internal_V0SchedulerCallHead(
            serializedBytes: NativeSchedulerMessages.v0Call(fromV1: v1.serializedData(), force: true))
        XCTAssertTrue(forced.subscribe.force)
    }

    /// `force` (SUBSCRIBE) and `failover` (an older driver's re-registration) ask to take the
    /// framework over; nothing else does.
    func testTakingOverIsReadFromEitherRegistration() throws {
        var head = Mesos_Internal_V0SchedulerCallHead()
        head.type = 1
        head.frameworkID.value = "fw-1"
        head.subscribe.frameworkInfo = framework(id: "fw-1")
        let call = NativeSchedulerMessages.callName
        XCTAssertFalse(NativeSchedulerMessages.takesOver(name: call, body: try head.serializedData()))
        head.subscribe.force = true
        XCTAssertTrue(NativeSchedulerMessages.takesOver(name: call, body: try head.serializedData()))

        var reregister = Mesos_Internal_ReregisterFrameworkMessage()
        reregister.framework = framework(id: "fw-1")
        let name = "mesos.internal.ReregisterFrameworkMessage"
        XCTAssertFalse(NativeSchedulerMessages.takesOver(name: name, body: try reregister.serializedData(partial: true)))
        reregister.failover = true
        XCTAssertTrue(NativeSchedulerMessages.takesOver(name: name, body: try reregister.serializedData(partial: true)))

        XCTAssertFalse(NativeSchedulerMessages.takesOver(name: "mesos.internal.KillTaskMessage", body: Data([0xff])))
    }

    func testOtherV0CallsAreV1Calls() throws {
        var call = Mesos_V1_Scheduler_Call()
        call.type = .revive
        call.frameworkID.value = "fw-1"
        call.revive.roles = ["web"]
        let bytes = try call.serializedData()
        XCTAssertEqual(try NativeSchedulerMessages.v0Call(fromV1: bytes), bytes)
        XCTAssertEqual(try json(NativeSchedulerMessages.callJSON(bytes))["type"] as? String, "REVIVE")
    }

    func testLegacyRegistrationRules() throws {
        var register = Mesos_Internal_RegisterFrameworkMessage()
        register.framework = framework()
        let call = try json(LegacySchedulerMessages.callJSON(name: "mesos.internal.RegisterFrameworkMessage",
                                                             body: register.serializedData()))
        XCTAssertEqual(call["type"] as? String, "SUBSCRIBE")
        XCTAssertNil(call["framework_id"])

        register.framework = framework(id: "fw-1")
        XCTAssertThrowsError(try LegacySchedulerMessages.callJSON(
            name: "mesos.internal.RegisterFrameworkMessage", body: register.serializedData())) { error in
            XCTAssertEqual(error as? LegacySchedulerMessages.Refusal, .init(message: "Registering with 'id' already set"))
        }

        var reregister = Mesos_Internal_ReregisterFrameworkMessage()
        reregister.framework = framework()
        reregister.failover = true
        XCTAssertThrowsError(try LegacySchedulerMessages.callJSON(
            name: "mesos.internal.ReregisterFrameworkMessage", body: reregister.serializedData()))
        reregister.framework = framework(id: "fw-1")
        let again = try json(LegacySchedulerMessages.callJSON(name: "mesos.internal.ReregisterFrameworkMessage",
                                                              body: reregister.serializedData()))
        XCTAssertEqual((again["framework_id"] as? [String: Any])?["value"] as? String, "fw-1")
    }

    func testLaunchTasksIsAcceptOrDecline() throws {
        var launch = Mesos_Internal_LaunchTasksMessage()
        launch.frameworkID.value = "fw-1"
        launch.offerIds = [Mesos_V1_OfferID.with { $0.value = "o-1" }]
        launch.filters.refuseSeconds = 30
        let decline = try json(LegacySchedulerMessages.callJSON(name: "mesos.internal.LaunchTasksMessage",
                                                                body: launch.serializedData()))
        XCTAssertEqual(decline["type"] as? String, "DECLINE")

        var task = Mesos_V1_TaskInfo()
        task.name = "t"
        task.taskID.value = "t-1"
        task.agentID.value = "a-1"
        launch.tasks = [task]
        let accept = try json(LegacySchedulerMessages.callJSON(name: "mesos.internal.LaunchTasksMessage",
                                                               body: launch.serializedData()))
        XCTAssertEqual(accept["type"] as? String, "ACCEPT")
        let operations = try XCTUnwrap((accept["accept"] as? [String: Any])?["operations"] as? [[String: Any]])
        XCTAssertEqual(operations.first?["type"] as? String, "LAUNCH")
    }

    func testAcknowledgementKillReconcileAndUnknown() throws {
        var ack = Mesos_Internal_StatusUpdateAcknowledgementMessage()
        ack.slaveID.value = "a-1"
        ack.frameworkID.value = "fw-1"
        ack.taskID.value = "t-1"
        ack.uuid = Data([1, 2, 3])
        let call = try json(LegacySchedulerMessages.callJSON(name: "mesos.internal.StatusUpdateAcknowledgementMessage",
                                                             body: ack.serializedData()))
        let acknowledge = try XCTUnwrap(call["acknowledge"] as? [String: Any])
        XCTAssertEqual((acknowledge["agent_id"] as? [String: Any])?["value"] as? String, "a-1")
        XCTAssertEqual(acknowledge["uuid"] as? String, Data([1, 2, 3]).base64EncodedString())

        var reconcile = Mesos_Internal_ReconcileTasksMessage()
        reconcile.frameworkID.value = "fw-1"
        reconcile.statuses = [Mesos_V1_TaskStatus.with { $0.taskID.value = "t-1"; $0.state = .taskRunning }]
        let asked = try json(LegacySchedulerMessages.callJSON(name: "mesos.internal.ReconcileTasksMessage",
                                                              body: reconcile.serializedData()))
        XCTAssertEqual(((asked["reconcile"] as? [String: Any])?["tasks"] as? [Any])?.count, 1)

        XCTAssertNil(try LegacySchedulerMessages.callJSON(name: "mesos.internal.NoSuchMessage", body: Data()))
        XCTAssertThrowsError(try LegacySchedulerMessages.callJSON(name: "mesos.internal.KillTaskMessage",
                                                                  body: Data([0xff, 0xff])))
    }

    // MARK: executor side

    func testExecutorUpdateCarriesTheUpdatesUUID() throws {
        var message = Mesos_Internal_StatusUpdateMessage()
        message.update.frameworkID.value = "fw-1"
        message.update.executorID.value = "ex-1"
        message.update.uuid = Data(repeating: 7, count: 16)
        message.update.timestamp = 1
        message.update.status.taskID.value = "t-1"
        message.update.status.state = .taskRunning
        let call = try json(NativeExecutorMessages.callJSON(name: NativeExecutorMessages.statusUpdate,
                                                            body: message.serializedData()))
        XCTAssertEqual(call["type"] as? String, "UPDATE")
        let status = try XCTUnwrap((call["update"] as? [String: Any])?["status"] as? [String: Any])
        XCTAssertEqual(status["uuid"] as? String, Data(repeating: 7, count: 16).base64EncodedString())
        XCTAssertEqual((status["executor_id"] as? [String: Any])?["value"] as? String, "ex-1")
        XCTAssertNil(try NativeExecutorMessages.callJSON(name: "mesos.internal.Nothing", body: Data()))
    }

    func testExecutorEventsBecomeDriverMessages() throws {
        var session = NativeExecutorMessages.Session(reregistering: false)
        func messages(_ event: Mesos_V1_Executor_Event) throws -> [(name: String, body: Data)] {
            try NativeExecutorMessages.messages(forEvent: event.jsonUTF8Data(), session: &session)
        }
        var subscribed = Mesos_V1_Executor_Event()
        subscribed.type = .subscribed
        subscribed.subscribed.frameworkInfo = framework(id: "fw-1")
        subscribed.subscribed.executorInfo.executorID.value = "ex-1"
        subscribed.subscribed.agentInfo.id.value = "a-1"
        subscribed.subscribed.agentInfo.hostname = "h"
        let registered = try messages(subscribed)
        XCTAssertEqual(registered.map(\.name), ["mesos.internal.ExecutorRegisteredMessage"])
        XCTAssertEqual(try Mesos_Internal_ExecutorRegisteredMessage(serializedBytes: registered[0].body, partial: true).slaveID.value, "a-1")

        var launch = Mesos_V1_Executor_Event()
        launch.type = .launch
        launch.launch.task.taskID.value = "t-1"
        let run = try Mesos_Internal_RunTaskMessage(serializedBytes: messages(launch)[0].body, partial: true)
        XCTAssertEqual(run.framework.name, "legacy")
        XCTAssertEqual(run.task.taskID.value, "t-1")

        var acknowledged = Mesos_V1_Executor_Event()
        acknowledged.type = .acknowledged
        acknowledged.acknowledged.taskID.value = "t-1"
        acknowledged.acknowledged.uuid = Data([9])
        let ack = try Mesos_Internal_StatusUpdateAcknowledgementMessage(serializedBytes: messages(acknowledged)[0].body, partial: true)
        XCTAssertEqual(ack.slaveID.value, "a-1")
        XCTAssertEqual(ack.frameworkID.value, "fw-1")
        XCTAssertEqual(ack.uuid, Data([9]))

        var heartbeat = Mesos_V1_Executor_Event()
        heartbeat.type = .heartbeat
        XCTAssertTrue(try messages(heartbeat).isEmpty)

        session.reregistering = true
        XCTAssertEqual(try messages(subscribed).map(\.name), ["mesos.internal.ExecutorReregisteredMessage"])
    }
}
