import MesosAPI

extension AllocatorCore {
    // MARK: Agents

    /// Adds an agent (replacing a known one with the same ID). `allocated` are resources its
    /// running tasks already use (see `allocateUsed`); whatever exceeds `total` is ignored.
    public mutating func addAgent(_ id: AgentID, total: Resources, allocated: [FrameworkID: Resources] = [:]) {
        if agentIndex[id] != nil { removeAgent(id) }
        let total = total.unallocated
        let slot: Int
        let state = AgentState(id: id, total: total, available: Resources())
        if let spare = spareAgentSlots.popLast() { slot = spare; agents[slot] = state } else {
            slot = agents.count; agents.append(state)
        }
        agentIndex[id] = slot
        // Appended, and sorted before the next round if out of order: registering many
        // agents in any order costs one sort, not a shift per agent.
        if let last = agentOrder.last, agents[last]!.id > id { agentOrderIsSorted = false }
        agentOrder.append(slot)
        retotal(Resources(), total)
        free(total, agent: slot)
        for (framework, resources) in allocated.sorted(by: { $0.key < $1.key }) {
            allocateUsed(framework: framework, agent: id, resources: resources)
        }
    }

    /// Mesos's deactivateSlave / activateSlave: a deactivated agent keeps what is allocated
    /// on it and its resources still count, but it is offered to nobody until reactivated.
    public mutating func setAgentActive(_ id: AgentID, _ active: Bool) {
        guard let slot = agentIndex[id] else { return }
        agents[slot]!.active = active
        agents[slot]!.dormantSince = -1
    }

    public func isAgentActive(_ id: AgentID) -> Bool {
        agentIndex[id].map { agents[$0]!.active } ?? false
    }

    /// Drops the agent with everything allocated on it and every filter that mentions it.
    public mutating func removeAgent(_ id: AgentID) {
        guard let slot = agentIndex.removeValue(forKey: id) else { return }
        while let last = agents[slot]!.holdings.indices.last {
            let holding = agents[slot]!.holdings[last]
            uncharge(holding)
            removeHolding(at: last, agent: slot)
        }
        for filter in agents[slot]!.filters {
            frameworks[filter.key >> 32]?.filteredOn[filter.key & 0xFFFF_FFFF]?.remove(slot)
        }
        let state = agents[slot]!
        retotal(state.total, Resources())
        freeQuota &-= state.freeQuota
        if !state.available.isEmpty { freeAgents -= 1 }
        if let at = agentOrder.firstIndex(of: slot) { agentOrder.remove(at: at) }
        agents[slot] = nil
        spareAgentSlots.append(slot)
    }

    /// The agent's total changed composition, e.g. a RESERVE or UNRESERVE re-tagged some of
    /// its resources, or its resources changed on re-registration. Holdings stay as far as
    /// the new total has them; a holding whose resources were re-tagged (an offered
    /// resource reserved for the holder's role, or unreserved) keeps the re-tagged ones if
    /// its role may use them. What the new total no longer has is dropped. Filters stay.
    public mutating func updateAgent(_ id: AgentID, total newTotal: Resources) {
        guard let slot = agentIndex[id] else { return }
        let newTotal = newTotal.unallocated
        let old = agents[slot]!
        guard old.total != newTotal else { return }
        retotal(old.total, newTotal)
        var pool = newTotal
        var appeared = newTotal - old.total
        // A fixed order, so which holding keeps what a shrunk total still has is reproducible.
        let byHolder = old.holdings.indices.sorted {
            let (a, b) = (old.holdings[$0], old.holdings[$1])
            return (frameworks[a.framework]!.id, roleName(a.role)) < (frameworks[b.framework]!.id, roleName(b.role))
        }
        for index in byHolder {
            let holding = old.holdings[index]
            var kept = pool.intersection(holding.resources)
            let missing = holding.resources - kept
            if !missing.isEmpty && holding.role >= 0 {
                let role = roles.nodes[holding.role].name
                let moved = missing.matching(in: appeared.intersection(pool.allocatableTo(role))) { _ in true }
                appeared -= moved
                kept += moved
            }
            pool -= kept
            uncharge(holding)
            agents[slot]!.holdings[index].resources = kept
            charge(agents[slot]!.holdings[index])
        }
        for index in agents[slot]!.holdings.indices.reversed() where agents[slot]!.holdings[index].resources.isEmpty {
            removeHolding(at: index, agent: slot)
        }
        agents[slot]!.total = newTotal
        let (available, quota) = (agents[slot]!.available, agents[slot]!.freeQuota)
        freeQuota &-= quota
        if !available.isEmpty { freeAgents -= 1 }
        agents[slot]!.available = Resources()
        agents[slot]!.freeQuota = .zero
        free(pool, agent: slot)
    }

