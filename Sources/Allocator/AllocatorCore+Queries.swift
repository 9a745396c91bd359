import MesosAPI

/// Read-only views for the master's endpoints and for tests.
extension AllocatorCore {
    public func available(on agent: AgentID) -> Resources { agentState(agent)?.available ?? Resources() }
    public func total(of agent: AgentID) -> Resources { agentState(agent)?.total ?? Resources() }
    /// Where the agent is kept, for `holdingInputs(slot:agent:)`: a reader of every agent on
    /// every document looks each up once, not once per read. An agent keeps its slot while it
    /// is registered; a slot may be reused after its agent is removed.
    public func slot(of agent: AgentID) -> Int? { agentIndex[agent] }

    /// One more than the highest slot `slot(of:)` may give: readers may index arrays by slot.
    public var slotCount: Int { agents.count }

    /// Whether `slot` keeps `agent` (a slot kept by a reader may since hold another agent).
    public func holds(_ agent: AgentID, at slot: Int) -> Bool {
        slot >= 0 && slot < agents.count && agents[slot]?.id == agent
    }

    /// What `held(on:)` is computed from, at a slot `slot(of:)` gave, while it still holds the
    /// agent: a reader that kept the answer for the same pair knows it has not changed.
    public func holdingInputs(slot: Int, agent: AgentID) -> (total: Resources, available: Resources)? {
        guard slot < agents.count, let id = agents[slot]?.id, id == agent,
              let total = agents[slot]?.total, let available = agents[slot]?.available
        else { return nil }
        return (total, available)
    }

    /// What is offered or in use on the agent. Read in place: a large state asks it of every
    /// agent, and copying an agent's whole record (its holdings and filters) cost more than the
    /// subtraction.
    public func held(on agent: AgentID) -> Resources {
        guard let slot = agentIndex[agent], let total = agents[slot]?.total, let available = agents[slot]?.available
        else { return Resources() }
        return total - available
    }

    /// What the framework holds on one agent (offered or in use), over all its roles.
    public func allocation(of framework: FrameworkID, on agent: AgentID) -> Resources {
        guard let slot = frameworkIndex[framework], let state = agentState(agent) else { return Resources() }
        return state.holdings.reduce(into: Resources()) { sum, holding in
            if holding.framework == slot { sum += holding.resources }
        }
    }

    /// What the framework holds on one agent for one role.
    public func allocation(of framework: FrameworkID, role: String, on agent: AgentID) -> Resources {
        guard let slot = frameworkIndex[framework], let role = roles.find(role), let state = agentState(agent)
        else { return Resources() }
        return state.holdings.first { $0.framework == slot && $0.role == role }?.resources ?? Resources()
    }

    /// What the framework holds cluster-wide. Ranges of different agents merge, so use
    /// `allocation(of:on:)` for anything but quantities.
    public func allocated(to framework: FrameworkID) -> Resources {
        guard let slot = frameworkIndex[framework], frameworks[slot]!.holdings > 0 else { return Resources() }
        // One pass reading each agent's holdings in place: every `/master/state` asks this of
        // every framework, and a copy of each agent's record per question was most of its cost.
        var sum = Resources()
        for index in agents.indices {
            guard let holdings = agents[index]?.holdings else { continue }
            for holding in holdings where holding.framework == slot { sum += holding.resources }
        }
        return sum
    }

    /// Everything offered or allocated to the role (and, by default, its subroles), reserved
    /// resources included, summed over agents: `allocated` in `/master/roles`. Resources of
    /// frameworks that have not registered yet do not count, as in Mesos.
    public func allocated(toRole role: String, includingSubroles: Bool = true) -> Resources {
        guard let target = roles.find(role) else { return Resources() }
        var sum = Resources()
        for agent in agents {
            for holding in agent?.holdings ?? [] where holding.role >= 0 && frameworks[holding.framework]!.registered {
                if holding.role == target || (includingSubroles && isDescendant(holding.role, of: target)) {
                    sum += holding.resources
                }
            }
        }
        return sum
    }

