import MesosAPI

extension AllocatorCore {
    /// One allocation round, in Mesos's two stages.
    ///
    /// Stage 1 (only while some role has a guarantee): agents in ID order; on each, roles in
    /// hierarchical DRF order; a role whose guarantee (or its nearest guaranteed ancestor's)
    /// is unmet gets the unreserved scalars it still needs, plus its reservations and the
    /// agent's non-scalar resources, plus more unreserved scalars as far as its limits and
    /// the headroom allow.
    ///
    /// Stage 2: the same walk for every role: reservations it may use and non-scalar
    /// resources always, unreserved scalars chopped to its limits and to what is not held
    /// back as headroom for other roles' unmet guarantees.
    ///
    /// In both, the role's frameworks are tried in order and the first that has no filter
    /// covering the offer gets it. Shares, consumption and headroom are updated after every
    /// allocation, so the next agent sees the new order. Allocated resources leave the pool
    /// until `recover`.
    public mutating func allocate(now: Double) -> [Allocation] {
        guard hasWork else { return [] }
        sortAgents()
        roles.refresh(totals)
        var result: [Allocation] = []
        if roles.guaranteedRoles > 0 { runStage(guarantees: true, now: now, into: &result) }
        runStage(guarantees: false, now: now, into: &result)
        return result
    }

    /// A cheap necessary condition for a round to produce anything: some agent has free
    /// resources and some framework wants offers. Filters are not consulted.
    public var hasWork: Bool { freeAgents > 0 && roles.nodes[0].eligibleRoles > 0 }

    /// Roles are taken in the order they had when the agent's turn came, as Mesos sorts once
    /// per agent: the walk is lazy until an allocation leaves something on the agent, and
    /// the rest of the order is listed before that allocation changes any share.
    private mutating func runStage(guarantees: Bool, now: Double, into result: inout [Allocation]) {
        var open = openLanes(guarantees: guarantees)
        var (allocated, sinceCheck) = (false, 0)
        // Without quota an agent's offers depend on nothing but the agent, the frameworks
        // and the clock, so one nobody took stays untaken until one of those changes.
        let dormancy = roles.guaranteedRoles == 0 && roles.limitedRoles == 0
        for agent in agentOrder where agents[agent]!.active && !agents[agent]!.available.isEmpty {
            if dormancy && agents[agent]!.dormantSince == epoch && now < agents[agent]!.dormantUntil { continue }
            // Lanes only close during a round, so a stale answer is a safe one; it is
            // refreshed now and then, not per allocation, to stay cheap with many roles.
            sinceCheck += 1
            if allocated && sinceCheck >= 64 { (open, allocated, sinceCheck) = (openLanes(guarantees: guarantees), false, 0) }
            if offersNeedScalars && agents[agent]!.onlyQuotaScalars && !(agents[agent]!.freeQuota .> 0 .& open).hasTrue {
                continue
            }
            var cursor = RoleTree.Cursor()
            var listed: [Int]?
            var position = 0
            var placed = false
            defer {
                if dormancy && !placed {
                    let expiries = agents[agent]!.filters.lazy.map(\.expiry).filter { $0 > now }
                    agents[agent]!.dormantSince = epoch
                    agents[agent]!.dormantUntil = expiries.min() ?? .infinity
                }
            }
            if roleRandom != nil {
                var order: [Int] = []
                roles.order(into: &order, random: &roleRandom)
                listed = order
            }
            while !agents[agent]!.available.isEmpty {
                let role: Int
                if let order = listed {
                    guard position < order.count else { break }
                    role = order[position]
                    position += 1
                } else {
                    guard let next = roles.next(&cursor) else { break }
                    role = next
                }
                guard let offer = offer(agent: agent, role: role, guarantees: guarantees),
                      let framework = firstTaker(role: role, agent: agent, offer: offer, now: now)
                else { continue }
                let takesAll = offer == agents[agent]!.available
                if !takesAll && listed == nil {
                    listed = roles.rest(&cursor)
                    position = 0
                }
                hold(offer, agent: agent, framework: framework, role: role)
                (allocated, placed) = (true, true)
                result.append(Allocation(frameworkID: frameworks[framework]!.id, agentID: agents[agent]!.id,
                                         role: roles.nodes[role].name, resources: offer))
            }
        }
    }

