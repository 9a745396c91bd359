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

    public struct Tasks: Encodable, Sendable {
        var pendingTasks: [V1Task] = []
        var tasks: [V1Task]
        var unreachableTasks: [V1Task] = []
        var completedTasks: [V1Task]
        var orphanTasks: [V1Task] = []
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
        /// Its outstanding offers, as it received them.
        var offers: [Offer]
        var allocatedResources: [Resource]
        var offeredResources: [Resource]
        enum CodingKeys: String, CodingKey {
            case frameworkInfo = "framework_info", active, connected, recovered
            case registeredTime = "registered_time", reregisteredTime = "reregistered_time"
            case unregisteredTime = "unregistered_time", offers, allocatedResources = "allocated_resources"
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
