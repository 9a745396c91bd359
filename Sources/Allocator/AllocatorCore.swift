import MesosAPI

/// The allocator's state machine: which resources of which agent are free or held by which
/// framework for which role, and who gets the free ones next (hierarchical DRF over roles,
/// then DRF over the frameworks of a role, with Mesos's quota guarantees, limits and
/// headroom).
///
/// A plain value with no I/O, locks or clock: the master owns it (inside its actor) and
/// passes the time in, so tests drive it with a fake clock and identical inputs always give
/// identical offers.
///
/// Invariant, per agent: `available + Σ holdings == total`, with holdings disjoint.
/// Everything a caller hands back is clipped to what is really held, so a duplicate or stale
/// `recover` cannot inflate the pool and nothing is ever offered twice.
///
/// Agents, frameworks and roles live in arrays and are referred to by slot numbers
/// internally, so the hot loop of a round hashes no strings.
public struct AllocatorCore: Sendable {
    /// What one framework holds (offered or in use) on one agent for one role. Role -1:
    /// untagged resources of a framework that has not registered yet; it gets a role when
    /// it does.
    struct Holding: Sendable {
        let framework: Int
        var role: Int
        var resources: Resources
    }

    struct AgentState: Sendable {
        let id: AgentID
        var total: Resources
        var available: Resources
        var holdings: [Holding] = []
        /// Refusals sorted by (framework, role) key: one contiguous block per agent, because
        /// a round checks many of them and chasing a separate allocation per key is what
        /// dominated its time.
        var filters: [OfferFilter] = []
        var refused: [RefusedSet] = []
        var nextRefusedID = 0
        /// Unreserved non-revocable scalars in `available`: this agent's part of the headroom.
        var freeQuota = Quantities.zero
        /// Every scalar in `available` is an unreserved non-revocable one of a tracked name,
        /// so quota and headroom decide alone whether the agent has anything to offer.
        var onlyQuotaScalars = true
        /// A round found nobody to offer this agent anything, as of `epoch` `dormantSince`;
        /// until `dormantUntil` (a filter lifting) or a change, later rounds skip it.
        var dormantSince = -1
        var dormantUntil = 0.0
        /// An operator deactivated it or it is draining: it keeps its allocations, but a round
        /// offers it to nobody.
        var active = true
    }

    struct FrameworkState: Sendable {
        let id: FrameworkID
        /// False for a framework only known from resources an agent reported for it.
        var registered = false
        var active = false
        /// Subscribed roles, in the order the framework listed them.
        var roles: [Int] = []
        var suppressed: Set<Int> = []
        /// How many holdings it has, in all and per role: a short list, since frameworks
        /// have few roles, and cheaper than hashing in the allocation loop.
        var holdings = 0
        var holdingsByRole: [(role: Int, count: Int)] = []
        /// Agents with filters, per role, so REVIVE need not visit every agent.
        var filteredOn: [Int: Set<Int>] = [:]

        func wantsOffers(for role: Int) -> Bool {
            registered && active && roles.contains(role) && !suppressed.contains(role)
        }

        func holdings(for role: Int) -> Int { holdingsByRole.first { $0.role == role }?.count ?? 0 }

        mutating func countHolding(for role: Int, _ delta: Int) {
            holdings += delta
            if let index = holdingsByRole.firstIndex(where: { $0.role == role }) {
                holdingsByRole[index].count += delta
                if holdingsByRole[index].count == 0 { holdingsByRole.remove(at: index) }
            } else {
                holdingsByRole.append((role, delta))
            }
        }
    }

    public let config: AllocatorConfig
    let names: ScalarNames
    var totals: Totals
    var roles = RoleTree()
    var agents: [AgentState?] = []
    var agentIndex: [AgentID: Int] = [:]
    /// Agent slots sorted by ID (once `sortAgents()` ran): the order a round visits them in.
    var agentOrder: [Int] = []
    var agentOrderIsSorted = true
    var spareAgentSlots: [Int] = []
    var frameworks: [FrameworkState?] = []
    var frameworkIndex: [FrameworkID: Int] = [:]
    var spareFrameworkSlots: [Int] = []
    /// Agents whose free pool is not empty.
    var freeAgents = 0
    /// Unreserved non-revocable scalars free on all agents: Mesos's "available headroom".
    var freeQuota = Quantities.zero
    var roleRandom: SplitMix?
    var frameworkRandom: SplitMix?
    /// Every `minAllocatable` alternative asks for some scalar, so an offer without scalars
    /// is never made.
    let offersNeedScalars: Bool
    /// Bumped by every change to frameworks, roles or quota that could let an agent nobody
    /// wanted be offered after all (see `AgentState.dormantSince`).
    var epoch = 0

