/// The v1 executor API (`POST /api/v1/executor` on the agent): calls an executor sends and the
/// events it receives on its SUBSCRIBE stream.
public struct ExecutorCall: Codable, Sendable {
    public enum Kind: String, Codable, Sendable { case UNKNOWN, SUBSCRIBE, UPDATE, MESSAGE, HEARTBEAT }

    public struct Subscribe: Codable, Sendable {
        public struct Update: Codable, Sendable { public var status: TaskStatus }
        public var unacknowledgedTasks: [TaskInfo]?
        public var unacknowledgedUpdates: [Update]?

        enum CodingKeys: String, CodingKey {
            case unacknowledgedTasks = "unacknowledged_tasks"
            case unacknowledgedUpdates = "unacknowledged_updates"
        }
    }

    public struct Update: Codable, Sendable {
        public var status: TaskStatus
        public init(status: TaskStatus) { self.status = status }
    }

    public struct Message: Codable, Sendable {
        public var data: Base64Bytes
        public init(data: Base64Bytes) { self.data = data }
    }

    public var type: Kind
    public var executorId: ExecutorID
    public var frameworkId: FrameworkID
    public var subscribe: Subscribe?
    public var update: Update?
    public var message: Message?

    public init(type: Kind, executorId: ExecutorID, frameworkId: FrameworkID) {
        self.type = type; self.executorId = executorId; self.frameworkId = frameworkId
    }

    enum CodingKeys: String, CodingKey {
        case type
        case executorId = "executor_id"
        case frameworkId = "framework_id"
        case subscribe
        case update
        case message
    }
}

public struct ExecutorEvent: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case SUBSCRIBED, LAUNCH, LAUNCH_GROUP, KILL, ACKNOWLEDGED, MESSAGE, ERROR, SHUTDOWN, HEARTBEAT
    }

    public struct Subscribed: Codable, Sendable {
        public var executorInfo: ExecutorInfo
        public var frameworkInfo: FrameworkInfo
        public var agentInfo: AgentInfo
        public var containerId: ContainerID?

        enum CodingKeys: String, CodingKey {
            case executorInfo = "executor_info"
            case frameworkInfo = "framework_info"
            case agentInfo = "agent_info"
            case containerId = "container_id"
        }
    }

    public struct Launch: Codable, Sendable { public var task: TaskInfo }

    public struct Kill: Codable, Sendable {
        public var taskId: TaskID
        public var killPolicy: KillPolicy?

        enum CodingKeys: String, CodingKey {
            case taskId = "task_id"
            case killPolicy = "kill_policy"
        }
    }

    public struct Acknowledged: Codable, Sendable {
        public var taskId: TaskID
        public var uuid: Base64Bytes

        enum CodingKeys: String, CodingKey {
            case taskId = "task_id"
            case uuid
        }
    }

    public struct Message: Codable, Sendable { public var data: Base64Bytes }
    public struct Error: Codable, Sendable { public var message: String }

    public var type: Kind
    public var subscribed: Subscribed?
    public var launch: Launch?
    public var kill: Kill?
    public var acknowledged: Acknowledged?
    public var message: Message?
    public var error: Error?

    public init(type: Kind) { self.type = type }

    public static func subscribed(_ info: ExecutorInfo, framework: FrameworkInfo, agent: AgentInfo,
                                  container: ContainerID) -> ExecutorEvent {
        var e = ExecutorEvent(type: .SUBSCRIBED)
        e.subscribed = Subscribed(executorInfo: info, frameworkInfo: framework, agentInfo: agent, containerId: container)
        return e
    }
    public static func launch(_ task: TaskInfo) -> ExecutorEvent {
        var e = ExecutorEvent(type: .LAUNCH); e.launch = Launch(task: task); return e
    }
    public static func kill(_ task: TaskID, policy: KillPolicy?) -> ExecutorEvent {
        var e = ExecutorEvent(type: .KILL); e.kill = Kill(taskId: task, killPolicy: policy); return e
    }
    public static func acknowledged(_ task: TaskID, uuid: Base64Bytes) -> ExecutorEvent {
        var e = ExecutorEvent(type: .ACKNOWLEDGED); e.acknowledged = Acknowledged(taskId: task, uuid: uuid); return e
    }
    public static func message(_ data: Base64Bytes) -> ExecutorEvent {
        var e = ExecutorEvent(type: .MESSAGE); e.message = Message(data: data); return e
    }
    public static let shutdown = ExecutorEvent(type: .SHUTDOWN)
    public static let heartbeat = ExecutorEvent(type: .HEARTBEAT)
}