    // MARK: Resources in use

    /// Marks free resources of an agent as held by a framework without offering them: tasks
    /// an agent reports when it re-registers. Resources that are not free are ignored, so
    /// reporting a task twice does not count it twice. Resources tagged with
    /// `allocating(to:)` are held for that role; untagged ones for `role`, else the
    /// framework's first role (or, if it has not registered yet, its first role once it does).
    public mutating func allocateUsed(framework: FrameworkID, agent: AgentID, resources: Resources, role: String? = nil) {
        guard let agentSlot = agentIndex[agent] else { return }
        let slot = frameworkSlot(framework)
        let (untagged, byRole) = resources.allocationSplit
        var parts = byRole.sorted { $0.key < $1.key }.map { (roles.node(for: $0.key), $0.value) }
        let fallback = role.map { roles.node(for: $0) } ?? (frameworks[slot]!.registered ? frameworks[slot]!.roles.first : nil)
        if !untagged.isEmpty { parts.append((fallback ?? -1, untagged)) }
        for (role, part) in parts {
            let used = agents[agentSlot]!.available.intersection(part)
            if !used.isEmpty { hold(used, agent: agentSlot, framework: slot, role: role) }
        }
        forgetIfUnknown(slot)
    }

    /// Returns resources a framework held on an agent to the pool: a declined offer, the part
    /// of an offer an ACCEPT left unused, a finished task, a rescinded offer. Only what the
    /// framework really holds there is returned.
    ///
    /// The role they were held for is taken from their allocation tags, else `role`, else
    /// found among the framework's holdings on the agent. Pass the offer's role (or the
    /// offer's tagged resources) for multi-role frameworks, so a decline filters that role.
    ///
    /// `refuseSeconds` is the decline's filter: until `now + refuseSeconds` the framework is
    /// not offered, for that role, resources of this agent that fit inside `resources`. nil
    /// or 0 installs no filter (use nil when nothing was refused, e.g. a task finished);
    /// negative or non-finite values mean `config.defaultRefuseSeconds`, long ones are
    /// capped at `config.maxRefuseSeconds`. A DECLINE without `filters` should pass
    /// `config.defaultRefuseSeconds`, which is what Mesos's `Filters` defaults to.
    public mutating func recover(framework: FrameworkID, agent: AgentID, resources: Resources, role: String? = nil,
                                 refuseSeconds: Double?, now: Double) {
        guard let agentSlot = agentIndex[agent], let slot = frameworkIndex[framework] else { return }
        let (untagged, byRole) = resources.allocationSplit
        var parts: [(Int?, Resources)] = byRole.sorted { $0.key < $1.key }.map { (roles.node(for: $0.key), $0.value) }
        if !untagged.isEmpty { parts.append((role.map { roles.node(for: $0) }, untagged)) }
        let duration = config.filterDuration(refuseSeconds: refuseSeconds)
        for (role, part) in parts {
            var refusedFor: [Int] = []
            if let role {
                _ = release(part, agent: agentSlot, framework: slot, role: role)
                refusedFor = [role]
            } else {
                var rest = part
                let mine = agents[agentSlot]!.holdings.filter { $0.framework == slot }
                for holding in mine.sorted(by: { roleName($0.role) < roleName($1.role) }) where !rest.isEmpty {
                    let back = release(rest, agent: agentSlot, framework: slot, role: holding.role)
                    if !back.isEmpty { rest -= back; if holding.role >= 0 { refusedFor.append(holding.role) } }
                }
                if refusedFor.isEmpty { refusedFor = frameworks[slot]!.roles }
            }
            guard frameworks[slot]!.registered, let duration else { continue }
            for role in refusedFor {
                addFilter(part, expiry: now + duration, framework: slot, role: role, agent: agentSlot, now: now)
            }
        }
        forgetIfUnknown(slot)
    }

    // MARK: Holdings

    func holdingIndex(agent: Int, framework: Int, role: Int) -> Int? {
        agents[agent]!.holdings.firstIndex { $0.framework == framework && $0.role == role }
    }

    func roleName(_ role: Int) -> String { role >= 0 ? roles.nodes[role].name : "" }