    public init(config: AllocatorConfig = AllocatorConfig()) {
        self.config = config
        names = ScalarNames(drf: config.drfResourceNames)
        totals = Totals(names: names)
        offersNeedScalars = !config.minAllocatable.isEmpty
            && config.minAllocatable.allSatisfy { $0.values.contains { thousandths($0) > 0 } }
        if case .random(let seed) = config.roleSorter { roleRandom = SplitMix(seed: seed) }
        if case .random(let seed) = config.frameworkSorter { frameworkRandom = SplitMix(seed: seed ^ 0x5EED) }
    }

    // MARK: Frameworks

    /// A single-role framework. See `addFramework(_:roles:active:suppressedRoles:)`.
    public mutating func addFramework(_ id: FrameworkID, role: String, active: Bool = true, suppressed: Bool = false) {
        addFramework(id, roles: [role], active: active, suppressedRoles: suppressed ? [role] : [])
    }

    /// Adds a framework, or updates a known one (re-registration), which keeps what it holds
    /// and the filters of roles it keeps. Resources agents reported for it before it
    /// registered count from now on; untagged ones go to its first role.
    public mutating func addFramework(_ id: FrameworkID, roles: [String], active: Bool = true,
                                      suppressedRoles: Set<String> = []) {
        let slot = frameworkSlot(id)
        let adopting = !frameworks[slot]!.registered
        frameworks[slot]!.registered = true
        frameworks[slot]!.active = active
        setRoles(of: slot, roles, suppressedRoles: suppressedRoles)
        if adopting { adoptHoldings(of: slot) }
    }

    /// A framework changed its roles or suppressed roles (UPDATE_FRAMEWORK, resubscription).
    /// Resources it holds for a role it leaves stay allocated to that role until recovered,
    /// as in Mesos; the role's filters go. Roles that stop being suppressed get their filters
    /// cleared, like a REVIVE.
    public mutating func updateFramework(_ id: FrameworkID, roles newNames: [String], suppressedRoles: Set<String>) {
        guard let slot = frameworkIndex[id], frameworks[slot]!.registered else { return }
        let hadRoles = !frameworks[slot]!.roles.isEmpty
        setRoles(of: slot, newNames, suppressedRoles: suppressedRoles)
        if !hadRoles { adoptPending(of: slot, charging: true) }
    }

    private mutating func setRoles(of slot: Int, _ newNames: [String], suppressedRoles: Set<String>) {
        epoch &+= 1
        var newRoles: [Int] = []
        for name in newNames where !newRoles.contains(roles.node(for: name)) { newRoles.append(roles.node(for: name)) }
        let old = frameworks[slot]!
        let suppressed = Set(suppressedRoles.map { roles.node(for: $0) }).intersection(newRoles)
        frameworks[slot]!.roles = newRoles
        frameworks[slot]!.suppressed = suppressed
        for role in old.roles where !newRoles.contains(role) {
            clearFilters(of: slot, roles: [role])
            untrackIfIdle(slot, role: role)
        }
        clearFilters(of: slot, roles: old.suppressed.subtracting(suppressed).filter { newRoles.contains($0) })
        refreshEligibility(of: slot)
    }

    /// Forgets the framework and returns everything it holds on every agent to the pool,
    /// since a removed framework's tasks are killed and its offers rescinded. Later
    /// `recover` calls for those resources are harmless no-ops.
    public mutating func removeFramework(_ id: FrameworkID) {
        epoch &+= 1
        guard let slot = frameworkIndex[id] else { return }
        for agent in agentsHeld(by: slot) {
            for holding in agents[agent]!.holdings.reversed() where holding.framework == slot {
                _ = release(holding.resources, agent: agent, framework: slot, role: holding.role)
            }
        }
        let state = frameworks[slot]!
        clearFilters(of: slot, roles: Array(state.filteredOn.keys))
        frameworks[slot]!.roles = []
        for role in state.roles { untrackIfIdle(slot, role: role) }
        frameworks[slot] = nil
        frameworkIndex[id] = nil
        spareFrameworkSlots.append(slot)
    }

    /// Inactive frameworks (disconnected schedulers) keep what they hold but get no offers.
    public mutating func activateFramework(_ id: FrameworkID) { setActive(id, true) }
    public mutating func deactivateFramework(_ id: FrameworkID) { setActive(id, false) }

    /// The framework wants no offers for any of its roles until it revives.
    public mutating func suppress(_ id: FrameworkID) { suppress(id, roles: []) }

    /// Unsuppresses all roles and drops all the framework's filters: reviving means "my
    /// needs changed, show me everything again".
    public mutating func revive(_ id: FrameworkID) { revive(id, roles: []) }

    /// SUPPRESS for some roles (empty: all the framework's roles).
    public mutating func suppress(_ id: FrameworkID, roles names: [String]) {
        guard let slot = frameworkIndex[id] else { return }
        frameworks[slot]!.suppressed.formUnion(subscribedRoles(slot, names))
        refreshEligibility(of: slot)
    }

