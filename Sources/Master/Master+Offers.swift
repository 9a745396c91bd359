import Allocator
import MesosAPI

extension Master {
    /// One allocation round: turn the allocator's decisions into offers, one event per framework.
    func runAllocation() {
        allocationPending = false
        let started = ContinuousClock.now
        let allocations = allocator.allocate(now: now)
        counters.allocationRuns += 1
        counters.allocationTimer.record((ContinuousClock.now - started) / .milliseconds(1))
        guard !allocations.isEmpty else { return }
        var batches: [FrameworkID: [Offer]] = [:]
        for allocation in allocations {
            guard let agent = agents[allocation.agentID], frameworks[allocation.frameworkID] != nil else {
                allocator.recover(framework: allocation.frameworkID, agent: allocation.agentID,
                                  resources: allocation.resources, role: allocation.role, refuseSeconds: 0, now: now)
                continue
            }
            let offer = makeOffer(allocation, agent: agent)
            offers[offer.id] = OfferEntry(offer: offer, frameworkID: allocation.frameworkID,
                                          agentID: allocation.agentID, agentSlot: allocator.slot(of: allocation.agentID),
                                          role: allocation.role, resources: allocation.resources, created: now)
            frameworks[allocation.frameworkID]?.offers.insert(offer.id)
            batches[allocation.frameworkID, default: []].append(offer)
        }
        for (frameworkID, batch) in batches { frameworks[frameworkID]?.stream?.send { OfferEventWriter.encode(batch) } }
    }

    private func makeOffer(_ allocation: Allocation, agent: AgentEntry) -> Offer {
        let info = frameworks[allocation.frameworkID]?.info
        let multiRole = info?.hasCapability("MULTI_ROLE") ?? false
        let refinement = info?.hasCapability("RESERVATION_REFINEMENT") ?? false
        let resources = offeredResources(allocation.resources, multiRole: multiRole, refinement: refinement,
                                         role: allocation.role)
        var offer = Offer(id: newOfferID(), frameworkId: allocation.frameworkID, agentId: agent.id,
                          hostname: agent.hostname, resources: resources, attributes: agent.info.attributes)
        let parts = agent.endpoint.split(separator: ":")
        let port = parts.last.flatMap { Int32($0) } ?? 5051
        offer.url = MesosURL(scheme: "http",
                             address: Address(hostname: agent.hostname, ip: parts.first.map(String.init), port: port),
                             path: "/slave(1)")
        if multiRole { offer.allocationInfo = AllocationInfo(role: allocation.role) }
        if !maintenance.isEmpty { offer.unavailability = maintenance.unavailability(of: machine(of: agent)) }
        return offer
    }

    /// Resources as a framework can read them: reservations in the old format unless it has
    /// RESERVATION_REFINEMENT, and `allocation_info` only for MULTI_ROLE frameworks.
    func offeredResources(_ resources: Resources, multiRole: Bool, refinement: Bool, role: String) -> [Resource] {
        let list = refinement ? resources.resources : resources.resources.downgraded
        return list.map { resource in
            var r = resource
            r.allocationInfo = multiRole ? AllocationInfo(role: role) : nil
            return r
        }
    }

    /// `--offer_timeout`: offers nobody answered go back to the pool and are rescinded.
    func expireOffers() {
        guard let timeout = config.offerTimeout else { return }
        let limit = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let current = now
        for (id, entry) in offers where current - entry.created >= limit {
            removeOffer(id, refuseSeconds: 0)
            send(Event.rescind(id), to: entry.frameworkID)
        }
    }

    /// Takes an offer out of circulation, returning its resources with an optional filter.
    func removeOffer(_ id: OfferID, refuseSeconds: Double?) {
        guard let entry = offers.removeValue(forKey: id) else { return }
        frameworks[entry.frameworkID]?.offers.remove(id)
        allocator.recover(framework: entry.frameworkID, agent: entry.agentID, resources: entry.resources,
                          role: entry.role, refuseSeconds: refuseSeconds, now: now)
        requestAllocation()
    }

    func decline(_ framework: FrameworkID, _ decline: Call.Decline) -> CallOutcome {
        let refuse = decline.filters?.refuseSeconds ?? allocator.config.defaultRefuseSeconds
        for id in decline.offerIds where offers[id]?.frameworkID == framework {
            removeOffer(id, refuseSeconds: refuse)
        }
        return .accepted
    }

    /// REVIVE (or SUPPRESS) names roles; none means all of the framework's roles.
    func revive(_ framework: FrameworkID, roles: [String]) -> CallOutcome {
        if let problem = unknownRole(roles, of: framework) { return .badRequest(problem) }
        allocator.revive(framework, roles: roles)
        requestAllocation()
        return .accepted
    }

    func suppress(_ framework: FrameworkID, roles: [String]) -> CallOutcome {
        if let problem = unknownRole(roles, of: framework) { return .badRequest(problem) }
        allocator.suppress(framework, roles: roles)
        return .accepted
    }

    private func unknownRole(_ roles: [String], of framework: FrameworkID) -> String? {
        let mine = frameworks[framework]?.roles ?? []
        return roles.first { !mine.contains($0) }.map { "Role '\($0)' is not one of the framework's roles \(mine)" }
    }

    /// The offers named by an ACCEPT, checked as Mesos does; a message when they are unusable.
    func checkOffers(_ ids: [OfferID], framework: FrameworkID) -> String? {
        if ids.isEmpty { return "No offers specified" }
        if Set(ids).count != ids.count { return "Duplicate offer IDs in ACCEPT" }
        var agent: AgentID?
        var role: String?
        for id in ids {
            guard let entry = offers[id] else { return "Offer \(id) is no longer valid" }
            if let r = role, r != entry.role {
                return "Aggregated offers must be allocated to the same role. Offer \(id) uses role \(entry.role) and role \(r)"
            }
            role = entry.role
            if entry.frameworkID != framework {
                return "Offer \(id) has invalid framework \(entry.frameworkID) while framework \(framework) is expected"
            }
            if let a = agent, a != entry.agentID {
                return "Aggregated offers must belong to one single agent. Offer \(id) uses agent \(entry.agentID) and agent \(a)"
            }
            agent = entry.agentID
        }
        return nil
    }
}