    /// Adds to a holding, creating it if needed; charges nothing.
    mutating func addHolding(_ resources: Resources, agent: Int, framework: Int, role: Int) {
        if let index = holdingIndex(agent: agent, framework: framework, role: role) {
            agents[agent]!.holdings[index].resources += resources
        } else {
            agents[agent]!.holdings.append(Holding(framework: framework, role: role, resources: resources))
            frameworks[framework]!.countHolding(for: role, 1)
        }
    }

    /// Removes a holding; charges nothing, but lets go of a role the framework has left.
    mutating func removeHolding(at index: Int, agent: Int) {
        let holding = agents[agent]!.holdings.remove(at: index)
        let slot = holding.framework
        frameworks[slot]!.countHolding(for: holding.role, -1)
        if holding.role >= 0 && frameworks[slot]!.holdings(for: holding.role) == 0 {
            untrackIfIdle(slot, role: holding.role)
        }
    }

    /// Moves free resources of an agent into a framework's holding for a role.
    mutating func hold(_ resources: Resources, agent: Int, framework: Int, role: Int) {
        let charge = names.charge(of: resources)
        agents[agent]!.available -= resources
        agents[agent]!.freeQuota &-= charge.quota
        freeQuota &-= charge.quota
        if agents[agent]!.available.isEmpty { freeAgents -= 1 }
        if !agents[agent]!.onlyQuotaScalars { refreshShape(of: agent) }
        agents[agent]!.dormantSince = -1
        addHolding(resources, agent: agent, framework: framework, role: role)
        if frameworks[framework]!.registered && role >= 0 {
            if !roles.nodes[role].frameworks.contains(framework) { track(framework, role: role) }
            roles.charge(role, framework: framework, charge, totals: totals)
        }
    }

    /// Returns to the free pool what of `resources` the holding really has; returns that part.
    mutating func release(_ resources: Resources, agent: Int, framework: Int, role: Int) -> Resources {
        guard let index = holdingIndex(agent: agent, framework: framework, role: role) else { return Resources() }
        let held = agents[agent]!.holdings[index].resources
        let back = held.intersection(resources)
        guard !back.isEmpty else { return back }
        if frameworks[framework]!.registered && role >= 0 {
            roles.charge(role, framework: framework, -names.charge(of: back), totals: totals)
        }
        let rest = held - back
        if rest.isEmpty { removeHolding(at: index, agent: agent) } else { agents[agent]!.holdings[index].resources = rest }
        free(back, agent: agent)
        return back
    }

    private mutating func free(_ resources: Resources, agent: Int) {
        guard !resources.isEmpty else { return }
        let quota = names.charge(of: resources).quota
        if agents[agent]!.available.isEmpty { freeAgents += 1 }
        agents[agent]!.available += resources
        agents[agent]!.freeQuota &+= quota
        freeQuota &+= quota
        refreshShape(of: agent)
        agents[agent]!.dormantSince = -1
    }

    private mutating func refreshShape(of agent: Int) {
        var only = true
        agents[agent]!.available.forEachScalar { name, reservedRole, revocable, _ in
            if reservedRole != "*" || revocable || names.lane(name) == nil { only = false }
        }
        agents[agent]!.onlyQuotaScalars = only
    }

    private mutating func charge(_ holding: Holding) {
        guard frameworks[holding.framework]!.registered, holding.role >= 0 else { return }
        roles.charge(holding.role, framework: holding.framework, names.charge(of: holding.resources), totals: totals)
    }

    private mutating func uncharge(_ holding: Holding) {
        guard frameworks[holding.framework]!.registered, holding.role >= 0 else { return }
        roles.charge(holding.role, framework: holding.framework, -names.charge(of: holding.resources), totals: totals)
    }

    /// Keeps reservations per role and the cluster total in step with an agent's total.
    private mutating func retotal(_ old: Resources, _ new: Resources) {
        for (role, quantities) in names.reservations(of: old) { roles.reserve(roles.node(for: role), 0 &- quantities) }
        for (role, quantities) in names.reservations(of: new) { roles.reserve(roles.node(for: role), quantities) }
        let change = names.charge(of: new).all &- names.charge(of: old).all
        guard !change.isZero else { return }
        totals.quantities &+= change
        totals.version += 1
    }

    /// A slot made for an unregistered framework that ends up holding nothing is dropped.
    private mutating func forgetIfUnknown(_ slot: Int) {
        guard let state = frameworks[slot], !state.registered, state.holdings == 0 else { return }
        frameworks[slot] = nil
        frameworkIndex[state.id] = nil
        spareFrameworkSlots.append(slot)
    }
}
