/// `mesos.v1.scheduler.Call` and `Event`.
public struct Call: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case UNKNOWN, SUBSCRIBE, TEARDOWN, ACCEPT, DECLINE, ACCEPT_INVERSE_OFFERS, DECLINE_INVERSE_OFFERS
        case REVIVE, KILL, SHUTDOWN, ACKNOWLEDGE, ACKNOWLEDGE_OPERATION_STATUS, RECONCILE
        case RECONCILE_OPERATIONS, MESSAGE, REQUEST, SUPPRESS, UPDATE_FRAMEWORK
    }

    public struct Subscribe: Codable, Sendable {
        public var frameworkInfo: FrameworkInfo
        public var suppressedRoles: [String]?
        public init(frameworkInfo: FrameworkInfo) { self.frameworkInfo = frameworkInfo }

        enum CodingKeys: String, CodingKey {
            case frameworkInfo = "framework_info"
            case suppressedRoles = "suppressed_roles"
        }
    }

    public struct Accept: Codable, Sendable {
        public var offerIds: [OfferID]
        public var operations: [Offer.Operation]
        public var filters: Filters?
        public init(offerIds: [OfferID], operations: [Offer.Operation], filters: Filters? = nil) {
            self.offerIds = offerIds; self.operations = operations; self.filters = filters
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            offerIds = try c.decodeIfPresent([OfferID].self, forKey: .offerIds) ?? []
            operations = try c.decodeIfPresent([Offer.Operation].self, forKey: .operations) ?? []
            filters = try c.decodeIfPresent(Filters.self, forKey: .filters)
        }

        enum CodingKeys: String, CodingKey {
            case offerIds = "offer_ids"
            case operations
            case filters
        }
    }

    public struct Decline: Codable, Sendable {
        public var offerIds: [OfferID]
        public var filters: Filters?
        public init(offerIds: [OfferID], filters: Filters? = nil) { self.offerIds = offerIds; self.filters = filters }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            offerIds = try c.decodeIfPresent([OfferID].self, forKey: .offerIds) ?? []
            filters = try c.decodeIfPresent(Filters.self, forKey: .filters)
        }

        enum CodingKeys: String, CodingKey {
            case offerIds = "offer_ids"
            case filters
        }
    }

    public struct Roles: Codable, Sendable {
        public var roles: [String]?
        public init(roles: [String]? = nil) { self.roles = roles }
    }

    public struct Kill: Codable, Sendable {
        public var taskId: TaskID
        public var agentId: AgentID?
        public var killPolicy: KillPolicy?
        public init(taskId: TaskID, agentId: AgentID? = nil) { self.taskId = taskId; self.agentId = agentId }

        enum CodingKeys: String, CodingKey {
            case taskId = "task_id"
            case agentId = "agent_id"
            case killPolicy = "kill_policy"
        }
    }

    public struct Shutdown: Codable, Sendable {
        public var executorId: ExecutorID
        public var agentId: AgentID

        enum CodingKeys: String, CodingKey {
            case executorId = "executor_id"
            case agentId = "agent_id"
        }
    }

    public struct Acknowledge: Codable, Sendable {
        public var agentId: AgentID
        public var taskId: TaskID
        public var uuid: Base64Bytes
        public init(agentId: AgentID, taskId: TaskID, uuid: Base64Bytes) {
            self.agentId = agentId; self.taskId = taskId; self.uuid = uuid
        }

        enum CodingKeys: String, CodingKey {
            case agentId = "agent_id"
            case taskId = "task_id"
            case uuid
        }
    }

    public struct Reconcile: Codable, Sendable {
        public struct Task: Codable, Sendable {
            public var taskId: TaskID
            public var agentId: AgentID?
            public init(taskId: TaskID, agentId: AgentID? = nil) { self.taskId = taskId; self.agentId = agentId }

            enum CodingKeys: String, CodingKey {
                case taskId = "task_id"
                case agentId = "agent_id"
            }
        }
        public var tasks: [Task]
        public init(tasks: [Task]) { self.tasks = tasks }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            tasks = try c.decodeIfPresent([Task].self, forKey: .tasks) ?? []
        }
    }

    public struct Message: Codable, Sendable {
        public var agentId: AgentID
        public var executorId: ExecutorID
        public var data: Base64Bytes

        enum CodingKeys: String, CodingKey {
            case agentId = "agent_id"
            case executorId = "executor_id"
            case data
        }
    }

    /// REQUEST: resources the framework says it wants (Mesos's `mesos.v1.Request`).
    public struct Request: Codable, Sendable {
        public struct Wanted: Codable, Sendable {
            public var agentId: AgentID?
            public var resources: [Resource]?

            public init(agentId: AgentID? = nil, resources: [Resource]) {
                self.agentId = agentId; self.resources = resources
            }

            enum CodingKeys: String, CodingKey {
                case agentId = "agent_id"
                case resources
            }
        }
        public var requests: [Wanted]?

        public init(requests: [Wanted]) { self.requests = requests }
    }

    public var type: Kind
    public var frameworkId: FrameworkID?
    public var subscribe: Subscribe?
    public var accept: Accept?
    public var decline: Decline?
    public var revive: Roles?
    public var suppress: Roles?
    public var kill: Kill?
    public var shutdown: Shutdown?
    public var acknowledge: Acknowledge?
    public var reconcile: Reconcile?
    public var message: Message?
    public var request: Request?

    public init(type: Kind, frameworkId: FrameworkID? = nil) {
        self.type = type; self.frameworkId = frameworkId
    }

    enum CodingKeys: String, CodingKey {
        case type
        case frameworkId = "framework_id"
        case subscribe
        case accept
        case decline
        case revive
        case suppress
        case kill
        case shutdown
        case acknowledge
        case reconcile
        case message
        case request
    }
}

