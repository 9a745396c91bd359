import Foundation
import SwiftProtobuf

/// What a native (libmesos) scheduler driver and the master say to each other, in terms of the
/// v1 API the master already speaks. The driver sends `mesos.scheduler.Call` messages, whose
/// bytes are a v1 scheduler `Call`'s; the master's events go back as the driver's older
/// messages (`FrameworkRegisteredMessage`, `ResourceOffersMessage`, `StatusUpdateMessage`, ...).
/// Pure translation: no I/O, no state beyond what each call is given.
public enum NativeSchedulerMessages {
    public static let callName = "mesos.scheduler.Call"

    public static let deactivateName = "mesos.internal.DeactivateFrameworkMessage"
    public static let unregisterName = "mesos.internal.UnregisterFrameworkMessage"

    /// The scheduler call a `mesos.scheduler.Call` message carries, as v1 JSON. Throws for bytes
    /// that do not parse as one.
    public static func callJSON(_ body: Data) throws -> Data {
        try ProtobufBridge.json(fromProtobuf: v1Call(fromV0: body), as: .schedulerCall)
    }

    /// A v0 `mesos.scheduler.Call`'s bytes as a v1 Call's: the same but for SUBSCRIBE (see
    /// `V0SchedulerCallHead`). `force` has no v1 counterpart; `takesOver` reads it.
    static func v1Call(fromV0 body: Data) throws -> Data {
        let head = try Mesos_Internal_V0SchedulerCallHead(serializedBytes: body, partial: true)
        guard head.type == Mesos_V1_Scheduler_Call.TypeEnum.subscribe.rawValue else { return body }
        var call = Mesos_V1_Scheduler_Call()
        call.type = .subscribe
        if head.hasFrameworkID { call.frameworkID = head.frameworkID }
        call.subscribe.frameworkInfo = head.subscribe.frameworkInfo
        call.subscribe.suppressedRoles = head.subscribe.suppressedRoles
        return try call.serializedData(partial: true)
    }

    /// Whether a registration asks to take its framework over from whichever driver has it:
    /// `force` in a SUBSCRIBE, `failover` in an older driver's ReregisterFrameworkMessage. A
    /// driver sets it on its first registration with a framework ID it was given, never when
    /// it registers again with a master it lost: so a driver cut off by a partition cannot take
    /// its framework back from the driver that replaced it.
    public static func takesOver(name: String, body: Data) -> Bool {
        switch name {
        case callName:
            (try? Mesos_Internal_V0SchedulerCallHead(serializedBytes: body, partial: true))?.subscribe.force ?? false
        case "mesos.internal.ReregisterFrameworkMessage":
            (try? Mesos_Internal_ReregisterFrameworkMessage(serializedBytes: body, partial: true))?.failover ?? false
        default:
            false
        }
    }

    /// The other way, for a Swift client on the native protocol: a v1 Call's bytes as the v0
    /// `mesos.scheduler.Call` a driver sends, with `force` for a SUBSCRIBE that takes its
    /// framework over.
    public static func v0Call(fromV1 body: Data, force: Bool = false) throws -> Data {
        let call = try Mesos_V1_Scheduler_Call(serializedBytes: body, partial: true)
        guard call.type == .subscribe else { return body }
        var head = Mesos_Internal_V0SchedulerCallHead()
        head.type = Int32(call.type.rawValue)
        if call.hasFrameworkID { head.frameworkID = call.frameworkID }
        head.subscribe.frameworkInfo = call.subscribe.frameworkInfo
        if force { head.subscribe.force = true }
        head.subscribe.suppressedRoles = call.subscribe.suppressedRoles
        return try head.serializedData(partial: true)
    }

    /// The framework a DeactivateFrameworkMessage (the driver's abort) or an
    /// UnregisterFrameworkMessage (an old driver's teardown) names.
    public static func framework(in name: String, body: Data) throws -> String? {
        switch name {
        case deactivateName: try Mesos_Internal_DeactivateFrameworkMessage(serializedBytes: body).frameworkID.value
        case unregisterName: try Mesos_Internal_UnregisterFrameworkMessage(serializedBytes: body).frameworkID.value
        default: nil
        }
    }

