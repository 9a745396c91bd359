/// Task, command and executor descriptions.
public struct TaskInfo: Codable, Hashable, Sendable {
    public var name: String
    public var taskId: TaskID
    public var agentId: AgentID
    public var resources: [Resource]?
    public var executor: ExecutorInfo?
    public var command: CommandInfo?
    public var killPolicy: KillPolicy?
    public var data: Base64Bytes?
    public var labels: Labels?
    public var maxCompletionTime: DurationInfo?
    public var container: ContainerInfo?
    public var healthCheck: HealthCheck?
    public var check: CheckInfo?

    public init(name: String, taskId: TaskID, agentId: AgentID, resources: [Resource]?,
                command: CommandInfo?) {
        self.name = name; self.taskId = taskId; self.agentId = agentId
        self.resources = resources; self.command = command
    }

    enum CodingKeys: String, CodingKey {
        case name
        case taskId = "task_id"
        case agentId = "agent_id"
        case resources
        case executor
        case command
        case killPolicy = "kill_policy"
        case data
        case labels
        case maxCompletionTime = "max_completion_time"
        case container
        case healthCheck = "health_check"
        case check
    }
}

/// Bytes fields travel as standard base64.
public typealias Base64Bytes = String

public struct KillPolicy: Codable, Hashable, Sendable {
    public var gracePeriod: DurationInfo?
    public init(gracePeriod: DurationInfo?) { self.gracePeriod = gracePeriod }

    enum CodingKeys: String, CodingKey {
        case gracePeriod = "grace_period"
    }
}

public struct CommandInfo: Codable, Hashable, Sendable {
    public struct URI: Codable, Hashable, Sendable {
        public var value: String
        public var executable: Bool?
        public var extract: Bool?
        public var cache: Bool?
        public var outputFile: String?

        public init(value: String, executable: Bool? = nil, extract: Bool? = nil, cache: Bool? = nil,
                    outputFile: String? = nil) {
            self.value = value; self.executable = executable; self.extract = extract
            self.cache = cache; self.outputFile = outputFile
        }

        enum CodingKeys: String, CodingKey {
            case value
            case executable
            case extract
            case cache
            case outputFile = "output_file"
        }
    }

    public struct Environment: Codable, Hashable, Sendable {
        public struct Variable: Codable, Hashable, Sendable {
            public var name: String
            public var type: String?
            public var value: String?
            public init(name: String, value: String) { self.name = name; self.value = value }
        }
        public var variables: [Variable]?
        public init(variables: [Variable]) { self.variables = variables }
    }

    public var uris: [URI]?
    public var environment: Environment?
    /// Mesos's default is `true`: `value` runs under `/bin/sh -c`.
    public var shell: Bool?
    public var value: String?
    public var arguments: [String]?
    public var user: String?

    public init(value: String?, shell: Bool? = nil, arguments: [String]? = nil) {
        self.value = value; self.shell = shell; self.arguments = arguments
    }

    public var isShell: Bool { shell ?? true }
}

public struct ExecutorInfo: Codable, Hashable, Sendable {
    public var type: String?
    public var executorId: ExecutorID
    public var frameworkId: FrameworkID?
    public var command: CommandInfo?
    public var resources: [Resource]?
    public var name: String?
    public var source: String?
    public var data: Base64Bytes?
    public var shutdownGracePeriod: DurationInfo?
    public init(executorId: ExecutorID, command: CommandInfo?) {
        self.executorId = executorId; self.command = command
    }

    enum CodingKeys: String, CodingKey {
        case shutdownGracePeriod = "shutdown_grace_period"
        case type
        case executorId = "executor_id"
        case frameworkId = "framework_id"
        case command
        case resources
        case name
        case source
        case data
    }
}

public struct Filters: Codable, Hashable, Sendable {
    public var refuseSeconds: Double?
    public init(refuseSeconds: Double?) { self.refuseSeconds = refuseSeconds }

