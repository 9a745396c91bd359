/// Plinth's own agent ⇄ master protocol. It is not part of the Mesos client API, so it is
/// kept deliberately small: the agent opens one RecordIO stream to the master
/// (`POST /internal/agent/subscribe` with an `AgentRegistration`) and receives `AgentEvent`s on
/// it; it sends status updates in `AgentCall` posts. Either side restarting simply
/// ends the stream, and the agent subscribes again with the same agent ID and its tasks.
public struct AgentRegistration: Codable, Sendable {
    public var agentInfo: AgentInfo
    /// `ip:port` of the agent's HTTP server.
    public var endpoint: String
    public var frameworks: [FrameworkInfo]
    public var tasks: [AgentTaskReport]
    /// The executors the agent runs (custom and default), so a master that restarted counts their
    /// resources again; nil from an agent that does not say.
    public var executors: [AgentExecutorReport]?
    public init(agentInfo: AgentInfo, endpoint: String, frameworks: [FrameworkInfo], tasks: [AgentTaskReport],
                executors: [AgentExecutorReport]? = nil) {
        self.agentInfo = agentInfo; self.endpoint = endpoint; self.frameworks = frameworks; self.tasks = tasks
        self.executors = executors
    }

    enum CodingKeys: String, CodingKey {
        case agentInfo = "agent_info"
        case endpoint
        case frameworks
        case tasks
        case executors
    }
}

public struct AgentExecutorReport: Codable, Sendable {
    public var frameworkId: FrameworkID
    public var executor: ExecutorInfo
    public init(frameworkId: FrameworkID, executor: ExecutorInfo) {
        self.frameworkId = frameworkId; self.executor = executor
    }

    enum CodingKeys: String, CodingKey {
        case frameworkId = "framework_id"
        case executor
    }
}

/// What an agent knows of one of its tasks when it (re)registers.
public struct AgentTaskReport: Codable, Sendable {
    public var frameworkId: FrameworkID
    public var task: TaskInfo
    /// The newest state the agent knows, acknowledged or not.
    public var state: TaskState
    public init(frameworkId: FrameworkID, task: TaskInfo, state: TaskState) {
        self.frameworkId = frameworkId; self.task = task; self.state = state
    }

    enum CodingKeys: String, CodingKey {
        case frameworkId = "framework_id"
        case task
        case state
    }
}

public struct AgentEvent: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case REGISTERED, LAUNCH, KILL, ACKNOWLEDGE, SHUTDOWN_FRAMEWORK, RESEND, MESSAGE, HEARTBEAT
        /// The agent is draining (with `drain_config`), or no longer is (without).
        case DRAIN
        /// A task group (`tasks`) for the default executor (`executor_info`).
        case LAUNCH_GROUP
    }
    public var type: Kind
    public var agentId: AgentID?
    public var masterInfo: MasterInfo?
    public var frameworkInfo: FrameworkInfo?
    public var frameworkId: FrameworkID?
    public var task: TaskInfo?
    public var taskId: TaskID?
    public var gracePeriod: DurationInfo?
    public var uuid: Base64Bytes?
    public var executorId: ExecutorID?
    public var data: Base64Bytes?
    public var drainConfig: DrainConfig?
    public var executorInfo: ExecutorInfo?
    public var tasks: [TaskInfo]?

    public init(type: Kind) { self.type = type }

    public static func launchGroup(_ tasks: [TaskInfo], executor: ExecutorInfo, framework: FrameworkInfo) -> AgentEvent {
        var e = AgentEvent(type: .LAUNCH_GROUP); e.tasks = tasks; e.executorInfo = executor
        e.frameworkInfo = framework; e.frameworkId = framework.id; return e
    }

    public static let heartbeat = AgentEvent(type: .HEARTBEAT)

    public static func registered(_ id: AgentID, master: MasterInfo) -> AgentEvent {
        var e = AgentEvent(type: .REGISTERED); e.agentId = id; e.masterInfo = master; return e
    }
    public static func launch(_ task: TaskInfo, framework: FrameworkInfo) -> AgentEvent {
        var e = AgentEvent(type: .LAUNCH); e.task = task; e.frameworkInfo = framework
        e.frameworkId = framework.id; return e
    }
    public static func kill(_ task: TaskID, framework: FrameworkID, grace: DurationInfo?) -> AgentEvent {
        var e = AgentEvent(type: .KILL); e.taskId = task; e.frameworkId = framework; e.gracePeriod = grace; return e
    }
    public static func acknowledge(_ task: TaskID, framework: FrameworkID, uuid: Base64Bytes) -> AgentEvent {
        var e = AgentEvent(type: .ACKNOWLEDGE); e.taskId = task; e.frameworkId = framework; e.uuid = uuid; return e
    }
    public static func shutdownFramework(_ framework: FrameworkID) -> AgentEvent {
        var e = AgentEvent(type: .SHUTDOWN_FRAMEWORK); e.frameworkId = framework; return e
    }
    public static func resend(_ framework: FrameworkID) -> AgentEvent {
        var e = AgentEvent(type: .RESEND); e.frameworkId = framework; return e
    }
    public static func message(_ framework: FrameworkID, executor: ExecutorID, data: Base64Bytes) -> AgentEvent {
        var e = AgentEvent(type: .MESSAGE); e.frameworkId = framework; e.executorId = executor; e.data = data; return e
    }

    enum CodingKeys: String, CodingKey {
        case type
        case agentId = "agent_id"
        case masterInfo = "master_info"
        case frameworkInfo = "framework_info"
        case frameworkId = "framework_id"
        case task
        case taskId = "task_id"
        case gracePeriod = "grace_period"
        case uuid
        case executorId = "executor_id"
        case data
        case drainConfig = "drain_config"
        case executorInfo = "executor_info"
        case tasks
    }
}

