import DequeModule
import HTTPSupport
import MesosAPI
import Synchronization

/// What the master knows of a framework. `stream` is its live subscription, if any.
struct FrameworkEntry {
    var id: FrameworkID
    var info: FrameworkInfo
    var stream: EventStream?
    var connected: Bool
    var active: Bool
    /// Learnt from an agent's report after a master restart; the scheduler has not come back yet.
    var recovered: Bool
    var registeredTime: Double
    var reregisteredTime: Double?
    var unregisteredTime: Double?
    var tasks: [TaskID: TaskEntry] = [:] { didSet { tasksRevision &+= 1 } }
    var completedTasks = Deque<TaskEntry>() { didSet { completedRevision &+= 1 } }
    /// Count changes to the task lists, so a document can reuse what it wrote for an unchanged
    /// list (`StateCache`); `instance` tells entries of the same ID apart.
    private(set) var tasksRevision: UInt64 = 0
    private(set) var completedRevision: UInt64 = 0
    let instance = UInt64.random(in: 0 ... .max)
    var offers: Set<OfferID> = []
    /// The scalars of its latest REQUEST call: what it says it waits for. Mesos's allocator
    /// ignores requests; here they only explain, in `/master/waiting`, why none fits.
    var requested: [[String: Double]] = []
    /// Bumped on every (re)subscription so a stale failover timer knows it lost.
    var generation = 0

    var failoverTimeout: Double { info.failoverTimeout ?? 0 }
    var roles: [String] { Validation.frameworkRoles(info) }
}

/// A task by its framework and ID: what the per-agent index holds.
struct TaskKey: Hashable, Sendable {
    var framework: FrameworkID
    var task: TaskID
}

struct TaskEntry {
    /// A `TaskInfo` is some 830 bytes inline and is set once; behind a reference, a task table
    /// of 400,000 entries (a large failover) grows and copies a tenth of the memory.
    private var infoBox: Box<TaskInfo>
    var info: TaskInfo {
        get { infoBox.value }
        set { infoBox = Box(newValue) }
    }
    /// Fields read without copying the whole `TaskInfo` out of its box.
    var taskID: TaskID { infoBox.value.taskId }
    var name: String { infoBox.value.name }
    var executorID: ExecutorID? { infoBox.value.executor?.executorId }
    var frameworkID: FrameworkID
    // A change to anything the legacy JSON shows drops the bytes written for it (`freeze()`);
    // assigning the value a field already has is no change.
    var agentID: AgentID { didSet { if agentID != oldValue { changed() } } }
    /// The role the task's resources are allocated to (the role of the offer it came from).
    var role: String { didSet { if role != oldValue { changed() } } }
    var resources: Resources { didSet { changed() } }
    /// The newest state the agent reported (it may be ahead of what the framework has seen).
    var state: TaskState { didSet { if state != oldValue { changed() } } }
    /// The state of the newest update forwarded to the framework.
    var statusUpdateState: TaskState?
    var statuses: [TaskStatus] = [] { didSet { changed() } }
    /// Counts those changes, so bytes written from an older copy are not taken for current.
    private(set) var revision: UInt32 = 0
    /// Updates forwarded but not acknowledged, by uuid.
    var unacknowledged: [String: TaskState] = [:]
    /// The task's legacy JSON as of its last change (see `freeze()`); nil when not written yet.
    var frozenJSON: Box<[UInt8]>?

    var reconciledState: TaskState { statusUpdateState ?? state }

    private mutating func changed() {
        frozenJSON = nil
        revision &+= 1
    }

    init(info: TaskInfo, frameworkID: FrameworkID, agentID: AgentID, role: String, resources: Resources,
         state: TaskState, statusUpdateState: TaskState? = nil) {
        self.infoBox = Box(info)
        self.frameworkID = frameworkID
        self.agentID = agentID
        self.role = role
        self.resources = resources
        self.state = state
        self.statusUpdateState = statusUpdateState
    }
}

/// An immutable value shared by reference.
final class Box<Value: Sendable>: Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

struct AgentEntry {
    // A change to anything the legacy JSON shows counts in `revision`, so a document can reuse
    // what it wrote for the agent before (`StateCache`).
    var id: AgentID
    var info: AgentInfo { didSet { revision &+= 1 } }
    var endpoint: String { didSet { revision &+= 1 } }
    var stream: EventStream?
    var active: Bool { didSet { revision &+= 1 } }
    var total: Resources { didSet { revision &+= 1 } }
    var registeredTime: Double
    var reregisteredTime: Double? { didSet { revision &+= 1 } }
    var generation = 0
    /// DEACTIVATE_AGENT or DRAIN_AGENT: no offers until REACTIVATE_AGENT.
    var deactivated = false { didSet { revision &+= 1 } }
    var drain: AgentDrain? { didSet { revision &+= 1 } }
    var revision: UInt32 = 0
    /// Tells apart entries of one ID (an agent removed and registered again).
    let instance = UInt64.random(in: 0 ... .max)

    var hostname: String { info.hostname }
}

/// A drain in progress (DRAINING) or finished (DRAINED).
struct AgentDrain {
    enum State: String { case DRAINING, DRAINED }
    var state: State
    var config: DrainConfig
}

/// An offer never changes, so the table keeps it as one shared, immutable record: tables of
/// thousands of offers are walked for their agent and resources (by the allocator's bookkeeping
/// and by every `/master/state`), and a copy of an entry is then one retain, not one per field.
final class OfferEntry: Sendable {
    let offer: Offer
    let frameworkID: FrameworkID
    let agentID: AgentID
    /// Where the allocator kept the agent when the offer was made: a document sums offers by
    /// agent into an array by slot instead of hashing every offer's agent ID.
    let agentSlot: Int?
    let role: String
    let resources: Resources
    let created: Double
    private let json = Mutex<[UInt8]?>(nil)

    init(offer: Offer, frameworkID: FrameworkID, agentID: AgentID, agentSlot: Int?, role: String, resources: Resources,
         created: Double) {
        self.offer = offer
        self.frameworkID = frameworkID
        self.agentID = agentID
        self.agentSlot = agentSlot
        self.role = role
        self.resources = resources
        self.created = created
    }

    /// The offer's legacy JSON, written by the first document that lists it and kept for the
    /// next ones.
    func legacyJSON(_ write: () -> [UInt8]) -> [UInt8] {
        json.withLock { json in
            if let json { return json }
            let bytes = write()
            json = bytes
            return bytes
        }
    }
}

/// The answer to a scheduler call, mapped to an HTTP status by the HTTP layer.
public enum CallOutcome: Sendable, Equatable {
    case accepted
    case badRequest(String)
    case forbidden(String)
    case notImplemented(String)
    /// The registry could not record the call's effect.
    case unavailable(String)
}

/// A custom executor the master launched on an agent: its resources stay allocated until the
/// agent reports it gone.
struct ExecutorEntry {
    var info: ExecutorInfo
    var frameworkID: FrameworkID
    var role: String
    var resources: Resources
}

struct ExecutorKey: Hashable {
    var framework: FrameworkID
    var executor: ExecutorID
}