    /// A master event (v1 JSON, as sent on a subscription stream) as the messages a native
    /// driver understands. `resubscribed` picks FrameworkReregisteredMessage for SUBSCRIBED.
    /// HEARTBEAT has no counterpart: the driver watches its libprocess link instead.
    /// `agents` holds the agents' libprocess names by agent ID: offers add to it, and updates
    /// name the agent that sent them from it.
    public static func messages(forEvent json: Data, framework: String, resubscribed: Bool,
                                agents: inout [String: String]) throws -> [(name: String, body: Data)] {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        let event = try Mesos_V1_Scheduler_Event(jsonUTF8Data: json, options: options)
        var frameworkID = Mesos_V1_FrameworkID()
        frameworkID.value = framework
        switch event.type {
        case .subscribed:
            // The two registration messages have the same fields under the same numbers, so one
            // serialisation serves both; only the name tells the driver which it got.
            var message = Mesos_Internal_FrameworkRegisteredMessage()
            message.frameworkID = event.subscribed.frameworkID
            message.masterInfo = event.subscribed.masterInfo
            let name = resubscribed ? "mesos.internal.FrameworkReregisteredMessage" : "mesos.internal.FrameworkRegisteredMessage"
            return [(name, try message.serializedData(partial: true))]
        case .offers:
            var message = Mesos_Internal_ResourceOffersMessage()
            message.offers = event.offers.offers
            // One agent name per offer: the driver checks the counts match, and sends framework
            // messages for an executor straight to the agent it learnt this way.
            message.pids = event.offers.offers.map(agentPID)
            for (offer, pid) in zip(event.offers.offers, message.pids) { agents[offer.agentID.value] = pid }
            return [("mesos.internal.ResourceOffersMessage", try message.serializedData(partial: true))]
        case .rescind:
            var message = Mesos_Internal_RescindResourceOfferMessage()
            message.offerID = event.rescind.offerID
            return [("mesos.internal.RescindResourceOfferMessage", try message.serializedData(partial: true))]
        case .update:
            let status = event.update.status
            var update = Mesos_Internal_StatusUpdate()
            update.frameworkID = frameworkID
            if status.hasExecutorID { update.executorID = status.executorID }
            if status.hasAgentID { update.slaveID = status.agentID }
            update.status = status
            update.timestamp = status.hasTimestamp ? status.timestamp : Date().timeIntervalSince1970
            var message = Mesos_Internal_StatusUpdateMessage()
            if status.hasUuid {
                // An update to acknowledge: from an agent (the driver acknowledges only those
                // that name one); the master's own (reconciliation) carry no uuid.
                update.uuid = status.uuid
                message.pid = agents[status.agentID.value] ?? ""
            }
            message.update = update
            return [("mesos.internal.StatusUpdateMessage", try message.serializedData(partial: true))]
        case .message:
            var message = Mesos_Internal_ExecutorToFrameworkMessage()
            message.slaveID = event.message.agentID
            message.frameworkID = frameworkID
            message.executorID = event.message.executorID
            message.data = event.message.data
            return [("mesos.internal.ExecutorToFrameworkMessage", try message.serializedData(partial: true))]
        case .failure:
            if event.failure.hasExecutorID {
                var message = Mesos_Internal_ExitedExecutorMessage()
                message.slaveID = event.failure.agentID
                message.frameworkID = frameworkID
                message.executorID = event.failure.executorID
                message.status = event.failure.status
                return [("mesos.internal.ExitedExecutorMessage", try message.serializedData(partial: true))]
            }
            var message = Mesos_Internal_LostSlaveMessage()
            message.slaveID = event.failure.agentID
            return [("mesos.internal.LostSlaveMessage", try message.serializedData(partial: true))]
        case .error:
            return [error(event.error.message)]
        default:
            return []
        }
    }

    /// The agent of a StatusUpdateMessage that is to be acknowledged but names no agent pid
    /// (`agents` did not know it); nil otherwise.
    public static func agentWithoutPID(_ messages: [(name: String, body: Data)]) -> String? {
        guard messages.count == 1, messages[0].name == "mesos.internal.StatusUpdateMessage",
              let message = try? Mesos_Internal_StatusUpdateMessage(serializedBytes: messages[0].body, partial: true),
              message.update.hasUuid, message.pid.isEmpty else { return nil }
        return message.update.slaveID.value
    }

    /// FrameworkErrorMessage: what a driver is told when the master refuses it.
    public static func error(_ text: String) -> (name: String, body: Data) {
        var message = Mesos_Internal_FrameworkErrorMessage()
        message.message = text
        return ("mesos.internal.FrameworkErrorMessage", (try? message.serializedData(partial: true)) ?? Data())
    }

    /// The agent an offer comes from, as a libprocess name (`slave(1)@ip:port`).
    static func agentPID(_ offer: Mesos_V1_Offer) -> String {
        let address = offer.url.address
        let host = address.hasIp ? address.ip : address.hostname
        let id = offer.url.path.hasPrefix("/") ? String(offer.url.path.dropFirst()) : "slave(1)"
        return "\(id.isEmpty ? "slave(1)" : id)@\(host):\(address.port)"
    }

    /// The other way, for a Swift client on the native protocol: a message from the master as
    /// the v1 event (JSON) it stands for; nil for a message a scheduler does not expect.
    public static func eventJSON(name: String, body: Data) throws -> Data? {
        var event = Mesos_V1_Scheduler_Event()
        switch name {
        case "mesos.internal.FrameworkRegisteredMessage", "mesos.internal.FrameworkReregisteredMessage":
            let message = try Mesos_Internal_FrameworkRegisteredMessage(serializedBytes: body)  // same layout
            event.type = .subscribed
            event.subscribed.frameworkID = message.frameworkID
            event.subscribed.masterInfo = message.masterInfo
        case "mesos.internal.ResourceOffersMessage":
            event.type = .offers
            event.offers.offers = try Mesos_Internal_ResourceOffersMessage(serializedBytes: body).offers
        case "mesos.internal.RescindResourceOfferMessage":
            event.type = .rescind
            event.rescind.offerID = try Mesos_Internal_RescindResourceOfferMessage(serializedBytes: body).offerID
        case "mesos.internal.StatusUpdateMessage":
            let update = try Mesos_Internal_StatusUpdateMessage(serializedBytes: body).update
            var status = update.status
            if update.hasUuid { status.uuid = update.uuid } else { status.clearUuid() }
            if !status.hasAgentID, update.hasSlaveID { status.agentID = update.slaveID }
            event.type = .update
            event.update.status = status
        case "mesos.internal.ExecutorToFrameworkMessage":
            let message = try Mesos_Internal_ExecutorToFrameworkMessage(serializedBytes: body)
            event.type = .message
            event.message.agentID = message.slaveID
            event.message.executorID = message.executorID
            event.message.data = message.data
        case "mesos.internal.FrameworkErrorMessage":
            event.type = .error
            event.error.message = try Mesos_Internal_FrameworkErrorMessage(serializedBytes: body).message
        default:
            return nil
        }
        return try ProtobufBridge.json(fromProtobuf: event.serializedData(partial: true), as: .schedulerEvent)
    }
}