    enum CodingKeys: String, CodingKey {
        case refuseSeconds = "refuse_seconds"
    }
}

public struct Offer: Codable, Hashable, Sendable {
    public var id: OfferID
    public var frameworkId: FrameworkID
    public var agentId: AgentID
    public var hostname: String
    public var url: MesosURL?
    public var resources: [Resource]
    public var attributes: [Attribute]?
    public var executorIds: [ExecutorID]?
    public var allocationInfo: AllocationInfo?
    /// When the agent's machine is scheduled for maintenance.
    public var unavailability: Unavailability?

    public init(id: OfferID, frameworkId: FrameworkID, agentId: AgentID, hostname: String,
                resources: [Resource], attributes: [Attribute]?) {
        self.id = id; self.frameworkId = frameworkId; self.agentId = agentId
        self.hostname = hostname; self.resources = resources; self.attributes = attributes
    }

    public struct Operation: Codable, Hashable, Sendable {
        public struct Launch: Codable, Hashable, Sendable {
            public var taskInfos: [TaskInfo]
            public init(taskInfos: [TaskInfo]) { self.taskInfos = taskInfos }
            public init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                taskInfos = try c.decodeIfPresent([TaskInfo].self, forKey: .taskInfos) ?? []
            }

            enum CodingKeys: String, CodingKey {
                case taskInfos = "task_infos"
            }
        }
        public struct Reserve: Codable, Hashable, Sendable {
            public var source: [Resource]?
            public var resources: [Resource]
            public init(resources: [Resource]) { self.resources = resources }
        }
        public struct Unreserve: Codable, Hashable, Sendable {
            public var resources: [Resource]
            public init(resources: [Resource]) { self.resources = resources }
        }
        /// LAUNCH_GROUP: tasks that run together under one executor of type DEFAULT.
        public struct LaunchGroup: Codable, Hashable, Sendable {
            public struct TaskGroup: Codable, Hashable, Sendable {
                public var tasks: [TaskInfo]
                public init(tasks: [TaskInfo]) { self.tasks = tasks }
                public init(from decoder: any Decoder) throws {
                    let c = try decoder.container(keyedBy: CodingKeys.self)
                    tasks = try c.decodeIfPresent([TaskInfo].self, forKey: .tasks) ?? []
                }
                enum CodingKeys: String, CodingKey { case tasks }
            }
            public var executor: ExecutorInfo
            public var taskGroup: TaskGroup
            public init(executor: ExecutorInfo, tasks: [TaskInfo]) {
                self.executor = executor; taskGroup = TaskGroup(tasks: tasks)
            }

            enum CodingKeys: String, CodingKey {
                case executor
                case taskGroup = "task_group"
            }
        }
        /// A string so that operations this build does not run yet get a clear error, not a 400.
        public var type: String
        public var id: OperationID?
        public var launch: Launch?
        public var launchGroup: LaunchGroup?
        public var reserve: Reserve?
        public var unreserve: Unreserve?
        public init(launch tasks: [TaskInfo]) { type = "LAUNCH"; launch = Launch(taskInfos: tasks) }
        public init(launchGroup executor: ExecutorInfo, tasks: [TaskInfo]) {
            type = "LAUNCH_GROUP"; launchGroup = LaunchGroup(executor: executor, tasks: tasks)
        }
        public init(reserve resources: [Resource]) { type = "RESERVE"; reserve = Reserve(resources: resources) }
        public init(unreserve resources: [Resource]) { type = "UNRESERVE"; unreserve = Unreserve(resources: resources) }

        enum CodingKeys: String, CodingKey {
            case type
            case id
            case launch
            case launchGroup = "launch_group"
            case reserve
            case unreserve
        }
    }

    enum CodingKeys: String, CodingKey {
        case id
        case frameworkId = "framework_id"
        case agentId = "agent_id"
        case hostname
        case url
        case resources
        case attributes
        case executorIds = "executor_ids"
        case allocationInfo = "allocation_info"
        case unavailability
    }
}
