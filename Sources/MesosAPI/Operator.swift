/// The parts of `mesos.v1.master.Call` / `Response` that Plinth serves on `POST /api/v1`.
public struct OperatorCall: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case UNKNOWN, GET_HEALTH, GET_FLAGS, GET_VERSION, GET_METRICS, GET_LOGGING_LEVEL, SET_LOGGING_LEVEL
        case LIST_FILES, READ_FILE, GET_STATE, GET_AGENTS, GET_FRAMEWORKS, GET_EXECUTORS, GET_OPERATIONS
        case GET_TASKS, GET_ROLES, GET_WEIGHTS, UPDATE_WEIGHTS, GET_MASTER, SUBSCRIBE, RESERVE_RESOURCES
        case UNRESERVE_RESOURCES, CREATE_VOLUMES, DESTROY_VOLUMES, GROW_VOLUME, SHRINK_VOLUME
        case GET_MAINTENANCE_STATUS, GET_MAINTENANCE_SCHEDULE, UPDATE_MAINTENANCE_SCHEDULE
        case START_MAINTENANCE, STOP_MAINTENANCE, DRAIN_AGENT, DEACTIVATE_AGENT, REACTIVATE_AGENT
        case GET_QUOTA, UPDATE_QUOTA, SET_QUOTA, REMOVE_QUOTA, TEARDOWN, MARK_AGENT_GONE
    }

    public struct UpdateWeights: Codable, Sendable {
        public var weightInfos: [WeightInfo]
        public init(weightInfos: [WeightInfo]) { self.weightInfos = weightInfos }

        enum CodingKeys: String, CodingKey {
            case weightInfos = "weight_infos"
        }
    }

    public struct UpdateQuota: Codable, Sendable {
        public var force: Bool?
        public var quotaConfigs: [QuotaConfig]
        public init(quotaConfigs: [QuotaConfig], force: Bool? = nil) { self.quotaConfigs = quotaConfigs; self.force = force }

        enum CodingKeys: String, CodingKey {
            case force
            case quotaConfigs = "quota_configs"
        }
    }

    public struct ReserveResources: Codable, Sendable {
        public var agentId: AgentID
        public var source: [Resource]?
        public var resources: [Resource]
        public init(agentId: AgentID, resources: [Resource]) { self.agentId = agentId; self.resources = resources }

        enum CodingKeys: String, CodingKey {
            case agentId = "agent_id"
            case source
            case resources
        }
    }

    public struct UnreserveResources: Codable, Sendable {
        public var agentId: AgentID
        public var resources: [Resource]
        public init(agentId: AgentID, resources: [Resource]) { self.agentId = agentId; self.resources = resources }

        enum CodingKeys: String, CodingKey {
            case agentId = "agent_id"
            case resources
        }
    }

    public struct Teardown: Codable, Sendable {
        public var frameworkId: FrameworkID

        enum CodingKeys: String, CodingKey {
            case frameworkId = "framework_id"
        }
    }

    /// DEACTIVATE_AGENT and REACTIVATE_AGENT name only the agent.
    public struct AgentTarget: Codable, Sendable {
        public var agentId: AgentID
        public init(agentId: AgentID) { self.agentId = agentId }

        enum CodingKeys: String, CodingKey {
            case agentId = "agent_id"
        }
    }

    public struct DrainAgent: Codable, Sendable {
        public var agentId: AgentID
        public var maxGracePeriod: ProtoDuration?
        public var markGone: Bool?
        public init(agentId: AgentID, maxGracePeriod: ProtoDuration? = nil, markGone: Bool? = nil) {
            self.agentId = agentId; self.maxGracePeriod = maxGracePeriod; self.markGone = markGone
        }

        enum CodingKeys: String, CodingKey {
            case agentId = "agent_id"
            case maxGracePeriod = "max_grace_period"
            case markGone = "mark_gone"
        }
    }

    public var type: Kind
    public var drainAgent: DrainAgent?
    public var deactivateAgent: AgentTarget?
    public var reactivateAgent: AgentTarget?
    public var updateWeights: UpdateWeights?
    public var updateQuota: UpdateQuota?
    public var reserveResources: ReserveResources?
    public var unreserveResources: UnreserveResources?
    public var teardown: Teardown?
    public var markAgentGone: AgentTarget?
    public var setLoggingLevel: SetLoggingLevel?
    public var updateMaintenanceSchedule: UpdateMaintenanceSchedule?
    public var listFiles: FileCall?
    public var readFile: FileCall?

    /// LIST_FILES (`path`) and READ_FILE (`path`, `offset`, `length`).
    public struct FileCall: Codable, Sendable {
        public var path: String
        public var offset: Int64?
        public var length: Int?
    }
    public var startMaintenance: Machines?
    public var stopMaintenance: Machines?

    public struct UpdateMaintenanceSchedule: Codable, Sendable {
        public var schedule: MaintenanceSchedule
        public init(schedule: MaintenanceSchedule) { self.schedule = schedule }
    }

    /// START_MAINTENANCE / STOP_MAINTENANCE.
    public struct Machines: Codable, Sendable {
        public var machines: [MachineID]
        public init(machines: [MachineID]) { self.machines = machines }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            machines = try c.decodeIfPresent([MachineID].self, forKey: .machines) ?? []
        }
        enum CodingKeys: String, CodingKey { case machines }
    }

    /// `SET_LOGGING_LEVEL`: glog's verbosity level, for `duration`.
    public struct SetLoggingLevel: Codable, Sendable {
        public var level: Int
        public var duration: DurationInfo
    }

    public init(type: Kind) { self.type = type }

    enum CodingKeys: String, CodingKey {
        case type
        case drainAgent = "drain_agent"
        case deactivateAgent = "deactivate_agent"
        case reactivateAgent = "reactivate_agent"
        case updateWeights = "update_weights"
        case updateQuota = "update_quota"
        case reserveResources = "reserve_resources"
        case unreserveResources = "unreserve_resources"
        case teardown
        case markAgentGone = "mark_agent_gone"
        case setLoggingLevel = "set_logging_level"
        case listFiles = "list_files"
        case readFile = "read_file"
        case updateMaintenanceSchedule = "update_maintenance_schedule"
        case startMaintenance = "start_maintenance"
        case stopMaintenance = "stop_maintenance"
    }
}

