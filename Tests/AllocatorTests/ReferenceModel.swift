import Allocator
import MesosAPI

/// A deliberately naive allocator: recomputes every share, consumption and headroom from
/// scratch and re-sorts for every agent. The real one must make exactly the same decisions,
/// so its incremental bookkeeping (sorted orders, per-path quota needs, holdings per role)
/// is checked against something too simple to get wrong.
struct ReferenceModel {
    struct Framework { var roles: [String]; var suppressed: Set<String>; var active: Bool }
    struct Filter { var resources: Resources; var expiry: Double }
    /// Who holds something: role nil is "untagged, framework not registered yet".
    struct Holder: Hashable { var framework: FrameworkID; var role: String? }
    typealias Amounts = [String: Int64]

    let config = AllocatorConfig()
    let tracked = ["cpus", "mem", "disk", "gpus"]
    var totals: [AgentID: Resources] = [:]
    var held: [AgentID: [Holder: Resources]] = [:]
    var frameworks: [FrameworkID: Framework] = [:]
    var filters: [FrameworkID: [String: [AgentID: [Filter]]]] = [:]
    var weights: [String: Double] = [:]
    var quotas: [String: Quota] = [:]

    func free(_ agent: AgentID) -> Resources {
        (held[agent] ?? [:]).values.reduce(totals[agent] ?? Resources()) { $0 - $1 }
    }

    // MARK: Operations, mirroring the public API

    mutating func addFramework(_ id: FrameworkID, roles: [String], active: Bool, suppressed: Set<String>) {
        let adopting = frameworks[id] == nil
        if adopting { frameworks[id] = Framework(roles: [], suppressed: [], active: active) }
        frameworks[id]!.active = active
        updateFramework(id, roles: roles, suppressed: suppressed)
        guard adopting, let first = frameworks[id]!.roles.first else { return }
        for agent in held.keys {
            if let pending = held[agent]![Holder(framework: id, role: nil)] {
                held[agent]![Holder(framework: id, role: nil)] = nil
                held[agent]![Holder(framework: id, role: first), default: Resources()] += pending
            }
        }
    }

    mutating func updateFramework(_ id: FrameworkID, roles: [String], suppressed: Set<String>) {
        guard let old = frameworks[id] else { return }
        var unique: [String] = []
        for role in roles where !unique.contains(role) { unique.append(role) }
        for role in old.roles where !unique.contains(role) { filters[id]?[role] = nil }
        let kept = suppressed.intersection(unique)
        for role in old.suppressed.subtracting(kept) where unique.contains(role) { filters[id]?[role] = nil }
        frameworks[id]!.roles = unique
        frameworks[id]!.suppressed = kept
    }

    mutating func removeFramework(_ id: FrameworkID) {
        frameworks[id] = nil
        filters[id] = nil
        for agent in held.keys { held[agent] = held[agent]!.filter { $0.key.framework != id } }
    }

    mutating func suppress(_ id: FrameworkID, roles: [String]) {
        guard let state = frameworks[id] else { return }
        frameworks[id]!.suppressed.formUnion(roles.isEmpty ? state.roles : roles.filter(state.roles.contains))
    }

    mutating func revive(_ id: FrameworkID, roles: [String]) {
        guard let state = frameworks[id] else { return }
        for role in roles.isEmpty ? state.roles : roles.filter(state.roles.contains) {
            frameworks[id]!.suppressed.remove(role)
            filters[id]?[role] = nil
        }
    }

    mutating func addAgent(_ id: AgentID, total: Resources, allocated: [FrameworkID: Resources]) {
        removeAgent(id)
        totals[id] = total.unallocated
        held[id] = [:]
        for (framework, resources) in allocated.sorted(by: { $0.key < $1.key }) {
            allocateUsed(framework, id, resources, role: nil)
        }
    }

    mutating func removeAgent(_ id: AgentID) {
        totals[id] = nil
        held[id] = nil
        for framework in filters.keys {
            for role in filters[framework]!.keys { filters[framework]![role]![id] = nil }
        }
    }