    /// Everything offered or allocated per role (that role only), in one pass over the
    /// agents: for listing many roles at once.
    public var allocationsByRole: [String: Resources] {
        var byRole: [Int: Resources] = [:]
        for agent in agents {
            for holding in agent?.holdings ?? [] where holding.role >= 0 && frameworks[holding.framework]!.registered {
                byRole[holding.role, default: Resources()] += holding.resources
            }
        }
        return Dictionary(uniqueKeysWithValues: byRole.map { (roles.nodes[$0.key].name, $0.value) })
    }

    /// The scalars offered or allocated to the role (with its subroles by default), without
    /// visiting any agent: the role tree keeps them.
    public func allocatedQuantities(ofRole role: String, includingSubroles: Bool = true) -> [String: Double] {
        guard let node = roles.find(role) else { return [:] }
        return names.dictionary(includingSubroles ? roles.nodes[node].subtree : roles.nodes[node].own)
    }

    private func isDescendant(_ role: Int, of ancestor: Int) -> Bool {
        var node = roles.nodes[role].parent
        while node > 0 {
            if node == ancestor { return true }
            node = roles.nodes[node].parent
        }
        return false
    }

    /// What the role's quota is charged: reservations for its subtree plus the unreserved
    /// non-revocable scalars offered or allocated to it.
    public func consumedQuota(ofRole role: String) -> [String: Double] {
        roles.find(role).map { names.dictionary(roles.nodes[$0].consumed) } ?? [:]
    }

    /// Scalars reserved for the role and its subroles on all agents.
    public func reservedQuantities(ofRole role: String) -> [String: Double] {
        roles.find(role).map { names.dictionary(roles.nodes[$0].reserved) } ?? [:]
    }

    /// Unreserved resources held back for unmet guarantees, as of now.
    public var requiredHeadroom: [String: Double] { names.dictionary(roles.requiredHeadroom) }

    public func quota(of role: String) -> Quota? {
        guard let node = roles.find(role), !roles.nodes[node].quota.isEmpty else { return nil }
        return roles.nodes[node].quota
    }

    public var quotas: [String: Quota] {
        var result: [String: Quota] = [:]
        for node in roles.nodes where !node.quota.isEmpty { result[node.name] = node.quota }
        return result
    }

    public func weight(of role: String) -> Double { roles.find(role).map { roles.nodes[$0].weight } ?? 1 }

    public var weights: [String: Double] {
        var result: [String: Double] = [:]
        for node in roles.nodes.dropFirst() where node.weight != 1 { result[node.name] = node.weight }
        return result
    }

    /// Roles with frameworks, allocations, reservations, quota or a weight, sorted.
    public var knownRoles: [String] {
        roles.nodes.dropFirst().filter(\.isInUse).map(\.name).sorted()
    }

    /// The framework's dominant share over everything it holds, all roles together, as DRF
    /// sees it (0 if unknown).
    public func dominantShare(of framework: FrameworkID) -> Double {
        guard let slot = frameworkIndex[framework], frameworks[slot]!.registered else { return 0 }
        var sum = Quantities.zero
        for node in roles.nodes { sum &+= node.frameworks.allocation(of: slot) }
        return totals.share(sum, weight: 1)
    }

    /// The weighted dominant share of the role's subtree, which orders it among its siblings.
    public func dominantShare(ofRole role: String) -> Double {
        guard let node = roles.find(role) else { return 0 }
        return totals.share(roles.nodes[node].subtree, weight: roles.nodes[node].weight)
    }

    /// The framework's first role (the only one for single-role frameworks).
    public func role(of framework: FrameworkID) -> String? { self.roles(of: framework).first }

    public func roles(of framework: FrameworkID) -> [String] {
        guard let slot = frameworkIndex[framework], frameworks[slot]!.registered else { return [] }
        return frameworks[slot]!.roles.map { roles.nodes[$0].name }
    }

    public func suppressedRoles(of framework: FrameworkID) -> Set<String> {
        guard let slot = frameworkIndex[framework] else { return [] }
        return Set(frameworks[slot]!.suppressed.map { roles.nodes[$0].name })
    }

    public var agentIDs: [AgentID] { agentIndex.keys.sorted() }

    public var frameworkIDs: [FrameworkID] {
        frameworks.compactMap { $0?.registered == true ? $0?.id : nil }.sorted()
    }

    private func agentState(_ id: AgentID) -> AgentState? { agentIndex[id].flatMap { agents[$0] } }
}
