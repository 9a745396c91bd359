import MesosAPI

extension Master {
    /// Every scheduler call but SUBSCRIBE: the framework must exist, be connected on the stream
    /// named by `Mesos-Stream-Id`, and then the call runs.
    public func handle(_ call: Call, streamID: String) async -> CallOutcome {
        guard let fid = call.frameworkId else { return .badRequest("Expecting 'framework_id' to be present") }
        // Only the fields needed here are read: a copy of the whole entry held during the call
        // would make every change to its task tables copy them.
        guard let connected = frameworks[fid]?.connected else { return .badRequest("Framework cannot be found") }
        guard connected, let currentStream = frameworks[fid]?.stream?.id else {
            return .forbidden("Framework is not subscribed")
        }
        guard currentStream == streamID else {
            return .badRequest("The stream ID '\(streamID)' included in this request didn't match the stream ID currently associated with framework ID \(fid)")
        }
        if let message = MasterMessage(call.type) { counters.count(message) }
        switch call.type {
        case .TEARDOWN:
            return await tearDown(fid) ? .accepted : .unavailable("Failed to remove the framework from the registry")
        case .ACCEPT:
            return await accept(fid, call.accept!)
        case .DECLINE:
            return decline(fid, call.decline!)
        case .REVIVE:
            return revive(fid, roles: call.revive?.roles ?? [])
        case .SUPPRESS:
            return suppress(fid, roles: call.suppress?.roles ?? [])
        case .KILL:
            return kill(fid, call.kill!)
        case .SHUTDOWN:
            return shutdownExecutor(fid, call.shutdown!)
        case .ACKNOWLEDGE:
            return acknowledge(fid, call.acknowledge!)
        case .RECONCILE:
            reconcile(fid, call.reconcile?.tasks ?? [])
            return .accepted
        case .MESSAGE:
            return message(fid, call.message!)
        case .REQUEST:
            frameworks[fid]!.requested = (call.request?.requests ?? []).map { Resources($0.resources ?? []).scalars }
                .filter { !$0.isEmpty }
            return .accepted
        case .ACCEPT_INVERSE_OFFERS, .DECLINE_INVERSE_OFFERS, .RECONCILE_OPERATIONS:
            return .accepted
        case .ACKNOWLEDGE_OPERATION_STATUS:
            return .accepted
        case .UPDATE_FRAMEWORK:
            return .notImplemented("UPDATE_FRAMEWORK is not supported yet")
        case .SUBSCRIBE, .UNKNOWN:
            return .notImplemented("Unknown call type")
        }
    }
}

extension Call {
    /// The structural checks Mesos makes before a call reaches the master: the sub-message that
    /// the type names must be present.
    public var structuralProblem: String? {
        func need(_ present: Bool, _ field: String) -> String? {
            present ? nil : "Expecting '\(field)' to be present"
        }
        if type != .SUBSCRIBE, frameworkId == nil { return "Expecting 'framework_id' to be present" }
        switch type {
        case .SUBSCRIBE:
            if subscribe == nil { return "Expecting 'subscribe' to be present" }
            if let id = subscribe?.frameworkInfo.id, frameworkId != id {
                return "'framework_id' differs from 'subscribe.framework_info.id'"
            }
            if frameworkId != nil && subscribe?.frameworkInfo.id == nil {
                return "'framework_id' differs from 'subscribe.framework_info.id'"
            }
            return nil
        case .ACCEPT: return need(accept != nil, "accept")
        case .DECLINE: return need(decline != nil, "decline")
        case .KILL: return need(kill != nil, "kill")
        case .SHUTDOWN: return need(shutdown != nil, "shutdown")
        case .ACKNOWLEDGE: return need(acknowledge != nil, "acknowledge")
        case .RECONCILE: return need(reconcile != nil, "reconcile")
        case .MESSAGE: return need(message != nil, "message")
        default: return nil
        }
    }
}