    mutating func updateAgent(_ id: AgentID, total: Resources) {
        guard let old = totals[id] else { return }
        let total = total.unallocated
        var pool = total
        var appeared = total - old
        let order = held[id]!.keys.sorted { ($0.framework, $0.role ?? "") < ($1.framework, $1.role ?? "") }
        for holder in order {
            let resources = held[id]![holder]!
            var kept = pool.intersection(resources)
            let missing = resources - kept
            if !missing.isEmpty, let role = holder.role {
                let moved = missing.matching(in: appeared.intersection(pool.allocatableTo(role))) { _ in true }
                appeared -= moved
                kept += moved
            }
            pool -= kept
            held[id]![holder] = kept.isEmpty ? nil : kept
        }
        totals[id] = total
    }

    mutating func allocateUsed(_ framework: FrameworkID, _ agent: AgentID, _ resources: Resources, role: String?) {
        guard totals[agent] != nil else { return }
        let (untagged, byRole) = resources.allocationSplit
        var parts: [(String?, Resources)] = byRole.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let fallback = role ?? frameworks[framework]?.roles.first
        if !untagged.isEmpty { parts.append((fallback, untagged)) }
        for (role, part) in parts {
            let used = free(agent).intersection(part)
            if !used.isEmpty { held[agent]![Holder(framework: framework, role: role), default: Resources()] += used }
        }
    }

    mutating func recover(_ framework: FrameworkID, _ agent: AgentID, _ resources: Resources, role: String?,
                          refuseSeconds: Double?, now: Double) {
        guard totals[agent] != nil else { return }
        let (untagged, byRole) = resources.allocationSplit
        var parts: [(String?, Resources)] = byRole.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if !untagged.isEmpty { parts.append((role, untagged)) }
        for (role, part) in parts {
            var refused: [String] = []
            if let role {
                release(Holder(framework: framework, role: role), agent, part)
                refused = [role]
            } else {
                var rest = part
                let mine = held[agent]!.keys.filter { $0.framework == framework }
                for holder in mine.sorted(by: { ($0.role ?? "") < ($1.role ?? "") }) where !rest.isEmpty {
                    let back = release(holder, agent, rest)
                    if !back.isEmpty { rest -= back; if let role = holder.role { refused.append(role) } }
                }
                if refused.isEmpty { refused = frameworks[framework]?.roles ?? [] }
            }
            guard frameworks[framework] != nil, let duration = config.filterDuration(refuseSeconds: refuseSeconds)
            else { continue }
            for role in refused {
                var list = filters[framework, default: [:]][role, default: [:]][agent, default: []]
                list.removeAll { $0.expiry <= now || ($0.expiry <= now + duration && $0.resources == part) }
                if !list.contains(where: { $0.resources == part }) { list.append(Filter(resources: part, expiry: now + duration)) }
                filters[framework, default: [:]][role, default: [:]][agent] = list
            }
        }
    }

    @discardableResult
    private mutating func release(_ holder: Holder, _ agent: AgentID, _ resources: Resources) -> Resources {
        guard let mine = held[agent]?[holder] else { return Resources() }
        let back = mine.intersection(resources)
        let rest = mine - back
        held[agent]![holder] = rest.isEmpty ? nil : rest
        return back
    }

    // MARK: Accounting from scratch

    private func amounts(_ resources: Resources, quotaOnly: Bool = false) -> Amounts {
        var result: Amounts = [:]
        resources.forEachScalar { name, reservedRole, revocable, milli in
            guard tracked.contains(name), !quotaOnly || (reservedRole == "*" && !revocable) else { return }
            result[name, default: 0] += milli
        }
        return result
    }

    private func inSubtree(_ role: String, of ancestor: String) -> Bool {
        role == ancestor || role.hasPrefix(ancestor + "/")
    }

    /// Holdings that count: those of registered frameworks, by role.
    private func counted(_ include: (Holder) -> Bool) -> [Resources] {
        held.values.flatMap { perAgent in
            perAgent.filter { frameworks[$0.key.framework] != nil && $0.key.role != nil && include($0.key) }.map(\.value)
        }
    }

