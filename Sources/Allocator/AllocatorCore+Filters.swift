import MesosAPI

/// Offer filters, kept with their agent in one array sorted by (framework, role) key, with
/// an index per framework and role so REVIVE and role changes need not visit every agent.
extension AllocatorCore {
    static func filterKey(_ framework: Int, _ role: Int) -> Int { framework << 32 | role }

    /// The earliest time a live filter lifts, so a caller can schedule a round then.
    public func nextFilterExpiry(after now: Double) -> Double? {
        agents.lazy.compactMap { $0 }
            .flatMap(\.filters)
            .map(\.expiry)
            .filter { $0 > now }
            .min()
    }

    /// Whether a live filter of the framework for the role covers the offer. `covers`
    /// remembers, for this offer, which refused sets contain it: in a round over agents
    /// declined by many frameworks, each set is compared once, not once per framework.
    ///
    /// Expired filters are dropped as they are met, which is the same as expiring them all
    /// first: a filter only matters when its framework is considered for its agent.
    mutating func isFiltered(framework: Int, role: Int, agent: Int, offer: Resources, now: Double,
                             covers: inout [(set: Int, covers: Bool)]) -> Bool {
        let key = Self.filterKey(framework, role)
        let (found, range) = filterRange(key, agent: agent)
        guard found else { return false }
        var expired = false
        var covered = false
        for index in range {
            let filter = agents[agent]!.filters[index]
            if filter.expiry <= now { expired = true; continue }
            if let known = covers.first(where: { $0.set == filter.set }) {
                covered = known.covers
            } else {
                covered = agents[agent]!.refused.first { $0.id == filter.set }?.resources.contains(offer) ?? false
                covers.append((filter.set, covered))
            }
            if covered { break }
        }
        if expired { removeFilters(of: key, agent: agent) { $0.expiry <= now } }
        return covered
    }

    /// Repeated declines of the same resources extend one filter instead of piling up, and
    /// expired filters of the pair go, so the list stays as short as the live refusals.
    mutating func addFilter(_ resources: Resources, expiry: Double, framework: Int, role: Int, agent: Int, now: Double) {
        let key = Self.filterKey(framework, role)
        let set = refusedSet(resources, agent: agent)
        use(set, agent: agent)  // Held, so dropping older filters of the same set keeps it.
        removeFilters(of: key, agent: agent) { $0.expiry <= now || ($0.expiry <= expiry && $0.set == set) }
        let (_, range) = filterRange(key, agent: agent)
        if agents[agent]!.filters[range].contains(where: { $0.set == set }) {
            release(set, agent: agent)
        } else {
            agents[agent]!.filters.insert(OfferFilter(key: key, set: set, expiry: expiry), at: range.upperBound)
        }
        frameworks[framework]!.filteredOn[role, default: []].insert(agent)
    }

    mutating func clearFilters<S: Sequence<Int>>(of framework: Int, roles chosen: S) {
        epoch &+= 1
        for role in chosen {
            guard let filtered = frameworks[framework]!.filteredOn.removeValue(forKey: role) else { continue }
            for agent in filtered where agents[agent] != nil {
                removeFilters(of: Self.filterKey(framework, role), agent: agent) { _ in true }
            }
        }
    }

    /// Where the key's filters are (or would go) in the agent's sorted list.
    private func filterRange(_ key: Int, agent: Int) -> (found: Bool, range: Range<Int>) {
        let filters = agents[agent]!.filters
        var (low, high) = (0, filters.count)
        while low < high {
            let mid = (low + high) / 2
            if filters[mid].key < key { low = mid + 1 } else { high = mid }
        }
        var end = low
        while end < filters.count && filters[end].key == key { end += 1 }
        return (end > low, low..<end)
    }

    private mutating func removeFilters(of key: Int, agent: Int, where shouldGo: (OfferFilter) -> Bool) {
        let (found, range) = filterRange(key, agent: agent)
        guard found else { return }
        for index in range.reversed() where shouldGo(agents[agent]!.filters[index]) {
            release(agents[agent]!.filters.remove(at: index).set, agent: agent)
        }
        if !filterRange(key, agent: agent).found {
            frameworks[key >> 32]?.filteredOn[key & 0xFFFF_FFFF]?.remove(agent)
        }
    }

    /// The agent's refused set equal to `resources`, made if there is none yet.
    private mutating func refusedSet(_ resources: Resources, agent: Int) -> Int {
        if let known = agents[agent]!.refused.first(where: { $0.resources == resources }) { return known.id }
        let id = agents[agent]!.nextRefusedID
        agents[agent]!.nextRefusedID += 1
        agents[agent]!.refused.append(RefusedSet(id: id, resources: resources, users: 0))
        return id
    }

    private mutating func use(_ set: Int, agent: Int) {
        if let index = agents[agent]!.refused.firstIndex(where: { $0.id == set }) { agents[agent]!.refused[index].users += 1 }
    }

    private mutating func release(_ set: Int, agent: Int) {
        guard let index = agents[agent]!.refused.firstIndex(where: { $0.id == set }) else { return }
        agents[agent]!.refused[index].users -= 1
        if agents[agent]!.refused[index].users == 0 { agents[agent]!.refused.remove(at: index) }
    }
}