public struct Event: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case UNKNOWN, SUBSCRIBED, OFFERS, INVERSE_OFFERS, RESCIND, RESCIND_INVERSE_OFFER, UPDATE
        case UPDATE_OPERATION_STATUS, MESSAGE, FAILURE, ERROR, HEARTBEAT
    }

    public struct Subscribed: Codable, Sendable {
        public var frameworkId: FrameworkID
        public var heartbeatIntervalSeconds: Double?
        public var masterInfo: MasterInfo?

        enum CodingKeys: String, CodingKey {
            case frameworkId = "framework_id"
            case heartbeatIntervalSeconds = "heartbeat_interval_seconds"
            case masterInfo = "master_info"
        }
    }
    public struct Offers: Codable, Sendable {
        public var offers: [Offer]
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            offers = try c.decodeIfPresent([Offer].self, forKey: .offers) ?? []
        }
        public init(offers: [Offer]) { self.offers = offers }
    }
    public struct Rescind: Codable, Sendable {
        public var offerId: OfferID
        enum CodingKeys: String, CodingKey { case offerId = "offer_id" }
    }
    public struct Update: Codable, Sendable { public var status: TaskStatus }
    /// The same message as the MESSAGE call: agent, executor and base64 data.
    public typealias Message = Call.Message
    public struct Failure: Codable, Sendable {
        public var agentId: AgentID?
        public var executorId: ExecutorID?
        public var status: Int32?

        enum CodingKeys: String, CodingKey {
            case agentId = "agent_id"
            case executorId = "executor_id"
            case status
        }
    }
    public struct Error: Codable, Sendable { public var message: String }

    public var type: Kind
    public var subscribed: Subscribed?
    public var offers: Offers?
    public var rescind: Rescind?
    public var update: Update?
    public var message: Message?
    public var failure: Failure?
    public var error: Error?

    public init(type: Kind) { self.type = type }

    public static let heartbeat = Event(type: .HEARTBEAT)

    public static func subscribed(_ id: FrameworkID, heartbeat: Double, master: MasterInfo) -> Event {
        var e = Event(type: .SUBSCRIBED)
        e.subscribed = Subscribed(frameworkId: id, heartbeatIntervalSeconds: heartbeat, masterInfo: master)
        return e
    }
    public static func offers(_ offers: [Offer]) -> Event {
        var e = Event(type: .OFFERS); e.offers = Offers(offers: offers); return e
    }
    public static func rescind(_ id: OfferID) -> Event {
        var e = Event(type: .RESCIND); e.rescind = Rescind(offerId: id); return e
    }
    public static func update(_ status: TaskStatus) -> Event {
        var e = Event(type: .UPDATE); e.update = Update(status: status); return e
    }
    public static func error(_ message: String) -> Event {
        var e = Event(type: .ERROR); e.error = Error(message: message); return e
    }
    public static func message(agent: AgentID, executor: ExecutorID, data: Base64Bytes) -> Event {
        var e = Event(type: .MESSAGE); e.message = Message(agentId: agent, executorId: executor, data: data); return e
    }
    public static func failure(agent: AgentID, executor: ExecutorID? = nil, status: Int32? = nil) -> Event {
        var e = Event(type: .FAILURE)
        e.failure = Failure(agentId: agent, executorId: executor, status: status)
        return e
    }
}
