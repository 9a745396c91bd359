import HTTPSupport
import MesosAPI

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
    let legacyMemo = LegacyMemo()
}

/// The legacy JSON of each resource shape met while building one document. A view is built on
/// one thread at a time (each request takes its own view), which is what makes the unlocked
/// mutation safe.
final class LegacyMemo: @unchecked Sendable {
    var values: [Resources: JSONValue] = [:]
    var bytes: [Resources: [UInt8]] = [:]
}

extension Master {
    public func stateView() -> StateView {
        StateView(config: config, info: info, startTime: startTime, frameworks: frameworks,
                  completedFrameworks: completedFrameworks, agents: agents, offers: offers, executors: executors,
                  unreachableAgents: unreachableAgents, recoveredAgents: recoveredAgents)
    }
}
