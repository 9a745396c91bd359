import Allocator
import HTTPSupport
import MesosAPI
import NIOCore
import Synchronization

/// The master's tables at one moment. Copying them is O(1) (copy-on-write), so the master hands
/// a view out from its actor and the JSON of a large state is built and encoded off it: a reader
/// of `/master/state` or GET_STATE holds scheduling up for the copy, not for the serialisation.
/// (The master pays once, on its next change to a table a view still shares.)
public struct StateView: Sendable {
    let config: MasterConfig
    let info: MasterInfo
    let startTime: Double
    let frameworks: [FrameworkID: FrameworkEntry]
    let completedFrameworks: [FrameworkEntry]
    let agents: [AgentID: AgentEntry]
    let agentsRevision: UInt64
    let offers: [OfferID: OfferEntry]
    let executors: [AgentID: [ExecutorKey: ExecutorEntry]]
    let unreachableAgents: [AgentID: Double]
    let recoveredAgents: [AgentID: AgentInfo]
    /// The allocator at the same moment (a copy-on-write value): what each agent and framework
    /// holds, without summing a large cluster's tasks one by one.
    let allocator: AllocatorCore
    /// The allocator's clock at that moment, and the wall clock's lead on it.
    let now: Double
    let wallOffset: Double
    let refusedSubscriptions: [RefusedSubscription]
    let legacyMemo = LegacyMemo()
}

/// The legacy JSON of each resource shape met while building one document, and of each task
/// the document had to write itself (handed back to the master afterwards, see
/// `Master.keepTaskJSON`). A view is built on one thread at a time (each request takes its own
/// view), which is what makes the unlocked mutation safe.
final class LegacyMemo: @unchecked Sendable {
    var values: [Resources: JSONValue] = [:]
    var bytes: [Resources: [UInt8]] = [:]
    var reservations: [Resources: [UInt8]] = [:]
    var offerTotals: OfferTotals?
    var frameworkUsage: [FrameworkID: (used: Resources, offered: Resources)] = [:]
    /// Counted as the agents are written (`activated_slaves`).
    var activeAgents: Int?
    var writtenTasks: [WrittenTask] = []

    func legacy(_ resources: Resources) -> JSONValue {
        if let known = values[resources] { return known }
        let value = StateView.legacy(resources)
        values[resources] = value
        return value
    }

    func legacyBytes(_ resources: Resources) -> [UInt8] {
        if let known = bytes[resources] { return known }
        var written: [UInt8] = []
        legacy(resources).write(into: &written)
        bytes[resources] = written
        return written
    }
}

/// Resources on offer, summed by agent and by framework, and each framework's offers' JSON.
/// By agent means by the allocator's slot of the agent (`StateView.offered(on:slot:)` reads it).
struct OfferTotals {
    var bySlot: [Resources] = []
    /// Offers whose slot no longer keeps their agent: not expected (an agent's offers go with
    /// it), but counted all the same.
    var unslotted: [AgentID: Resources] = [:]
    var byFramework: [FrameworkID: Resources] = [:]
    var listed: [FrameworkID: [[UInt8]]] = [:]
}

/// A live task's legacy JSON as of one revision.
struct WrittenTask: Sendable {
    var key: TaskKey
    var revision: UInt32
    var bytes: [UInt8]
}

extension Master {
    /// Keeps the JSON a document wrote for live tasks that had none (adopted from agents after a
    /// failover), unless the task changed since: the next documents copy it.
    func keepTaskJSON(_ written: [WrittenTask]) {
        for item in written {
            guard var task = frameworks[item.key.framework]?.tasks[item.key.task],
                  task.revision == item.revision, task.frozenJSON == nil else { continue }
            task.frozenJSON = Box(item.bytes)
            frameworks[item.key.framework]?.tasks[item.key.task] = task
        }
    }

    /// `/master/state`, built off this actor from a view of it, into `document` part by part:
    /// the task lists of frameworks whose tasks did not change since the last document are
    /// reused from `cache` as they are, and come first, so readers are sent them while the rest
    /// is written. What the build wrote for tasks is kept afterwards, without holding the
    /// reader up. Builds sharing a cache must not overlap (`StateBatcher`).
    public nonisolated func stateDocument(cache: StateCache? = nil, into document: SharedDocument) async {
        let view = await stateView()
        await StateBatcher.offThePool {
            view.stateJSON(cache: cache).writeChunks { document.append($0) }
            cache?.prune(keeping: Set(view.frameworks.keys).union(view.completedFrameworks.map(\.id)))
        }
        document.finish()
        let written = view.legacyMemo.writtenTasks
        if !written.isEmpty { Task { await self.keepTaskJSON(written) } }
    }

    /// The whole of `/master/state` at once.
    public nonisolated func stateDocument(cache: StateCache? = nil) async -> [ByteBuffer] {
        let document = SharedDocument()
        await stateDocument(cache: cache, into: document)
        return await document.collect()
    }

    public func stateView() -> StateView {
        StateView(config: config, info: info, startTime: startTime, frameworks: frameworks,
                  completedFrameworks: completedFrameworks, agents: agents, agentsRevision: agentsRevision, offers: offers, executors: executors,
                  unreachableAgents: unreachableAgents, recoveredAgents: recoveredAgents, allocator: allocator,
                  now: now, wallOffset: wallClock - now, refusedSubscriptions: Array(refusedSubscriptions))
    }
}

/// The task lists a `/master/state` build wrote, by framework and list, with the revision they
/// were written at: the next build sends the same buffer when the list has not changed, so a
/// document of 200,000 tasks costs little more than its agents (whose bytes are kept too, see
/// `AgentSection`). Two builds may run at once (`StateBatcher`): each part is locked while used.
public final class StateCache: Sendable {
    struct Key: Hashable {
        var framework: FrameworkID
        var completed: Bool
    }
    struct Entry {
        var instance: UInt64
        var revision: UInt64
        var buffer: ByteBuffer
    }
    private let entries = Mutex<[Key: Entry]>([:])
    /// The agents section as the last build wrote it; a build holds it while it writes agents.
    let agents = Mutex(AgentSection())

    public init() {}

    /// Drops the task lists of frameworks the view no longer has.
    func prune(keeping frameworks: Set<FrameworkID>) {
        entries.withLock { entries in
            if entries.keys.contains(where: { !frameworks.contains($0.framework) }) {
                entries = entries.filter { frameworks.contains($0.key.framework) }
            }
        }
    }

    /// The framework's task list as an earlier build wrote it while it has not changed; written
    /// now otherwise, while builds that want the same list wait to share it.
    func list(_ framework: FrameworkEntry, completed: Bool, write: () -> JSONValue) -> JSONValue {
        let key = Key(framework: framework.id, completed: completed)
        let revision = completed ? framework.completedRevision : framework.tasksRevision
        return entries.withLock { entries in
            if let entry = entries[key], entry.instance == framework.instance, entry.revision == revision {
                return .buffer(entry.buffer)
            }
            let buffer = ByteBuffer(bytes: write().bytes)
            entries[key] = Entry(instance: framework.instance, revision: revision, buffer: buffer)
            return .buffer(buffer)
        }
    }
}
