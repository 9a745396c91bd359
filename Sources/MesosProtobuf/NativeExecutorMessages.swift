import Foundation
import SwiftProtobuf

/// What a native (libmesos) executor driver and the agent say to each other, in terms of the
/// v1 executor API the agent already speaks: the driver's messages in are v1 executor calls,
/// and the agent's v1 executor events go back as the driver's messages. Pure translation.
public enum NativeExecutorMessages {
    public static let register = "mesos.internal.RegisterExecutorMessage"
    public static let reregister = "mesos.internal.ReregisterExecutorMessage"
    public static let statusUpdate = "mesos.internal.StatusUpdateMessage"
    public static let toFramework = "mesos.internal.ExecutorToFrameworkMessage"
    /// Sent by a scheduler driver straight to the agent that runs the executor.
    public static let toExecutor = "mesos.internal.FrameworkToExecutorMessage"
    public static let reconnect = "mesos.internal.ReconnectExecutorMessage"

    /// An executor driver's message as the v1 executor `Call` (JSON) it stands for; nil for a
    /// message that is not an executor's. Throws for bytes that do not parse.
    public static func callJSON(name: String, body: Data) throws -> Data? {
        var call = Mesos_V1_Executor_Call()
        switch name {
        case register:
            let message = try Mesos_Internal_RegisterExecutorMessage(serializedBytes: body)
            call.type = .subscribe
            call.frameworkID = message.frameworkID
            call.executorID = message.executorID
            call.subscribe = .init()
        case reregister:
            // After an agent restart: what the executor sent that it never heard acknowledged.
            let message = try Mesos_Internal_ReregisterExecutorMessage(serializedBytes: body)
            call.type = .subscribe
            call.frameworkID = message.frameworkID
            call.executorID = message.executorID
            call.subscribe.unacknowledgedTasks = message.tasks
            call.subscribe.unacknowledgedUpdates = message.updates.map { update in
                var v1 = Mesos_V1_Executor_Call.Update()
                v1.status = status(of: update)
                return v1
            }
        case statusUpdate:
            let update = try Mesos_Internal_StatusUpdateMessage(serializedBytes: body).update
            call.type = .update
            call.frameworkID = update.frameworkID
            call.executorID = update.executorID
            call.update.status = status(of: update)
        case toFramework:
            let message = try Mesos_Internal_ExecutorToFrameworkMessage(serializedBytes: body)
            call.type = .message
            call.frameworkID = message.frameworkID
            call.executorID = message.executorID
            call.message.data = message.data
        default:
            return nil
        }
        return try ProtobufBridge.json(fromProtobuf: call.serializedData(partial: true), as: .executorCall)
    }

    /// The driver puts the update's uuid on the update and (since Mesos 0.23) on its status;
    /// the v1 call carries it on the status only.
    static func status(of update: Mesos_Internal_StatusUpdate) -> Mesos_V1_TaskStatus {
        var status = update.status
        if !status.hasUuid, update.hasUuid { status.uuid = update.uuid }
        if !status.hasExecutorID, update.hasExecutorID { status.executorID = update.executorID }
        return status
    }

    /// A FrameworkToExecutorMessage: the framework, the executor and the bytes it carries.
    public static func frameworkMessage(_ body: Data) throws -> (framework: String, executor: String, data: Data) {
        let message = try Mesos_Internal_FrameworkToExecutorMessage(serializedBytes: body)
        return (message.frameworkID.value, message.executorID.value, message.data)
    }

    /// What the translation of one executor's events remembers: the framework a RunTaskMessage
    /// names, learnt from SUBSCRIBED.
    public struct Session: Sendable {
        var framework = Mesos_V1_FrameworkInfo()
        var frameworkID = Mesos_V1_FrameworkID()
        var executorID = Mesos_V1_ExecutorID()
        var agentID = Mesos_V1_AgentID()
        /// Whether the driver re-registered (after an agent restart): SUBSCRIBED answers it
        /// with ExecutorReregisteredMessage.
        public var reregistering: Bool

