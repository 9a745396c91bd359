import HTTPSupport
import MesosAPI

/// The operator API's SUBSCRIBE: SUBSCRIBED with the whole state, then every change as it
/// happens, in the master's own order (each event is sent from the actor that made the change).
extension Master {
    struct Subscribed: Encodable, Sendable {
        var getState: OperatorState
        var heartbeatIntervalSeconds: Double
        enum CodingKeys: String, CodingKey { case getState = "get_state", heartbeatIntervalSeconds = "heartbeat_interval_seconds" }
    }
    struct TaskAdded: Encodable, Sendable { var task: V1Task }
    struct TaskUpdated: Encodable, Sendable {
        var frameworkId: FrameworkID
        var status: TaskStatus
        var state: TaskState
        enum CodingKeys: String, CodingKey { case frameworkId = "framework_id", status, state }
    }
    struct AgentAdded: Encodable, Sendable { var agent: OperatorState.Agent }
    struct AgentRemoved: Encodable, Sendable {
        var agentId: AgentID
        enum CodingKeys: String, CodingKey { case agentId = "agent_id" }
    }
    struct FrameworkChanged: Encodable, Sendable { var framework: OperatorState.Framework }
    struct FrameworkRemoved: Encodable, Sendable {
        var frameworkInfo: FrameworkInfo
        enum CodingKeys: String, CodingKey { case frameworkInfo = "framework_info" }
    }

    /// Adds a subscriber; its first event is the state as of now.
    public func operatorSubscribe(_ stream: EventStream) {
        let seconds = Double(config.heartbeatInterval.components.seconds)
        stream.send(OperatorResponse(event: "SUBSCRIBED", payload: Subscribed(getState: stateView().operatorState(),
                                                                              heartbeatIntervalSeconds: seconds)))
        operatorStreams[stream.id] = stream
    }

    public func operatorUnsubscribe(_ id: String) {
        operatorStreams[id] = nil
    }

    /// Encodes once for every subscriber; costs nothing without one.
    func publish<T: Encodable & Sendable>(_ event: String, _ payload: @autoclosure () -> T) {
        guard !operatorStreams.isEmpty, let record = try? WireCodec.encode(OperatorResponse(event: event, payload: payload()))
        else { return }
        for stream in operatorStreams.values { stream.sendRecord(record) }
    }

    func publishTaskAdded(_ task: TaskEntry) {
        publish("TASK_ADDED", TaskAdded(task: stateView().operatorTask(task)))
    }

    func publishTaskUpdated(_ task: TaskEntry, status: TaskStatus) {
        publish("TASK_UPDATED", TaskUpdated(frameworkId: task.frameworkID, status: status, state: task.state))
    }

    func publishAgentAdded(_ id: AgentID, allocated: Resources) {
        guard !operatorStreams.isEmpty, let agent = agents[id] else { return }
        publish("AGENT_ADDED", AgentAdded(agent: stateView().operatorAgent(agent, allocated: allocated, offered: Resources())))
    }

    func publishFramework(_ id: FrameworkID, added: Bool) {
        guard !operatorStreams.isEmpty, let entry = frameworks[id] else { return }
        publish(added ? "FRAMEWORK_ADDED" : "FRAMEWORK_UPDATED", FrameworkChanged(framework: stateView().operatorFramework(entry)))
    }
}
