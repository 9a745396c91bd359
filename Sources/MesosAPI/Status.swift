/// Task states, reasons and `TaskStatus`.
public enum TaskState: String, Codable, Sendable, Hashable, CaseIterable {
    case TASK_STAGING, TASK_STARTING, TASK_RUNNING, TASK_KILLING, TASK_FINISHED, TASK_FAILED
    case TASK_KILLED, TASK_ERROR, TASK_LOST, TASK_DROPPED, TASK_UNREACHABLE, TASK_GONE
    case TASK_GONE_BY_OPERATOR, TASK_UNKNOWN

    /// Mesos's `isTerminalState`: a task in one of these never changes state again.
    public var isTerminal: Bool {
        switch self {
        case .TASK_FINISHED, .TASK_FAILED, .TASK_KILLED, .TASK_ERROR, .TASK_LOST, .TASK_DROPPED,
             .TASK_GONE, .TASK_GONE_BY_OPERATOR:
            return true
        default:
            return false
        }
    }
}

public enum StatusSource: String, Codable, Sendable, Hashable {
    case SOURCE_MASTER, SOURCE_AGENT, SOURCE_EXECUTOR
}

public enum StatusReason: String, Codable, Sendable, Hashable {
    case REASON_COMMAND_EXECUTOR_FAILED, REASON_EXECUTOR_TERMINATED, REASON_EXECUTOR_UNREGISTERED
    case REASON_FRAMEWORK_REMOVED, REASON_GC_ERROR, REASON_INVALID_FRAMEWORKID, REASON_INVALID_OFFERS
    case REASON_MASTER_DISCONNECTED, REASON_CONTAINER_LIMITATION_MEMORY, REASON_RECONCILIATION
    case REASON_AGENT_DISCONNECTED, REASON_AGENT_REMOVED, REASON_AGENT_RESTARTED, REASON_AGENT_UNKNOWN
    case REASON_TASK_INVALID, REASON_TASK_UNAUTHORIZED, REASON_TASK_UNKNOWN, REASON_CONTAINER_PREEMPTED
    case REASON_RESOURCES_UNKNOWN, REASON_CONTAINER_LIMITATION, REASON_CONTAINER_LIMITATION_DISK
    case REASON_CONTAINER_LAUNCH_FAILED, REASON_CONTAINER_UPDATE_FAILED
    case REASON_EXECUTOR_REGISTRATION_TIMEOUT, REASON_EXECUTOR_REREGISTRATION_TIMEOUT
    case REASON_TASK_GROUP_INVALID, REASON_TASK_GROUP_UNAUTHORIZED, REASON_IO_SWITCHBOARD_EXITED
    case REASON_TASK_CHECK_STATUS_UPDATED, REASON_TASK_HEALTH_CHECK_STATUS_UPDATED
    case REASON_TASK_KILLED_DURING_LAUNCH, REASON_AGENT_REMOVED_BY_OPERATOR, REASON_AGENT_REREGISTERED
    case REASON_MAX_COMPLETION_TIME_REACHED, REASON_AGENT_DRAINING
    /// Plinth's own, finer than Mesos's REASON_CONTAINER_LAUNCH_FAILED: the fetcher failed, or
    /// the container's image or root filesystem could not be prepared.
    case REASON_FETCHER_FAILED, REASON_CONTAINER_PREPARE_FAILED
}

public struct ContainerStatus: Codable, Hashable, Sendable {
    public var containerId: ContainerID?
    public var executorPid: UInt32?
    public init(containerId: ContainerID?, executorPid: UInt32?) {
        self.containerId = containerId; self.executorPid = executorPid
    }

    enum CodingKeys: String, CodingKey {
        case containerId = "container_id"
        case executorPid = "executor_pid"
    }
}

public struct TaskStatus: Codable, Hashable, Sendable {
    public var taskId: TaskID
    public var state: TaskState
    public var message: String?
    public var source: StatusSource?
    public var reason: StatusReason?
    public var data: Base64Bytes?
    public var agentId: AgentID?
    public var executorId: ExecutorID?
    public var timestamp: Double?
    /// 16 raw bytes, base64: present only on updates that must be acknowledged.
    public var uuid: Base64Bytes?
    public var healthy: Bool?
    public var labels: Labels?
    public var containerStatus: ContainerStatus?
    /// Set when a container was stopped for going over a limit: the resources it went over.
    public var limitation: TaskResourceLimitation?
    public var checkStatus: CheckStatusInfo?

    public init(taskId: TaskID, state: TaskState, message: String? = nil, source: StatusSource? = nil,
                reason: StatusReason? = nil, agentId: AgentID? = nil, executorId: ExecutorID? = nil,
                timestamp: Double? = nil, uuid: Base64Bytes? = nil) {
        self.taskId = taskId; self.state = state; self.message = message; self.source = source
        self.reason = reason; self.agentId = agentId; self.executorId = executorId
        self.timestamp = timestamp; self.uuid = uuid
    }

    enum CodingKeys: String, CodingKey {
        case taskId = "task_id"
        case state
        case message
        case source
        case reason
        case data
        case agentId = "agent_id"
        case executorId = "executor_id"
        case timestamp
        case uuid
        case healthy
        case labels
        case containerStatus = "container_status"
        case limitation
        case checkStatus = "check_status"
    }
}

public struct TaskResourceLimitation: Codable, Hashable, Sendable {
    public var resources: [Resource]?
    public init(resources: [Resource]?) { self.resources = resources }
}

extension TaskState {
    /// Whether a task in this state may move to `next`, as Mesos's agent and master allow:
    /// nothing leaves a terminal state, nothing goes back to STAGING, and STARTING cannot
    /// follow RUNNING or KILLING. Repeating the current state (a health or reconciliation
    /// update) is allowed.
    public func canTransition(to next: TaskState) -> Bool {
        if isTerminal { return false }
        if next == self { return true }
        switch next {
        case .TASK_STAGING:
            return false
        case .TASK_STARTING:
            return self == .TASK_STAGING
        case .TASK_RUNNING:
            return self != .TASK_KILLING
        default:
            return true
        }
    }
}

extension TaskState {
    /// The states master and agent report a gauge of live tasks for (`tasks_staging`, ...);
    /// the master adds TASK_UNREACHABLE.
    public static let liveMetricStates: [TaskState] = [.TASK_STAGING, .TASK_STARTING, .TASK_RUNNING, .TASK_KILLING]
    /// The states master and agent count ended tasks by (`tasks_finished`, ...).
    public static let terminalMetricStates: [TaskState] = [.TASK_FINISHED, .TASK_FAILED, .TASK_KILLED, .TASK_LOST,
                                                           .TASK_ERROR, .TASK_DROPPED, .TASK_GONE, .TASK_GONE_BY_OPERATOR]

    /// Its name in Mesos's metrics: `TASK_GONE_BY_OPERATOR` → `tasks_gone_by_operator`.
    public var metricName: String { "tasks_" + rawValue.dropFirst("TASK_".count).lowercased() }
}