        public init(reregistering: Bool) { self.reregistering = reregistering }
    }

    /// One agent event (v1 executor `Event` JSON) as the driver's messages. HEARTBEAT has no
    /// counterpart (the driver watches its link), nor LAUNCH_GROUP (the driver cannot run groups).
    public static func messages(forEvent json: Data, session: inout Session) throws -> [(name: String, body: Data)] {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        let event = try Mesos_V1_Executor_Event(jsonUTF8Data: json, options: options)
        switch event.type {
        case .subscribed:
            let subscribed = event.subscribed
            session.framework = subscribed.frameworkInfo
            session.frameworkID = subscribed.frameworkInfo.id
            session.executorID = subscribed.executorInfo.executorID
            session.agentID = subscribed.agentInfo.id
            if session.reregistering {
                var message = Mesos_Internal_ExecutorReregisteredMessage()
                message.slaveID = subscribed.agentInfo.id
                message.slaveInfo = subscribed.agentInfo
                return [("mesos.internal.ExecutorReregisteredMessage", try message.serializedData(partial: true))]
            }
            var message = Mesos_Internal_ExecutorRegisteredMessage()
            message.executorInfo = subscribed.executorInfo
            message.frameworkID = subscribed.frameworkInfo.id
            message.frameworkInfo = subscribed.frameworkInfo
            message.slaveID = subscribed.agentInfo.id
            message.slaveInfo = subscribed.agentInfo
            return [("mesos.internal.ExecutorRegisteredMessage", try message.serializedData(partial: true))]
        case .launch:
            var message = Mesos_Internal_RunTaskMessage()
            message.frameworkID = session.frameworkID
            message.framework = session.framework
            message.pid = ""
            message.task = event.launch.task
            return [("mesos.internal.RunTaskMessage", try message.serializedData(partial: true))]
        case .kill:
            var message = Mesos_Internal_KillTaskMessage()
            message.frameworkID = session.frameworkID
            message.taskID = event.kill.taskID
            if event.kill.hasKillPolicy { message.killPolicy = event.kill.killPolicy }
            return [("mesos.internal.KillTaskMessage", try message.serializedData(partial: true))]
        case .acknowledged:
            var message = Mesos_Internal_StatusUpdateAcknowledgementMessage()
            message.slaveID = session.agentID
            message.frameworkID = session.frameworkID
            message.taskID = event.acknowledged.taskID
            message.uuid = event.acknowledged.uuid
            return [("mesos.internal.StatusUpdateAcknowledgementMessage", try message.serializedData(partial: true))]
        case .message:
            var message = Mesos_Internal_FrameworkToExecutorMessage()
            message.slaveID = session.agentID
            message.frameworkID = session.frameworkID
            message.executorID = session.executorID
            message.data = event.message.data
            return [(toExecutor, try message.serializedData(partial: true))]
        case .shutdown:
            return [shutdown(framework: session.frameworkID.value, executor: session.executorID.value)]
        default:
            return []
        }
    }

    /// ShutdownExecutorMessage, also what an executor the agent does not know is told.
    public static func shutdown(framework: String, executor: String) -> (name: String, body: Data) {
        var message = Mesos_Internal_ShutdownExecutorMessage()
        message.frameworkID.value = framework
        message.executorID.value = executor
        return ("mesos.internal.ShutdownExecutorMessage", (try? message.serializedData(partial: true)) ?? Data())
    }

    /// ReconnectExecutorMessage: a restarted agent asks the executors it recovered to register
    /// again.
    public static func reconnect(agent: String) -> (name: String, body: Data) {
        var message = Mesos_Internal_ReconnectExecutorMessage()
        message.slaveID.value = agent
        return (reconnect, (try? message.serializedData(partial: true)) ?? Data())
    }
}