    /// Lanes of unreserved scalars some role wanting offers could still be given in this
    /// stage: where its guarantee is unmet (first stage), it has room under its limits, and
    /// (second stage) headroom is left over. An agent with only such scalars, none of them
    /// in an open lane, has nothing to offer anyone: skipping it keeps a round over a
    /// cluster whose roles are all at their limits proportional to the agents, not to
    /// agents × roles.
    private func openLanes(guarantees: Bool) -> SIMDMask<SIMD8<Int64>.MaskStorage> {
        var open = SIMDMask<SIMD8<Int64>.MaskStorage>(repeating: false)
        if !guarantees && roles.limitedRoles == 0 { open = .init(repeating: true) }
        // Lanes nothing is free in need not be opened; stop once the others all are.
        let closed = freeQuota .<= 0
        for role in roles.nodes.indices where !(open .| closed).allTrue && roles.nodes[role].isEligible {
            var lanes = SIMDMask<SIMD8<Int64>.MaskStorage>(repeating: true)
            if guarantees {
                guard let unmet = roles.stageOneRoom(role) else { continue }
                lanes = unmet .> 0
            }
            if let room = roles.limitRoom(role) { lanes .&= room .> 0 }
            open .|= lanes
        }
        // What guarantees get is not held back; only the rest of the second stage is.
        let required = roles.requiredHeadroom
        if !guarantees && required.hasPositive { open .&= (freeQuota &- required) .> 0 }
        return open
    }

    /// What the role may be offered on the agent in this stage, or nil if nothing useful.
    private func offer(agent: Int, role: Int, guarantees: Bool) -> Resources? {
        var stageOneRoom = Quantities.zero
        if guarantees {
            guard let unmet = roles.stageOneRoom(role), unmet.hasPositive else { return nil }
            stageOneRoom = unmet
        }
        let candidate = agents[agent]!.available.allocatableTo(roles.nodes[role].name)
        guard !candidate.isEmpty else { return nil }
        let room = roles.limitRoom(role)
        let required = roles.requiredHeadroom
        var offer = candidate
        if guarantees || room != nil || required.hasPositive {
            let (quota, rest) = candidate.quotaScalarsSplit
            var extra = quota
            var guaranteed = Resources()
            if guarantees {
                // Towards the guarantee, never past a limit; names without one get nothing here.
                let cap = room.map { pointwiseMin(stageOneRoom, $0) } ?? stageOneRoom
                guaranteed = quota.cappingScalars(names.cap(cap, untracked: 0))
                if guaranteed.isEmpty { return nil }
                extra = quota - guaranteed
            }
            if var room {
                let unlimitedLanes = room .== unlimited
                room &-= names.charge(of: guaranteed).quota
                room.replace(with: unlimited, where: unlimitedLanes)
                extra = extra.cappingScalars(names.cap(room.positivePart, untracked: nil))
            }
            if required.hasPositive {
                let surplus = (freeQuota &- required).positivePart
                extra = extra.cappingScalars(names.cap(surplus, untracked: nil))
            }
            offer = rest + guaranteed + extra
        }
        return !offer.isEmpty && config.isAllocatable(offer) ? offer : nil
    }

    /// The first framework of the role, in sorter order, that does not filter the offer.
    private mutating func firstTaker(role: Int, agent: Int, offer: Resources, now: Double) -> Int? {
        roles.refreshFrameworks(role, totals)
        // Whether each refused set of the agent covers the offer, worked out once per walk.
        var covers: [(set: Int, covers: Bool)] = []
        if frameworkRandom != nil {
            // A shuffle drawn only as far as the first taker.
            var clients = roles.nodes[role].frameworks.order.slots.map(\.client)
            for index in clients.indices {
                clients.swapAt(index, Int.random(in: index..<clients.count, using: &frameworkRandom!))
                if !isFiltered(framework: clients[index], role: role, agent: agent, offer: offer, now: now, covers: &covers) {
                    return clients[index]
                }
            }
            return nil
        }
        // Read through a local reference: no role state changes until the search is over.
        let chunks = roles.nodes[role].frameworks.order.chunks
        for chunk in chunks {
            for slot in chunk
            where !isFiltered(framework: slot.client, role: role, agent: agent, offer: offer, now: now, covers: &covers) {
                return slot.client
            }
        }
        return nil
    }
}
