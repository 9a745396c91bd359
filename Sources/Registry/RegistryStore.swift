import MesosAPI

/// What the master must remember across restarts: operator decisions, not cluster state that
/// agents and frameworks report again (weights, quota, dynamic reservations).
public struct RegistryState: Sendable, Equatable {
    public var weights: [String: Double] = [:]
    public var quotas: [String: QuotaConfig] = [:]
    /// Dynamically reserved resources per agent.
    public var reservations: [AgentID: [Resource]] = [:]
    public init() {}
}

/// The master's durable store. Every write is atomic: a failed write leaves the previous
/// state whole, so a call that could not be recorded can be refused without side effects.
public protocol RegistryStore: Sendable {
    func load() throws -> RegistryState
    func setWeights(_ weights: [String: Double]) throws
    func setQuota(_ config: QuotaConfig) throws
    func removeQuota(role: String) throws
    func setReservations(_ resources: [Resource], agent: AgentID) throws
}

/// A store that forgets everything: for masters without a work directory and for tests.
public final class InMemoryRegistry: RegistryStore, @unchecked Sendable {
    private var state = RegistryState()
    private let lock = NSLockLike()

    public init() {}

    public func load() throws -> RegistryState { lock.with { state } }
    public func setWeights(_ weights: [String: Double]) throws { lock.with { state.weights.merge(weights) { $1 } } }
    public func setQuota(_ config: QuotaConfig) throws { lock.with { state.quotas[config.role] = config } }
    public func removeQuota(role: String) throws { lock.with { state.quotas[role] = nil } }
    public func setReservations(_ resources: [Resource], agent: AgentID) throws {
        lock.with { state.reservations[agent] = resources.isEmpty ? nil : resources }
    }
}
