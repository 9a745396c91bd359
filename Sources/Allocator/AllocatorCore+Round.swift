import MesosAPI

extension AllocatorCore {
    /// Returns resources a framework held on an agent to the pool: a declined offer, the part
    /// of an offer an ACCEPT left unused, a finished task, a rescinded offer. Only what the
    /// framework really holds there is returned.
    ///
    /// `refuseSeconds` is the decline's filter: until `now + refuseSeconds` the framework is
    /// not offered resources of this agent that fit inside `resources`. nil or 0 installs no
    /// filter (use nil when nothing was refused, e.g. a task finished); negative or
    /// non-finite values mean `config.defaultRefuseSeconds`, long ones are capped at
    /// `config.maxRefuseSeconds`. A DECLINE without `filters` should pass
    /// `config.defaultRefuseSeconds`, which is what Mesos's `Filters` defaults to.
    public mutating func recover(framework: FrameworkID, agent: AgentID, resources: Resources,
                                 refuseSeconds: Double?, now: Double) {
        guard var state = agents[agent] else { return }
        let returned = resources.unallocated
        if let held = state.allocated[framework] {
            let back = held.intersection(returned)
            if !back.isEmpty {
                let rest = held - back
                state.allocated[framework] = rest.isEmpty ? nil : rest
                state.available += back
                agents[agent] = state
                track(back, of: framework, added: false)
                refreshFree(agent)
            }
        }
        if frameworks[framework] != nil, !returned.isEmpty,
           let duration = config.filterDuration(refuseSeconds: refuseSeconds) {
            addFilter(OfferFilter(resources: returned, expiry: now + duration), framework: framework, agent: agent, now: now)
        }
    }

    /// Marks free resources of an agent as held by a framework without offering them: tasks
    /// an agent reports when it re-registers. Resources that are not free are ignored, so
    /// reporting a task twice does not count it twice.
    public mutating func allocateUsed(framework: FrameworkID, agent: AgentID, resources: Resources) {
        guard var state = agents[agent] else { return }
        let used = state.available.intersection(resources.unallocated)
        guard !used.isEmpty else { return }
        state.available -= used
        state.allocated[framework, default: Resources()] += used
        agents[agent] = state
        track(used, of: framework, added: true)
        refreshFree(agent)
    }

    /// One allocation round. Agents are visited in ID order; on each, the roles and then
    /// their frameworks are tried in DRF order (lowest dominant share first, ties by ID), and
    /// the first framework that wants offers and has no filter covering the candidate gets
    /// all of it: the unreserved resources plus those reserved for its role (or an
    /// ancestor role), as Mesos offers whole agents. Shares are updated after every
    /// allocation, so the next agent sees the new order. Allocated resources leave the pool
    /// until `recover`.
    ///
    /// Expired filters are dropped as they are met, which is the same as expiring them all
    /// first: a filter only matters when its framework is considered for its agent.
    public mutating func allocate(now: Double) -> [Allocation] {
        roleSorter.refresh()
        for role in frameworkSorters.keys { frameworkSorters[role]?.refresh() }
        var result: [Allocation] = []
        for agentID in agentsWithFreeResources.sorted() {
            for role in roleSorter.order {
                guard let pool = agents[agentID]?.available, !pool.isEmpty else { break }
                let candidate = pool.allocatableTo(role)
                // The candidate is the same for every framework of the role, so check once.
                guard !candidate.isEmpty, config.isAllocatable(candidate),
                      let framework = firstUnfiltered(role: role, agent: agentID, candidate: candidate, now: now)
                else { continue }
                agents[agentID]?.available -= candidate
                agents[agentID]?.allocated[framework, default: Resources()] += candidate
                track(candidate, of: framework, added: true)
                result.append(Allocation(frameworkID: framework, agentID: agentID, role: role, resources: candidate))
            }
            refreshFree(agentID)
        }
        return result
    }

    /// The earliest time a live filter lifts, so a caller can schedule a round then.
    public func nextFilterExpiry(after now: Double) -> Double? {
        frameworks.values.lazy
            .flatMap { $0.filters.values.joined() }
            .map(\.expiry)
            .filter { $0 > now }
            .min()
    }

    // MARK: Filters

    private mutating func firstUnfiltered(role: String, agent: AgentID, candidate: Resources, now: Double) -> FrameworkID? {
        guard let order = frameworkSorters[role]?.order else { return nil }
        return order.first { !isFiltered($0, agent: agent, candidate: candidate, now: now) }
    }

    private mutating func isFiltered(_ framework: FrameworkID, agent: AgentID, candidate: Resources, now: Double) -> Bool {
        guard let filters = frameworks[framework]?.filters[agent] else { return false }
        let live = filters.filter { $0.expiry > now }
        if live.count != filters.count { frameworks[framework]?.filters[agent] = live.isEmpty ? nil : live }
        return live.contains { $0.covers(candidate, now: now) }
    }

    /// Repeated declines of the same resources extend one filter instead of piling up, and
    /// expired filters of the pair go, so the list stays as short as the live refusals.
    private mutating func addFilter(_ filter: OfferFilter, framework: FrameworkID, agent: AgentID, now: Double) {
        var filters = frameworks[framework]?.filters[agent] ?? []
        filters.removeAll { $0.expiry <= now || ($0.expiry <= filter.expiry && $0.resources == filter.resources) }
        if !filters.contains(where: { $0.resources == filter.resources }) { filters.append(filter) }
        frameworks[framework]?.filters[agent] = filters
    }
}