public struct WeightInfo: Codable, Sendable, Hashable {
    public var weight: Double
    public var role: String?
    public init(weight: Double, role: String) { self.weight = weight; self.role = role }
}

/// `QuotaConfig`: guarantees and limits as maps from a resource name to `{"value": n}`.
public struct QuotaConfig: Codable, Sendable, Hashable {
    public var role: String
    public var guarantees: [String: Scalar]?
    public var limits: [String: Scalar]?
    public init(role: String, guarantees: [String: Double] = [:], limits: [String: Double] = [:]) {
        self.role = role
        self.guarantees = guarantees.mapValues { Scalar(value: $0) }
        self.limits = limits.mapValues { Scalar(value: $0) }
    }

    public var guaranteeAmounts: [String: Double] { (guarantees ?? [:]).mapValues(\.value) }
    public var limitAmounts: [String: Double] { (limits ?? [:]).mapValues(\.value) }
    /// A config with neither guarantees nor limits removes the role's quota.
    public var isEmpty: Bool { (guarantees ?? [:]).isEmpty && (limits ?? [:]).isEmpty }
}

/// `google.protobuf.Duration` as proto3 JSON writes it, `{"seconds": 600, "nanos": 0}`; the
/// 64-bit seconds may come as a string, as proto3 JSON allows.
public struct ProtoDuration: Codable, Sendable, Hashable {
    public var seconds: Int64
    public var nanos: Int32

    public init(seconds: Int64, nanos: Int32 = 0) { self.seconds = seconds; self.nanos = nanos }

    public var timeInterval: Double { Double(seconds) + Double(nanos) / 1e9 }

    public init(from decoder: any Decoder) throws {
        // The proto JSON mapping's form, "1.5s": what a protobuf body turns into.
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            guard text.hasSuffix("s"), let value = Double(text.dropLast()), value.isFinite else {
                throw DecodingError.dataCorruptedError(in: single, debugDescription: "Expected a duration such as \"1.5s\"")
            }
            seconds = Int64(value.rounded(.towardZero))
            nanos = Int32(((value - Double(seconds)) * 1e9).rounded())
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let text = try? c.decodeIfPresent(String.self, forKey: .seconds) {
            guard let value = Int64(text) else {
                throw DecodingError.dataCorruptedError(forKey: .seconds, in: c, debugDescription: "Expected an integer")
            }
            seconds = value
        } else {
            seconds = try c.decodeIfPresent(Int64.self, forKey: .seconds) ?? 0
        }
        nanos = try c.decodeIfPresent(Int32.self, forKey: .nanos) ?? 0
    }

    enum CodingKeys: String, CodingKey {
        case seconds
        case nanos
    }
}