    /// REVIVE for some roles (empty: all): unsuppresses them and clears their filters.
    public mutating func revive(_ id: FrameworkID, roles names: [String]) {
        guard let slot = frameworkIndex[id] else { return }
        let chosen = subscribedRoles(slot, names)
        frameworks[slot]!.suppressed.subtract(chosen)
        clearFilters(of: slot, roles: chosen)
        refreshEligibility(of: slot)
    }

    // MARK: Roles

    /// Roles with a higher weight are entitled to a proportionally larger share among their
    /// siblings. Non-positive or non-finite weights mean 1.
    public mutating func setWeight(_ weight: Double, forRole role: String) {
        epoch &+= 1
        roles.setWeight(roles.node(for: role), weight, totals: totals)
    }

    /// Sets (or, with both empty, removes) a role's quota. Only cpus, mem, disk, gpus and
    /// the DRF names are tracked; other names are ignored. The master persists quota and
    /// calls this again after a restart.
    public mutating func setQuota(role: String, guarantees: [String: Double], limits: [String: Double]) {
        epoch &+= 1
        roles.setQuota(roles.node(for: role), Quota(guarantees: guarantees, limits: limits), names: names)
    }

    // MARK: Bookkeeping shared by the extensions

    /// Agents the framework holds anything on; a scan, for the rare operations needing it.
    func agentsHeld(by slot: Int) -> [Int] {
        guard frameworks[slot]!.holdings > 0 else { return [] }
        return agentOrder.filter { agents[$0]!.holdings.contains { $0.framework == slot } }
    }

    mutating func sortAgents() {
        guard !agentOrderIsSorted else { return }
        let ids = agents.map { $0?.id }
        agentOrder.sort { ids[$0]! < ids[$1]! }
        agentOrderIsSorted = true
    }

    mutating func frameworkSlot(_ id: FrameworkID) -> Int {
        if let slot = frameworkIndex[id] { return slot }
        let state = FrameworkState(id: id)
        let slot: Int
        if let spare = spareFrameworkSlots.popLast() { slot = spare; frameworks[slot] = state } else {
            slot = frameworks.count; frameworks.append(state)
        }
        frameworkIndex[id] = slot
        return slot
    }

    private func subscribedRoles(_ slot: Int, _ names: [String]) -> [Int] {
        let subscribed = frameworks[slot]!.roles
        return names.isEmpty ? subscribed : names.compactMap { roles.find($0) }.filter { subscribed.contains($0) }
    }

    private mutating func setActive(_ id: FrameworkID, _ active: Bool) {
        guard let slot = frameworkIndex[id] else { return }
        frameworks[slot]!.active = active
        refreshEligibility(of: slot)
    }

    /// Puts the framework into the sorters of its roles with the right eligibility.
    mutating func refreshEligibility(of slot: Int) {
        epoch &+= 1
        let state = frameworks[slot]!
        guard state.registered else { return }
        for role in state.roles { track(slot, role: role) }
    }

    /// Makes the framework a member of the role's sorter (eligible if it wants offers there).
    mutating func track(_ slot: Int, role: Int) {
        let state = frameworks[slot]!
        let eligible = state.wantsOffers(for: role)
        let name = state.id.value
        roles.updateFrameworks(role, totals: totals) { $0.add(slot, name: name, eligible: eligible, totals: totals) }
    }

    /// Drops the framework from a role it neither subscribes to nor holds anything for.
    mutating func untrackIfIdle(_ slot: Int, role: Int) {
        let state = frameworks[slot]!
        if state.roles.contains(role) || state.holdings(for: role) > 0 {
            if state.registered { track(slot, role: role) }
            return
        }
        roles.updateFrameworks(role, totals: totals) { $0.remove(slot, totals: totals) }
    }

    /// A framework registered: resources agents reported for it start counting, untagged
    /// ones for its first role.
    private mutating func adoptHoldings(of slot: Int) {
        adoptPending(of: slot, charging: false)
        for agent in agentsHeld(by: slot) {
            for holding in agents[agent]!.holdings where holding.framework == slot && holding.role >= 0 {
                track(slot, role: holding.role)
                roles.charge(holding.role, framework: slot, names.charge(of: holding.resources), totals: totals)
            }
        }
    }

    /// Untagged resources held while the framework had no role go to its first role.
    private mutating func adoptPending(of slot: Int, charging: Bool) {
        guard let first = frameworks[slot]!.roles.first, frameworks[slot]!.holdings(for: -1) > 0 else { return }
        for agent in agentsHeld(by: slot) {
            guard let pending = holdingIndex(agent: agent, framework: slot, role: -1) else { continue }
            let resources = agents[agent]!.holdings[pending].resources
            removeHolding(at: pending, agent: agent)
            addHolding(resources, agent: agent, framework: slot, role: first)
            if charging {
                track(slot, role: first)
                roles.charge(first, framework: slot, names.charge(of: resources), totals: totals)
            }
        }
    }
}
