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

    public var type: Kind
    public var updateWeights: UpdateWeights?
    public var updateQuota: UpdateQuota?
    public var reserveResources: ReserveResources?
    public var unreserveResources: UnreserveResources?
    public var teardown: Teardown?

    public init(type: Kind) { self.type = type }

    enum CodingKeys: String, CodingKey {
        case type
        case updateWeights = "update_weights"
        case updateQuota = "update_quota"
        case reserveResources = "reserve_resources"
        case unreserveResources = "unreserve_resources"
        case teardown
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
