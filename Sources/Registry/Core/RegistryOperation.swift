import MesosAPI

/// One change to the registry. Applying is pure, and says which documents it touched so a
/// store rewrites only those.
public enum RegistryOperation: Sendable, Equatable {
    case setWeights([String: Double])
    case setQuota(QuotaConfig)
    case removeQuota(role: String)
    case setReservations(AgentID, [Resource])
    case admitAgent(AgentInfo)
    /// Readmits an unreachable agent (or admits one this registry never saw).
    case markReachable(AgentInfo)
    case markUnreachable(AgentID, time: Double)
    case markGone(AgentID, time: Double)
    case setDrain(AgentID, DrainRecord?)
    case addFramework(FrameworkInfo)
    case removeFramework(FrameworkID)
    case setMaintenance(MaintenanceState)
    /// Forgets an admitted agent without marking it (its machine went down for maintenance).
    case removeAgent(AgentID)

    /// Applies the change; returns the documents it touched (empty: nothing changed).
    @discardableResult
    public func apply(to state: inout RegistryState) -> Set<RegistryLayout.Key> {
        switch self {
        case .setWeights(let weights):
            state.weights.merge(weights) { $1 }
            return [.roles]
        case .setQuota(let config):
            state.quotas[config.role] = config
            return [.roles]
        case .removeQuota(let role):
            return state.quotas.removeValue(forKey: role) == nil ? [] : [.roles]
        case .setReservations(let agent, let resources):
            state.reservations[agent] = resources.isEmpty ? nil : resources
            return [RegistryLayout.key(for: agent)]
        case .admitAgent(let info), .markReachable(let info):
            guard let id = info.id else { return [] }
            state.unreachable[id] = nil
            state.agents[id] = info
            return [RegistryLayout.key(for: id)]
        case .markUnreachable(let id, let time):
            state.agents[id] = nil
            state.unreachable[id] = time
            return [RegistryLayout.key(for: id)]
        case .markGone(let id, let time):
            state.agents[id] = nil
            state.unreachable[id] = nil
            state.drains[id] = nil
            state.reservations[id] = nil
            state.gone[id] = time
            return [RegistryLayout.key(for: id)]
        case .setDrain(let id, let record):
            state.drains[id] = record
            return [RegistryLayout.key(for: id)]
        case .addFramework(let info):
            guard let id = info.id else { return [] }
            state.frameworks[id] = info
            return [RegistryLayout.key(for: id)]
        case .removeFramework(let id):
            return state.frameworks.removeValue(forKey: id) == nil ? [] : [RegistryLayout.key(for: id)]
        case .setMaintenance(let maintenance):
            state.maintenance = maintenance
            return [.maintenance]
        case .removeAgent(let id):
            state.agents[id] = nil
            state.unreachable[id] = nil
            state.drains[id] = nil
            state.reservations[id] = nil
            return [RegistryLayout.key(for: id)]
        }
    }
}
