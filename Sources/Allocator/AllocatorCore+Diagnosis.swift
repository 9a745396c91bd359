import MesosAPI

/// Something in the allocator's state that keeps offers from a framework. Mesos never says why
/// a framework waits; the UI and `/master/waiting` show these so an operator need not guess.
public enum OfferObstacle: Sendable, Equatable {
    /// The framework is disconnected or deactivated: nothing is offered to it.
    case inactive
    /// It suppressed offers for these roles.
    case suppressed(roles: [String])
    /// It declined offers of `agents` agents for the role with a filter; the last lifts at `until`
    /// (the allocator's clock).
    case filtered(role: String, agents: Int, until: Double)
    /// The role (or an ancestor) has consumed its quota limit of these resources.
    case quotaLimit(role: String, resources: [String])
    /// No active agent has the resources the framework asked for (REQUEST) free for the role.
    /// `busy`: some agent is big enough but its resources are taken, and `largest` is the most
    /// of each that any one agent has free; otherwise no agent is that big, and `largest` is
    /// the most of each any one agent has at all.
    case noAgentFits(role: String, wanted: [String: Double], largest: [String: Double], busy: Bool)
    /// No active agent has anything free for the role (and the framework asked for nothing
    /// in particular).
    case nothingFree(role: String)
    /// Every agent is deactivated or draining.
    case noActiveAgents
}

extension AllocatorCore {
    /// What stands between the framework and an offer, for each of its roles, given what it
    /// asked for (scalars of its REQUEST calls; empty when it asked for nothing in particular).
    /// Empty when nothing does, or when the framework is unknown.
    public func obstacles(for id: FrameworkID, wanting wanted: [[String: Double]], now: Double) -> [OfferObstacle] {
        guard let slot = frameworkIndex[id], let framework = frameworks[slot], framework.registered else { return [] }
        if !framework.active { return [.inactive] }
        var found: [OfferObstacle] = []
        let suppressed = framework.roles.filter { framework.suppressed.contains($0) }
        if !suppressed.isEmpty { found.append(.suppressed(roles: suppressed.map { roles.nodes[$0].name })) }
        let live = agents.compactMap { $0 }.filter(\.active)
        if live.isEmpty { return found + [.noActiveAgents] }
        for role in framework.roles where !framework.suppressed.contains(role) {
            found += roleObstacles(slot, role: role, live: live, wanted: wanted, now: now)
        }
        return found
    }

    private func roleObstacles(_ slot: Int, role: Int, live: [AgentState], wanted: [[String: Double]],
                               now: Double) -> [OfferObstacle] {
        let name = roles.nodes[role].name
        var found: [OfferObstacle] = []
        if let filter = liveFilters(slot, role: role, now: now) {
            found.append(.filtered(role: name, agents: filter.agents, until: filter.until))
        }
        if let room = roles.limitRoom(role) {
            let spent = names.names.indices.filter { room[$0] == 0 }.map { names.names[$0] }
            if !spent.isEmpty { found.append(.quotaLimit(role: name, resources: spent)) }
        }
        let free = live.map { $0.available.allocatableTo(name).scalars }
        if wanted.isEmpty {
            if free.allSatisfy({ $0.values.allSatisfy { $0 <= 0 } }) { found.append(.nothingFree(role: name)) }
        } else if !wanted.contains(where: { want in free.contains { Self.fits(want, in: $0) } }) {
            let sizes = live.map { $0.total.allocatableTo(name).scalars }
            let bigEnough = wanted.contains { want in sizes.contains { Self.fits(want, in: $0) } }
            let asked = wanted.min { $0.values.reduce(0, +) < $1.values.reduce(0, +) } ?? [:]
            found.append(.noAgentFits(role: name, wanted: asked, largest: Self.largest(bigEnough ? free : sizes),
                                      busy: bigEnough))
        }
        return found
    }

    private func liveFilters(_ slot: Int, role: Int, now: Double) -> (agents: Int, until: Double)? {
        let key = Self.filterKey(slot, role)
        var count = 0
        var until = 0.0
        for agent in frameworks[slot]!.filteredOn[role] ?? [] {
            guard let state = agents[agent] else { continue }
            let expiries = state.filters.filter { $0.key == key && $0.expiry > now }.map(\.expiry)
            if let last = expiries.max() {
                count += 1
                until = max(until, last)
            }
        }
        return count > 0 ? (count, until) : nil
    }

    private static func largest(_ agents: [[String: Double]]) -> [String: Double] {
        agents.reduce(into: [:]) { most, agent in
            for (resource, amount) in agent { most[resource] = max(most[resource] ?? 0, amount) }
        }
    }

    private static func fits(_ want: [String: Double], in free: [String: Double]) -> Bool {
        want.allSatisfy { resource, amount in amount <= (free[resource] ?? 0) + 1e-9 }
    }
}
