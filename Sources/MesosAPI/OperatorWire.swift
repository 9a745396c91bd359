/// Shapes shared by the master's and the agent's v1 operator APIs.

/// Mesos's `Task` message as the operator API shows it.
public struct V1Task: Encodable, Sendable {
    public var name: String
    public var taskId: TaskID
    public var frameworkId: FrameworkID
    public var executorId: ExecutorID?
    public var agentId: AgentID
    public var state: TaskState
    public var resources: [Resource]
    public var statuses: [TaskStatus]
    public var statusUpdateState: TaskState?
    public var labels: Labels?
    public var container: ContainerInfo?
    public var user: String?

    public init(name: String, taskId: TaskID, frameworkId: FrameworkID, executorId: ExecutorID?, agentId: AgentID,
                state: TaskState, resources: [Resource], statuses: [TaskStatus], statusUpdateState: TaskState?,
                labels: Labels?, container: ContainerInfo?, user: String?) {
        self.name = name; self.taskId = taskId; self.frameworkId = frameworkId; self.executorId = executorId
        self.agentId = agentId; self.state = state; self.resources = resources; self.statuses = statuses
        self.statusUpdateState = statusUpdateState; self.labels = labels; self.container = container; self.user = user
    }

    enum CodingKeys: String, CodingKey {
        case name, taskId = "task_id", frameworkId = "framework_id", executorId = "executor_id"
        case agentId = "agent_id", state, resources, statuses, statusUpdateState = "status_update_state"
        case labels, container, user
    }
}

/// `{"type": "GET_X", "get_x": payload}`: how every v1 operator response and event is wrapped.
public struct OperatorResponse<Payload: Encodable & Sendable>: Encodable, Sendable {
    public let type: String
    public let payload: Payload

    public init(type: OperatorCall.Kind, payload: Payload) {
        self.type = type.rawValue
        self.payload = payload
    }

    public init(event: String, payload: Payload) {
        self.type = event
        self.payload = payload
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(type, forKey: Key("type"))
        try container.encode(payload, forKey: Key(type.lowercased()))
    }
}

/// GET_FLAGS: every flag as a name and a string value.
public struct FlagsPayload: Encodable, Sendable {
    public struct Flag: Encodable, Sendable { public var name: String; public var value: String }
    public var flags: [Flag]
    public init(_ flags: [String: String]) { self.flags = flags.sorted { $0.key < $1.key }.map { Flag(name: $0.key, value: $0.value) } }
}
