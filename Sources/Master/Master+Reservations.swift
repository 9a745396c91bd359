import Allocator
import MesosAPI

/// Dynamic reservations: RESERVE and UNRESERVE inside ACCEPT, and the operator's
/// RESERVE_RESOURCES / UNRESERVE_RESOURCES. A reservation changes an agent's total (the same
/// amounts, now reserved for a role); it is kept in the registry and reapplied whenever the
/// agent registers.
extension Master {
    /// Runs the reservation operations of an ACCEPT on `available`, without side effects, so
    /// a bad one refuses the whole call before anything is applied.
    func planReservations(_ operations: [Offer.Operation], framework: FrameworkID,
                          available: Resources) -> Result<Resources, ReservationProblem> {
        guard let info = frameworks[framework]?.info else { return .failure(ReservationProblem("Unknown framework")) }
        var pool = available
        for operation in operations {
            switch operation.type {
            case "RESERVE":
                let wanted = (operation.reserve?.resources ?? []).normalized.resources
                switch Validation.checkReserve(wanted, roles: Validation.frameworkRoles(info),
                                               principal: info.principal, offered: pool) {
                case .failure(let problem): return .failure(problem)
                case .success(let source): pool = pool - source + Resources(wanted)
                }
            case "UNRESERVE":
                let given = (operation.unreserve?.resources ?? []).normalized.resources
                if let problem = Validation.checkUnreserve(given, offered: pool) { return .failure(ReservationProblem(problem)) }
                pool = pool - Resources(given) + Resources(given.map(\.poppedReservation))
            default:
                continue
            }
        }
        return .success(pool)
    }

    /// Stores the agent's dynamic reservations as they will be after `conversions`; writes
    /// still under way for the same agent are counted in, since each write replaces the last.
    func storeReservations(agent agentID: AgentID, _ conversions: [(from: Resources, to: Resources)]) async -> Bool {
        guard let current = reservationsInFlight[agentID] ?? agents[agentID]?.total else { return true }
        let total = conversions.reduce(current) { $0 - $1.from + $1.to }
        reservationsInFlight[agentID] = total
        defer { if reservationsInFlight[agentID] == total { reservationsInFlight[agentID] = nil } }
        return await persist([.setReservations(agentID, total.filter(\.isDynamicallyReserved).resources)])
    }

    /// Applies one stored reservation change to an agent's total.
    func convert(agent agentID: AgentID, from source: Resources, to target: Resources) {
        guard var agent = agents[agentID] else { return }
        agent.total = agent.total - source + target
        let dynamic = agent.total.filter(\.isDynamicallyReserved).resources
        storedReservations[agentID] = dynamic.isEmpty ? nil : dynamic
        agents[agentID] = agent
    }

    /// Tells the allocator about an agent whose total changed shape; what frameworks hold
    /// there follows the converted resources.
    func reshapeAllocator(agent agentID: AgentID) {
        guard let agent = agents[agentID], agent.active else { return }
        allocator.updateAgent(agentID, total: agent.total)
    }

    /// The registry's reservations for an agent applied to what it reports, skipping any whose
    /// source the agent no longer has.
    func applyStoredReservations(_ reported: Resources, agent: AgentID) -> Resources {
        guard let stored = storedReservations[agent] else { return reported }
        var total = reported
        for resource in stored {
            let source = Resources([resource.poppedReservation])
            if total.contains(source) { total = total - source + Resources([resource]) }
        }
        return total
    }

    public func operatorReserve(_ call: OperatorCall.ReserveResources) async -> OperatorOutcome {
        guard let agent = agents[call.agentId] else { return .badRequest("No agent found with specified ID") }
        let wanted = call.resources.normalized.resources
        if let problem = Validation.checkReservationTargets(wanted, call: "RESERVE_RESOURCES") {
            return .badRequest(problem)
        }
        let source = Resources(wanted.map(\.poppedReservation))
        if !allocator.available(on: agent.id).contains(source) { rescindOffers(on: agent.id) }
        guard allocator.available(on: agent.id).contains(source) else {
            return .conflict("Not enough unallocated resources on agent \(agent.id) to reserve \(source)")
        }
        return await applyOperatorConversion(agent.id, from: source, to: Resources(wanted))
    }

    public func operatorUnreserve(_ call: OperatorCall.UnreserveResources) async -> OperatorOutcome {
        guard let agent = agents[call.agentId] else { return .badRequest("No agent found with specified ID") }
        let given = call.resources.normalized.resources
        if given.isEmpty { return .badRequest("UNRESERVE_RESOURCES must name the resources to unreserve") }
        for resource in given where !resource.isDynamicallyReserved {
            return .badRequest("Resource '\(resource.name)' to unreserve is not dynamically reserved")
        }
        if !allocator.available(on: agent.id).contains(Resources(given)) { rescindOffers(on: agent.id) }
        guard allocator.available(on: agent.id).contains(Resources(given)) else {
            return .conflict("The resources to unreserve are not all unallocated on agent \(agent.id)")
        }
        return await applyOperatorConversion(agent.id, from: Resources(given), to: Resources(given.map(\.poppedReservation)))
    }

    /// Outstanding offers give way to an operator's reservation, as in Mesos.
    func rescindOffers(on agentID: AgentID) {
        for (id, offer) in offers where offer.agentID == agentID {
            removeOffer(id, refuseSeconds: 0)
            send(Event.rescind(id), to: offer.frameworkID)
        }
    }

    private func applyOperatorConversion(_ agentID: AgentID, from source: Resources, to target: Resources) async -> OperatorOutcome {
        guard await storeReservations(agent: agentID, [(source, target)]) else {
            return .unavailable("Failed to store the reservation")
        }
        convert(agent: agentID, from: source, to: target)
        reshapeAllocator(agent: agentID)
        requestAllocation()
        return .ok
    }
}