    private func share(_ amounts: Amounts, weight: Double = 1) -> Double {
        let cluster = totals.values.reduce(into: Amounts()) { sum, total in
            for (name, value) in self.amounts(total) { sum[name, default: 0] += value }
        }
        var best = 0.0
        for name in config.drfResourceNames {
            guard let total = cluster[name], total > 0, let used = amounts[name], used != 0 else { continue }
            best = max(best, Double(used) / Double(total))
        }
        return best / weight
    }

    private func sum(_ list: [Resources], quotaOnly: Bool = false) -> Amounts {
        list.reduce(into: Amounts()) { sum, resources in
            for (name, value) in amounts(resources, quotaOnly: quotaOnly) { sum[name, default: 0] += value }
        }
    }

    func consumed(_ role: String) -> Amounts {
        var result = sum(counted { inSubtree($0.role!, of: role) }, quotaOnly: true)
        for total in totals.values {
            total.forEachScalar { name, reservedRole, _, milli in
                if tracked.contains(name), reservedRole != "*", inSubtree(reservedRole, of: role) {
                    result[name, default: 0] += milli
                }
            }
        }
        return result
    }

    private func unmet(_ role: String) -> Amounts {
        let guarantees = quotas[role]?.guarantees ?? [:]
        let used = consumed(role)
        var result: Amounts = [:]
        for name in tracked {
            let missing = max(0, thousandths(guarantees[name] ?? 0)) - (used[name] ?? 0)
            if missing > 0 { result[name] = missing }
        }
        return result
    }

    private func hasGuarantees(_ role: String) -> Bool {
        (quotas[role]?.guarantees ?? [:]).contains { tracked.contains($0.key) && thousandths($0.value) > 0 }
    }

    private var allRoles: Set<String> {
        var names = Set(frameworks.values.flatMap(\.roles)).union(quotas.keys)
        for perAgent in held.values { for holder in perAgent.keys { if let role = holder.role { names.insert(role) } } }
        for name in Array(names) {
            var parts = name.split(separator: "/").map(String.init)
            while parts.count > 1 { parts.removeLast(); names.insert(parts.joined(separator: "/")) }
        }
        return names
    }

    private func need(_ role: String) -> Amounts {
        var children: Amounts = [:]
        for child in allRoles where child.hasPrefix(role + "/") && !child.dropFirst(role.count + 1).contains("/") {
            for (name, value) in need(child) { children[name, default: 0] += value }
        }
        var own = hasGuarantees(role) ? unmet(role) : [:]
        for (name, value) in children where value > own[name, default: 0] { own[name] = value }
        return own
    }

    var requiredHeadroom: Amounts {
        allRoles.filter { !$0.contains("/") }.reduce(into: Amounts()) { sum, role in
            for (name, value) in need(role) { sum[name, default: 0] += value }
        }
    }

    private func ancestorsAndSelf(_ role: String) -> [String] {
        var result = [role]
        var parts = role.split(separator: "/").map(String.init)
        while parts.count > 1 { parts.removeLast(); result.append(parts.joined(separator: "/")) }
        return result
    }

    /// nil entries: no limit for that name; nil result: no limit anywhere on the path.
    private func limitRoom(_ role: String) -> Amounts? {
        var room: Amounts?
        for node in ancestorsAndSelf(role) {
            let limits = (quotas[node]?.limits ?? [:]).filter { tracked.contains($0.key) }
            guard !limits.isEmpty else { continue }
            let used = consumed(node)
            var left = room ?? [:]
            for (name, limit) in limits {
                let value = max(0, max(0, thousandths(limit)) - (used[name] ?? 0))
                left[name] = min(left[name] ?? .max, value)
            }
            room = left
        }
        return room
    }

    // MARK: The round

    private func eligible(_ framework: FrameworkID, _ role: String) -> Bool {
        guard let state = frameworks[framework] else { return false }
        return state.active && state.roles.contains(role) && !state.suppressed.contains(role)
    }

