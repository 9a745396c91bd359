import MesosAPI

/// The allocator's state machine: which resources of which agent are free or held by which
/// framework, and who gets the free ones next (hierarchical DRF: roles by share, then the
/// frameworks of a role by share).
///
/// A plain value with no I/O, locks or clock: the master owns it (inside its actor) and
/// passes the time in, so tests drive it with a fake clock and identical inputs always give
/// identical offers.
///
/// Invariant, per agent: `available + Σ allocated == total`, with allocations disjoint.
/// Everything a caller hands back is clipped to what is really held, so a duplicate or stale
/// `recover` cannot inflate the pool and nothing is ever offered twice.
public struct AllocatorCore: Sendable {
    struct AgentState: Sendable {
        var total: Resources
        var available: Resources
        /// May name frameworks the allocator does not know (yet): tasks reported by an agent
        /// re-registering before their framework has.
        var allocated: [FrameworkID: Resources] = [:]
    }

    struct FrameworkState: Sendable {
        var role: String
        var active: Bool
        var suppressed: Bool
        var filters: [AgentID: [OfferFilter]] = [:]
        var eligible: Bool { active && !suppressed }
    }

    public let config: AllocatorConfig
    var agents: [AgentID: AgentState] = [:]
    var frameworks: [FrameworkID: FrameworkState] = [:]
    /// The agents a round has to visit; a busy cluster has few.
    var agentsWithFreeResources: Set<AgentID> = []
    var roleSorter: DRFSorter<String>
    var frameworkSorters: [String: DRFSorter<FrameworkID>] = [:]
    var roleWeights: [String: Double] = [:]
    var clusterTotal: Quantities = [:]

    public init(config: AllocatorConfig = AllocatorConfig()) {
        self.config = config
        roleSorter = DRFSorter(names: config.drfResourceNames, total: [:])
    }

    // MARK: Frameworks

    /// Adds a framework, or updates role and flags of a known one (re-registration); a
    /// known framework keeps its allocations and filters. Allocations already recorded for
    /// the ID on agents (see `addAgent`) count towards its share from now on.
    public mutating func addFramework(_ id: FrameworkID, role: String, active: Bool = true, suppressed: Bool = false) {
        var state = FrameworkState(role: role, active: active, suppressed: suppressed)
        let allocation: Quantities
        if let existing = frameworks[id] {
            allocation = detach(id)
            state.filters = existing.filters
        } else {
            allocation = agents.values.reduce(into: Quantities()) { sum, agent in
                if let held = agent.allocated[id] { sum = adding(sum, held.quantities(config.drfResourceNames)) }
            }
        }
        frameworks[id] = state
        attach(id, allocation: allocation)
    }

    /// Forgets the framework and returns everything it holds on every agent to the pool,
    /// since a removed framework's tasks are killed and its offers rescinded. Later
    /// `recover` calls for those resources are harmless no-ops.
    public mutating func removeFramework(_ id: FrameworkID) {
        if frameworks[id] != nil {
            detach(id)
            frameworks[id] = nil
        }
        for (agentID, agent) in agents {
            guard let held = agent.allocated[id] else { continue }
            agents[agentID]?.allocated[id] = nil
            agents[agentID]?.available += held
            agentsWithFreeResources.insert(agentID)
        }
    }

    /// Inactive frameworks (disconnected schedulers) keep what they hold but get no offers.
    public mutating func activateFramework(_ id: FrameworkID) { update(id) { $0.active = true } }
    public mutating func deactivateFramework(_ id: FrameworkID) { update(id) { $0.active = false } }

    /// A suppressed framework wants no offers until it revives.
    public mutating func suppress(_ id: FrameworkID) { update(id) { $0.suppressed = true } }

    /// Unsuppresses and drops all the framework's filters: reviving means "my needs changed,
    /// show me everything again".
    public mutating func revive(_ id: FrameworkID) {
        update(id) { $0.suppressed = false; $0.filters = [:] }
    }

    /// Roles with a higher weight are entitled to a proportionally larger share.
    public mutating func setWeight(_ weight: Double, forRole role: String) {
        roleWeights[role] = weight
        roleSorter.setWeight(role, weight)
    }

    // MARK: Agents

    /// Adds an agent (replacing a known one with the same ID). `allocated` are resources its
    /// running tasks already use; whatever of them exceeds `total` is ignored.
    public mutating func addAgent(_ id: AgentID, total: Resources, allocated: [FrameworkID: Resources] = [:]) {
        if agents[id] != nil { removeAgent(id) }
        let total = total.unallocated
        agents[id] = AgentState(total: total, available: total)
        setClusterTotal(adding(clusterTotal, total.quantities(config.drfResourceNames)))
        for (framework, resources) in allocated.sorted(by: { $0.key < $1.key }) {
            allocateUsed(framework: framework, agent: id, resources: resources)
        }
        refreshFree(id)
    }

