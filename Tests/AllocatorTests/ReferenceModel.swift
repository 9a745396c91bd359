import Allocator
import MesosAPI

/// A deliberately naive allocator: recomputes every share from scratch and re-sorts for
/// every agent. The real one must make exactly the same decisions, so its incremental
/// bookkeeping is checked against something too simple to get wrong.
struct ReferenceModel {
    struct Framework { var role: String; var active: Bool; var suppressed: Bool }
    struct Filter { var resources: Resources; var expiry: Double }

    let config = AllocatorConfig()
    var totals: [AgentID: Resources] = [:]
    var held: [AgentID: [FrameworkID: Resources]] = [:]
    var frameworks: [FrameworkID: Framework] = [:]
    var filters: [FrameworkID: [AgentID: [Filter]]] = [:]

    func free(_ agent: AgentID) -> Resources {
        (held[agent] ?? [:]).values.reduce(totals[agent] ?? Resources()) { $0 - $1 }
    }

    mutating func addFramework(_ id: FrameworkID, role: String, active: Bool, suppressed: Bool) {
        frameworks[id] = Framework(role: role, active: active, suppressed: suppressed)
    }

    mutating func removeFramework(_ id: FrameworkID) {
        frameworks[id] = nil
        filters[id] = nil
        for agent in held.keys { held[agent]?[id] = nil }
    }

    mutating func addAgent(_ id: AgentID, total: Resources, allocated: [FrameworkID: Resources]) {
        removeAgent(id)
        totals[id] = total
        held[id] = [:]
        for (framework, resources) in allocated.sorted(by: { $0.key < $1.key }) {
            allocateUsed(framework, id, resources)
        }
    }

    mutating func removeAgent(_ id: AgentID) {
        totals[id] = nil
        held[id] = nil
        for framework in filters.keys { filters[framework]?[id] = nil }
    }

    mutating func allocateUsed(_ framework: FrameworkID, _ agent: AgentID, _ resources: Resources) {
        guard totals[agent] != nil else { return }
        let used = free(agent).intersection(resources)
        if !used.isEmpty { held[agent]?[framework, default: Resources()] += used }
    }

    mutating func recover(_ framework: FrameworkID, _ agent: AgentID, _ resources: Resources,
                          refuseSeconds: Double?, now: Double) {
        guard totals[agent] != nil else { return }
        if let mine = held[agent]?[framework] {
            let rest = mine - mine.intersection(resources)
            held[agent]?[framework] = rest.isEmpty ? nil : rest
        }
        if frameworks[framework] != nil, !resources.isEmpty,
           let duration = config.filterDuration(refuseSeconds: refuseSeconds) {
            filters[framework, default: [:]][agent, default: []].append(Filter(resources: resources, expiry: now + duration))
        }
    }

    mutating func revive(_ id: FrameworkID) {
        frameworks[id]?.suppressed = false
        filters[id] = nil
    }

    private func milli(_ value: Double) -> Int64 { Int64((value * 1000).rounded()) }

    /// Same formula as the real sorter, so equal shares compare equal in both.
    private func share(of holders: Set<FrameworkID>) -> Double {
        var best = 0.0
        for name in config.drfResourceNames {
            let total = milli(totals.values.reduce(0) { $0 + $1.scalar(name) })
            guard total > 0 else { continue }
            var used: Int64 = 0
            for perAgent in held.values {
                for (framework, resources) in perAgent where holders.contains(framework) {
                    used += milli(resources.scalar(name))
                }
            }
            if used > 0 { best = max(best, Double(used) / Double(total)) }
        }
        return best
    }

    mutating func allocate(now: Double) -> [Allocation] {
        var result: [Allocation] = []
        for agent in totals.keys.sorted() where !free(agent).isEmpty {
            for role in rolesByShare() {
                let pool = free(agent)
                if pool.isEmpty { break }
                let candidate = pool.filter { $0.reservedRole == "*" || $0.reservedRole == role }
                guard !candidate.isEmpty, config.isAllocatable(candidate) else { continue }
                let willing = frameworks.filter { $0.value.role == role && $0.value.active && !$0.value.suppressed }
                let eligible = byShare(willing.keys.map { ($0, share(of: [$0])) })
                let chosen = eligible.first { framework in
                    !(filters[framework]?[agent] ?? []).contains { $0.expiry > now && $0.resources.contains(candidate) }
                }
                guard let framework = chosen else { continue }
                held[agent]?[framework, default: Resources()] += candidate
                result.append(Allocation(frameworkID: framework, agentID: agent, role: role, resources: candidate))
            }
        }
        return result
    }

    private func rolesByShare() -> [String] {
        let roles = Set(frameworks.values.map(\.role))
        var shares: [(String, Double)] = []
        for role in roles {
            let members = Set(frameworks.filter { $0.value.role == role }.keys)
            shares.append((role, share(of: members)))
        }
        return byShare(shares)
    }

    private func byShare<T: Comparable>(_ pairs: [(T, Double)]) -> [T] {
        pairs.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.map(\.0)
    }

    /// Dominant share of one framework, for comparing with the real allocator's view.
    func dominantShare(of framework: FrameworkID) -> Double { share(of: [framework]) }
}