    private func roleOrder() -> [String] {
        let eligibleRoles = Set(frameworks.flatMap { id, state in state.roles.filter { eligible(id, $0) } })
        func weight(_ role: String) -> Double { weights[role].map { $0.isFinite && $0 > 0 ? $0 : 1 } ?? 1 }
        func visit(_ parent: String?) -> [String] {
            var entries: [(Double, String, Bool)] = []
            if let parent, eligibleRoles.contains(parent) {
                entries.append((share(sum(counted { $0.role == parent }), weight: weight(parent)), parent, true))
            }
            let children = Set(eligibleRoles.flatMap(ancestorsAndSelf)).filter { child in
                if let parent { return child.hasPrefix(parent + "/") && !child.dropFirst(parent.count + 1).contains("/") }
                return !child.contains("/")
            }
            for child in children {
                entries.append((share(sum(counted { inSubtree($0.role!, of: child) }), weight: weight(child)), child, false))
            }
            entries.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            return entries.flatMap { $0.2 ? [$0.1] : visit($0.1) }
        }
        return visit(nil)
    }

    private func cap(_ room: Amounts, untracked: Int64?) -> (String) -> Int64? {
        { name in tracked.contains(name) ? room[name] : untracked }
    }

    private func offer(_ agent: AgentID, _ role: String, guarantees: Bool) -> Resources? {
        var stageOne: Amounts = [:]
        if guarantees {
            guard let holder = ancestorsAndSelf(role).first(where: hasGuarantees) else { return nil }
            stageOne = unmet(holder)
            if stageOne.isEmpty { return nil }
        }
        let candidate = free(agent).allocatableTo(role)
        guard !candidate.isEmpty else { return nil }
        let room = limitRoom(role)
        let required = requiredHeadroom
        var offer = candidate
        if guarantees || room != nil || !required.isEmpty {
            let (quota, rest) = candidate.quotaScalarsSplit
            var extra = quota
            var guaranteed = Resources()
            if guarantees {
                var gcap = Amounts()
                for name in tracked { gcap[name] = min(stageOne[name] ?? 0, room?[name] ?? .max) }
                guaranteed = quota.cappingScalars(cap(gcap, untracked: 0))
                if guaranteed.isEmpty { return nil }
                extra = quota - guaranteed
            }
            if var room {
                for (name, value) in amounts(guaranteed) where room[name] != nil { room[name] = max(0, room[name]! - value) }
                extra = extra.cappingScalars(cap(room, untracked: nil))
            }
            if !required.isEmpty {
                let freeQuota = totals.keys.reduce(into: Amounts()) { sum, agent in
                    for (name, value) in amounts(free(agent), quotaOnly: true) { sum[name, default: 0] += value }
                }
                var surplus = Amounts()
                for name in tracked { surplus[name] = max(0, (freeQuota[name] ?? 0) - (required[name] ?? 0)) }
                extra = extra.cappingScalars(cap(surplus, untracked: nil))
            }
            offer = rest + guaranteed + extra
        }
        return !offer.isEmpty && config.isAllocatable(offer) ? offer : nil
    }

    mutating func allocate(now: Double) -> [Allocation] {
        var result: [Allocation] = []
        let stages = quotas.keys.contains(where: hasGuarantees) ? [true, false] : [false]
        for guarantees in stages {
            for agent in totals.keys.sorted() where !free(agent).isEmpty {
                for role in roleOrder() {
                    if free(agent).isEmpty { break }
                    guard let offer = offer(agent, role, guarantees: guarantees) else { continue }
                    let candidates = frameworks.keys.filter { eligible($0, role) }.map { id in
                        (id, share(sum(counted { $0.framework == id && $0.role == role })))
                    }.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.map(\.0)
                    let chosen = candidates.first { framework in
                        !(filters[framework]?[role]?[agent] ?? []).contains { $0.expiry > now && $0.resources.contains(offer) }
                    }
                    guard let framework = chosen else { continue }
                    held[agent]![Holder(framework: framework, role: role), default: Resources()] += offer
                    result.append(Allocation(frameworkID: framework, agentID: agent, role: role, resources: offer))
                }
            }
        }
        return result
    }

    /// Dominant share of one framework over everything it holds.
    func dominantShare(of framework: FrameworkID) -> Double {
        share(sum(counted { $0.framework == framework }))
    }
}

private func thousandths(_ value: Double) -> Int64 {
    let limit = Double(Int64(1) << 62)
    return value.isNaN ? 0 : Int64(max(-limit, min(limit, (value * 1000).rounded())))
}
