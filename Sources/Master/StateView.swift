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
    let legacyMemo = LegacyMemo()
}

/// The legacy JSON of each resource shape met while building one document, and of each task
/// the document had to write itself (handed back to the master afterwards, see
/// `Master.keepTaskJSON`). A view is built on one thread at a time (each request takes its own
/// view), which is what makes the unlocked mutation safe.
final class LegacyMemo: @unchecked Sendable {
    var values: [Resources: JSONValue] = [:]
    var bytes: [Resources: [UInt8]] = [:]
    var writtenTasks: [WrittenTask] = []
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

    /// `/master/state`, built off this actor from a view of it; what the build wrote for tasks
    /// is kept afterwards, without holding the reader up.
    public nonisolated func stateDocument() async -> ByteBuffer {
        let view = await stateView()
        let document = await StateBatcher.offThePool { ByteBuffer(bytes: view.stateJSON().bytes) }
        let written = view.legacyMemo.writtenTasks
        if !written.isEmpty { Task { await self.keepTaskJSON(written) } }
        return document
    }

    public func stateView() -> StateView {
        StateView(config: config, info: info, startTime: startTime, frameworks: frameworks,
                  completedFrameworks: completedFrameworks, agents: agents, offers: offers, executors: executors,
                  unreachableAgents: unreachableAgents, recoveredAgents: recoveredAgents, allocator: allocator)
    }
}