    /// Drops the agent with everything allocated on it and every filter that mentions it.
    public mutating func removeAgent(_ id: AgentID) {
        guard let agent = agents.removeValue(forKey: id) else { return }
        for (framework, held) in agent.allocated { track(held, of: framework, added: false) }
        agentsWithFreeResources.remove(id)
        setClusterTotal(subtracting(clusterTotal, agent.total.quantities(config.drfResourceNames)))
        for (framework, state) in frameworks where state.filters[id] != nil {
            frameworks[framework]?.filters[id] = nil
        }
    }

    // MARK: Queries

    public func available(on agent: AgentID) -> Resources { agents[agent]?.available ?? Resources() }
    public func total(of agent: AgentID) -> Resources { agents[agent]?.total ?? Resources() }

    /// What the framework holds on one agent (offered or in use).
    public func allocation(of framework: FrameworkID, on agent: AgentID) -> Resources {
        agents[agent]?.allocated[framework] ?? Resources()
    }

    /// What the framework holds cluster-wide. Ranges of different agents merge, so use
    /// `allocation(of:on:)` for anything but quantities.
    public func allocated(to framework: FrameworkID) -> Resources {
        agents.values.reduce(into: Resources()) { sum, agent in
            if let held = agent.allocated[framework] { sum += held }
        }
    }

    /// The framework's dominant share within its role, as DRF sees it (0 if unknown).
    public func dominantShare(of framework: FrameworkID) -> Double {
        guard let role = frameworks[framework]?.role else { return 0 }
        return frameworkSorters[role]?.share(of: framework) ?? 0
    }

    public func role(of framework: FrameworkID) -> String? { frameworks[framework]?.role }
    public var agentIDs: [AgentID] { agents.keys.sorted() }
    public var frameworkIDs: [FrameworkID] { frameworks.keys.sorted() }

    /// A cheap necessary condition for a round to produce anything: some agent has free
    /// resources and some framework wants offers. Filters are not consulted.
    public var hasWork: Bool {
        !agentsWithFreeResources.isEmpty && frameworkSorters.values.contains { !$0.order.isEmpty }
    }

    // MARK: Bookkeeping

    private mutating func update(_ id: FrameworkID, _ change: (inout FrameworkState) -> Void) {
        guard var state = frameworks[id] else { return }
        change(&state)
        frameworks[id] = state
        frameworkSorters[state.role]?.setEligible(id, state.eligible)
    }

    /// Puts a framework (already in `frameworks`) into the sorters of its role.
    private mutating func attach(_ id: FrameworkID, allocation: Quantities) {
        guard let state = frameworks[id] else { return }
        if frameworkSorters[state.role] == nil {
            frameworkSorters[state.role] = DRFSorter(names: config.drfResourceNames, total: clusterTotal)
            roleSorter.add(state.role, allocation: [:], weight: roleWeights[state.role] ?? 1, eligible: true)
        }
        frameworkSorters[state.role]?.add(id, allocation: allocation, weight: 1, eligible: state.eligible)
        roleSorter.allocate(allocation, to: state.role)
    }

    /// Takes a framework out of the sorters; returns its allocation. Its role goes when empty.
    @discardableResult
    private mutating func detach(_ id: FrameworkID) -> Quantities {
        guard let role = frameworks[id]?.role, var sorter = frameworkSorters[role] else { return [:] }
        let allocation = sorter.remove(id)
        roleSorter.unallocate(allocation, from: role)
        if sorter.isEmpty {
            frameworkSorters[role] = nil
            roleSorter.remove(role)
        } else {
            frameworkSorters[role] = sorter
        }
        return allocation
    }

    /// Keeps the framework's and its role's shares in step with a change of what it holds.
    mutating func track(_ resources: Resources, of framework: FrameworkID, added: Bool) {
        guard let role = frameworks[framework]?.role else { return }
        let quantities = resources.quantities(config.drfResourceNames)
        guard !quantities.isEmpty else { return }
        if added {
            frameworkSorters[role]?.allocate(quantities, to: framework)
            roleSorter.allocate(quantities, to: role)
        } else {
            frameworkSorters[role]?.unallocate(quantities, from: framework)
            roleSorter.unallocate(quantities, from: role)
        }
    }

    mutating func refreshFree(_ agent: AgentID) {
        if agents[agent]?.available.isEmpty == false {
            agentsWithFreeResources.insert(agent)
        } else {
            agentsWithFreeResources.remove(agent)
        }
    }

    private mutating func setClusterTotal(_ total: Quantities) {
        clusterTotal = total
        roleSorter.setTotal(total)
        for role in frameworkSorters.keys { frameworkSorters[role]?.setTotal(total) }
    }
}