/// Mesos's `DrainConfig`: how an agent is being drained.
public struct DrainConfig: Codable, Sendable, Hashable {
    public var maxGracePeriod: DurationInfo?
    public var markGone: Bool?
    public init(maxGracePeriod: DurationInfo?, markGone: Bool?) {
        self.maxGracePeriod = maxGracePeriod; self.markGone = markGone
    }

    enum CodingKeys: String, CodingKey {
        case maxGracePeriod = "max_grace_period"
        case markGone = "mark_gone"
    }
}

public struct AgentCall: Codable, Sendable {
    public enum Kind: String, Codable, Sendable { case UPDATE }
    public struct Update: Codable, Sendable {
        public var frameworkId: FrameworkID
        public var status: TaskStatus
        /// The newest state the agent knows for the task, so the master can free resources of a
        /// task that has ended while older updates still wait for acknowledgement.
        public var latestState: TaskState
        public init(frameworkId: FrameworkID, status: TaskStatus, latestState: TaskState) {
            self.frameworkId = frameworkId; self.status = status; self.latestState = latestState
        }

        enum CodingKeys: String, CodingKey {
            case frameworkId = "framework_id"
            case status
            case latestState = "latest_state"
        }
    }
    /// An executor's framework message for its scheduler, or its exit.
    public struct ExecutorNotice: Codable, Sendable {
        public var frameworkId: FrameworkID
        public var executorId: ExecutorID
        public var data: Base64Bytes?
        /// Set when the executor exited: its wait status.
        public var exitStatus: Int32?
        public var exited: Bool?
        public init(frameworkId: FrameworkID, executorId: ExecutorID, data: Base64Bytes? = nil,
                    exited: Bool? = nil, exitStatus: Int32? = nil) {
            self.frameworkId = frameworkId; self.executorId = executorId; self.data = data
            self.exited = exited; self.exitStatus = exitStatus
        }

        enum CodingKeys: String, CodingKey {
            case frameworkId = "framework_id"
            case executorId = "executor_id"
            case data
            case exitStatus = "exit_status"
            case exited
        }
    }

    public var type: Kind
    public var agentId: AgentID
    /// Several tasks' updates travel together; each task still has at most one in flight.
    public var updates: [Update]
    public var executorNotices: [ExecutorNotice]?
    public init(agentId: AgentID, updates: [Update], executorNotices: [ExecutorNotice]? = nil) {
        type = .UPDATE; self.agentId = agentId; self.updates = updates; self.executorNotices = executorNotices
    }

    enum CodingKeys: String, CodingKey {
        case type
        case agentId = "agent_id"
        case updates
        case executorNotices = "executor_notices"
    }
}
