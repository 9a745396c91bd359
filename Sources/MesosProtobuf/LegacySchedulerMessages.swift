import Foundation
import SwiftProtobuf

/// The messages older scheduler drivers send instead of `mesos.scheduler.Call` (Mesos's master
/// still takes them), each as the v1 scheduler call it stands for, so that they take the same
/// path as the calls of a current driver. Pure translation.
public enum LegacySchedulerMessages {
    /// A message the master refuses before it gets to a call (FrameworkErrorMessage's text).
    public struct Refusal: Error, Equatable {
        public let message: String
    }

    public static let names: Set<String> = [
        "mesos.internal.RegisterFrameworkMessage", "mesos.internal.ReregisterFrameworkMessage",
        "mesos.internal.LaunchTasksMessage", "mesos.internal.KillTaskMessage",
        "mesos.internal.StatusUpdateAcknowledgementMessage", "mesos.internal.ReconcileTasksMessage",
        "mesos.internal.ResourceRequestMessage", "mesos.internal.ReviveOffersMessage",
        "mesos.internal.FrameworkToExecutorMessage",
    ]

    /// The v1 scheduler call (JSON) the message stands for; nil for a name not in `names`.
    /// Throws `Refusal` where Mesos answers FrameworkErrorMessage, or a decoding error.
    public static func callJSON(name: String, body: Data) throws -> Data? {
        guard let call = try call(name: name, body: body) else { return nil }
        return try ProtobufBridge.json(fromProtobuf: call.serializedData(partial: true), as: .schedulerCall)
    }

    static func call(name: String, body: Data) throws -> Mesos_V1_Scheduler_Call? {
        var call = Mesos_V1_Scheduler_Call()
        switch name.dropFirst("mesos.internal.".count) {
        case "RegisterFrameworkMessage":
            let framework = try Mesos_Internal_RegisterFrameworkMessage(serializedBytes: body).framework
            // A new framework: an ID is the scheduler's mistake.
            if framework.hasID, !framework.id.value.isEmpty { throw Refusal(message: "Registering with 'id' already set") }
            call.type = .subscribe
            call.subscribe.frameworkInfo = framework
        case "ReregisterFrameworkMessage":
            let message = try Mesos_Internal_ReregisterFrameworkMessage(serializedBytes: body)
            guard message.framework.hasID, !message.framework.id.value.isEmpty else {
                throw Refusal(message: "Re-registering without an 'id'")
            }
            call.type = .subscribe
            call.frameworkID = message.framework.id
            call.subscribe.frameworkInfo = message.framework
        case "LaunchTasksMessage":
            let message = try Mesos_Internal_LaunchTasksMessage(serializedBytes: body)
            call.frameworkID = message.frameworkID
            if message.tasks.isEmpty {
                // No tasks: the old driver's way of declining.
                call.type = .decline
                call.decline.offerIds = message.offerIds
                call.decline.filters = message.filters
            } else {
                call.type = .accept
                call.accept.offerIds = message.offerIds
                call.accept.filters = message.filters
                var operation = Mesos_V1_Offer.Operation()
                operation.type = .launch
                operation.launch.taskInfos = message.tasks
                call.accept.operations = [operation]
            }
        case "KillTaskMessage":
            let message = try Mesos_Internal_KillTaskMessage(serializedBytes: body)
            call.type = .kill
            call.frameworkID = message.frameworkID
            call.kill.taskID = message.taskID
            if message.hasKillPolicy { call.kill.killPolicy = message.killPolicy }
        case "StatusUpdateAcknowledgementMessage":
            let message = try Mesos_Internal_StatusUpdateAcknowledgementMessage(serializedBytes: body)
            call.type = .acknowledge
            call.frameworkID = message.frameworkID
            call.acknowledge.agentID = message.slaveID
            call.acknowledge.taskID = message.taskID
            call.acknowledge.uuid = message.uuid
        case "ReconcileTasksMessage":
            let message = try Mesos_Internal_ReconcileTasksMessage(serializedBytes: body)
            call.type = .reconcile
            call.frameworkID = message.frameworkID
            call.reconcile.tasks = message.statuses.map { status in
                var task = Mesos_V1_Scheduler_Call.Reconcile.Task()
                task.taskID = status.taskID
                if status.hasAgentID { task.agentID = status.agentID }
                return task
            }
        case "ResourceRequestMessage":
            let message = try Mesos_Internal_ResourceRequestMessage(serializedBytes: body)
            call.type = .request
            call.frameworkID = message.frameworkID
            call.request.requests = message.requests
        case "ReviveOffersMessage":
            let message = try Mesos_Internal_ReviveOffersMessage(serializedBytes: body)
            call.type = .revive
            call.frameworkID = message.frameworkID
            call.revive.roles = message.roles
        case "FrameworkToExecutorMessage":
            let message = try Mesos_Internal_FrameworkToExecutorMessage(serializedBytes: body)
            call.type = .message
            call.frameworkID = message.frameworkID
            call.message.agentID = message.slaveID
            call.message.executorID = message.executorID
            call.message.data = message.data
        default:
            return nil
        }
        return call
    }
}
