import Allocator
import HTTPSupport
import MesosAPI
import NIOCore

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
    var writtenTasks: [WrittenTask] = []
}

/// Resources on offer, summed by agent and by framework.
struct OfferTotals {
    var byAgent: [AgentID: Resources] = [:]
    var byFramework: [FrameworkID: Resources] = [:]
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

    /// `/master/state`, built off this actor from a view of it, as buffers to send in turn: the
    /// task lists of frameworks whose tasks did not change since the last document are reused
    /// from `cache` as they are. What the build wrote for tasks is kept afterwards, without
    /// holding the reader up. Builds sharing a cache must not overlap (`StateBatcher`).
    public nonisolated func stateDocument(cache: StateCache? = nil) async -> [ByteBuffer] {
        let view = await stateView()
        let chunks = await StateBatcher.offThePool { () -> [ByteBuffer] in
            cache?.beginBuild()
            defer { cache?.endBuild() }
            return view.stateJSON(cache: cache).chunks
        }
        let written = view.legacyMemo.writtenTasks
        if !written.isEmpty { Task { await self.keepTaskJSON(written) } }
        return chunks
    }

    public func stateView() -> StateView {
        StateView(config: config, info: info, startTime: startTime, frameworks: frameworks,
                  completedFrameworks: completedFrameworks, agents: agents, offers: offers, executors: executors,
                  unreachableAgents: unreachableAgents, recoveredAgents: recoveredAgents, allocator: allocator,
                  now: now, wallOffset: wallClock - now, refusedSubscriptions: Array(refusedSubscriptions))
    }
}

/// The task lists a `/master/state` build wrote, by framework and list, with the revision they
/// were written at: the next build sends the same buffer when the list has not changed, so a
/// document of 200,000 tasks costs little more than its agents. Only one build uses it at a
/// time (the `StateBatcher` serialises them), which is what makes the unlocked state safe.
public final class StateCache: @unchecked Sendable {
    struct Key: Hashable {
        var framework: FrameworkID
        var completed: Bool
    }
    struct Entry {
        var instance: UInt64
        var revision: UInt64
        var buffer: ByteBuffer
    }
    struct AgentBytes {
        var instance: UInt64
        var revision: UInt32
        var parts: AgentParts
        var build: UInt64
    }
    private var entries: [Key: Entry] = [:]
    private var used: Set<Key> = []
    private var agents: [AgentID: AgentBytes] = [:]
    private var offers: [OfferID: (bytes: [UInt8], build: UInt64)] = [:]
    private var build: UInt64 = 0

    public init() {}

    func beginBuild() {
        used = []
        build &+= 1
    }

    /// Drops what the build did not use: frameworks and agents that were removed.
    func endBuild() {
        entries = entries.filter { used.contains($0.key) }
        if agents.contains(where: { $0.value.build != build }) { agents = agents.filter { $0.value.build == build } }
        if offers.contains(where: { $0.value.build != build }) { offers = offers.filter { $0.value.build == build } }
    }

    /// An offer's bytes as an earlier build wrote them (an offer never changes), or written now;
    /// nil when the offer is gone.
    func offer(_ id: OfferID, write: () -> [UInt8]?) -> [UInt8]? {
        if let index = offers.index(forKey: id) {
            offers.values[index].build = build
            return offers.values[index].bytes
        }
        guard let bytes = write() else { return nil }
        offers[id] = (bytes, build)
        return bytes
    }

    /// The agent's bytes from an earlier build while it has not changed (same instance and
    /// revision); written now otherwise.
    func agent(_ id: AgentID, instance: UInt64, revision: UInt32, write: () -> AgentParts) -> AgentParts {
        if let index = agents.index(forKey: id), agents.values[index].instance == instance,
           agents.values[index].revision == revision {
            agents.values[index].build = build
            return agents.values[index].parts
        }
        let parts = write()
        agents[id] = AgentBytes(instance: instance, revision: revision, parts: parts, build: build)
        return parts
    }

    func list(_ framework: FrameworkEntry, completed: Bool, write: () -> JSONValue) -> JSONValue {
        let key = Key(framework: framework.id, completed: completed)
        used.insert(key)
        let revision = completed ? framework.completedRevision : framework.tasksRevision
        if let entry = entries[key], entry.instance == framework.instance, entry.revision == revision {
            return .buffer(entry.buffer)
        }
        let buffer = ByteBuffer(bytes: write().bytes)
        entries[key] = Entry(instance: framework.instance, revision: revision, buffer: buffer)
        return .buffer(buffer)
    }
}
