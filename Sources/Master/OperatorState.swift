import MesosAPI

/// The v1 operator API's state responses (GET_STATE and its parts), as Mesos's `master.proto`
/// shapes them. The master fills these values on its actor (copies of what it holds, shared by
/// reference where large) and they are encoded to JSON off it, so a large read holds up
/// scheduling only for the copy.
public struct OperatorState: Encodable, Sendable {
    public var getTasks: Tasks
    public var getExecutors: Executors
    public var getFrameworks: Frameworks
    public var getAgents: Agents

    enum CodingKeys: String, CodingKey {
        case getTasks = "get_tasks", getExecutors = "get_executors", getFrameworks = "get_frameworks"
        case getAgents = "get_agents"
    }

    public struct TimeInfo: Encodable, Sendable {
        public var nanoseconds: Int64
        init(_ seconds: Double) { nanoseconds = Int64(seconds * 1e9) }
    }

    public struct Task: Encodable, Sendable {
        var name: String
        var taskId: TaskID
        var frameworkId: FrameworkID
        var executorId: ExecutorID?
        var agentId: AgentID
        var state: TaskState
        var resources: [Resource]
        var statuses: [TaskStatus]
        var statusUpdateState: TaskState?
        var labels: Labels?
        var container: ContainerInfo?
        var user: String?

        enum CodingKeys: String, CodingKey {
            case name, taskId = "task_id", frameworkId = "framework_id", executorId = "executor_id"
            case agentId = "agent_id", state, resources, statuses, statusUpdateState = "status_update_state"
            case labels, container, user
        }
    }

    public struct Tasks: Encodable, Sendable {
        var pendingTasks: [Task] = []
        var tasks: [Task]
        var unreachableTasks: [Task] = []
        var completedTasks: [Task]
        var orphanTasks: [Task] = []
        enum CodingKeys: String, CodingKey {
            case pendingTasks = "pending_tasks", tasks, unreachableTasks = "unreachable_tasks"
            case completedTasks = "completed_tasks", orphanTasks = "orphan_tasks"
        }
    }

    public struct Executor: Encodable, Sendable {
        var executorInfo: ExecutorInfo
        var agentId: AgentID
        enum CodingKeys: String, CodingKey { case executorInfo = "executor_info", agentId = "agent_id" }
    }

    public struct Executors: Encodable, Sendable {
        var executors: [Executor]
        var orphanExecutors: [Executor] = []
        enum CodingKeys: String, CodingKey { case executors, orphanExecutors = "orphan_executors" }
    }

    public struct Framework: Encodable, Sendable {
        var frameworkInfo: FrameworkInfo
        var active: Bool
        var connected: Bool
        var recovered: Bool
        var registeredTime: TimeInfo
        var reregisteredTime: TimeInfo?
        var unregisteredTime: TimeInfo?
        var allocatedResources: [Resource]
        var offeredResources: [Resource]
        enum CodingKeys: String, CodingKey {
            case frameworkInfo = "framework_info", active, connected, recovered
            case registeredTime = "registered_time", reregisteredTime = "reregistered_time"
            case unregisteredTime = "unregistered_time", allocatedResources = "allocated_resources"
            case offeredResources = "offered_resources"
        }
    }

    public struct Frameworks: Encodable, Sendable {
        var frameworks: [Framework]
        var completedFrameworks: [Framework]
        var recoveredFrameworks: [FrameworkInfo] = []
        enum CodingKeys: String, CodingKey {
            case frameworks, completedFrameworks = "completed_frameworks", recoveredFrameworks = "recovered_frameworks"
        }
    }

    public struct Agent: Encodable, Sendable {
        var agentInfo: AgentInfo
        var active: Bool
        var deactivated: Bool
        var version: String
        var pid: String
        var registeredTime: TimeInfo
        var reregisteredTime: TimeInfo?
        var totalResources: [Resource]
        var allocatedResources: [Resource]
        var offeredResources: [Resource]
        enum CodingKeys: String, CodingKey {
            case agentInfo = "agent_info", active, deactivated, version, pid
            case registeredTime = "registered_time", reregisteredTime = "reregistered_time"
            case totalResources = "total_resources", allocatedResources = "allocated_resources"
            case offeredResources = "offered_resources"
        }
    }

    public struct Agents: Encodable, Sendable {
        var agents: [Agent]
        var recoveredAgents: [AgentInfo]
        enum CodingKeys: String, CodingKey { case agents, recoveredAgents = "recovered_agents" }
    }
}

/// `{"type": "GET_X", "get_x": payload}`: how every v1 operator response and event is wrapped.
struct OperatorResponse<Payload: Encodable & Sendable>: Encodable, Sendable {
    let type: String
    let payload: Payload

    init(type: OperatorCall.Kind, payload: Payload) {
        self.type = type.rawValue
        self.payload = payload
    }

    init(event: String, payload: Payload) {
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

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(type, forKey: Key("type"))
        try container.encode(payload, forKey: Key(type.lowercased()))
    }
}

/// GET_FLAGS: every flag as a name and a string value.
struct FlagsPayload: Encodable, Sendable {
    struct Flag: Encodable, Sendable { var name: String; var value: String }
    var flags: [Flag]
    init(_ flags: [String: String]) { self.flags = flags.sorted { $0.key < $1.key }.map { Flag(name: $0.key, value: $0.value) } }
}
