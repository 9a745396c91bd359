import MesosAPI

/// What a master must not forget, whichever master it is: operator decisions (weights, quota,
/// dynamic reservations, drains) and the identities it handed out (admitted agents, unreachable
/// and gone marks, subscribed frameworks). Running tasks are not here: agents report them again.
public struct RegistryState: Sendable, Equatable {
    public var weights: [String: Double] = [:]
    public var quotas: [String: QuotaConfig] = [:]
    /// Dynamically reserved resources per agent.
    public var reservations: [AgentID: [Resource]] = [:]
    /// Agents this cluster admitted and has not marked unreachable or gone.
    public var agents: [AgentID: AgentInfo] = [:]
    /// Agents marked unreachable, with the wall-clock time of the mark.
    public var unreachable: [AgentID: Double] = [:]
    /// Agents marked gone, with the time: they may never register again.
    public var gone: [AgentID: Double] = [:]
    /// Deactivated or draining agents.
    public var drains: [AgentID: DrainRecord] = [:]
    /// Frameworks that subscribed and were not torn down.
    public var frameworks: [FrameworkID: FrameworkInfo] = [:]
    /// The maintenance schedule and the machines taken down.
    public var maintenance = MaintenanceState()
    public init() {}
}

/// An agent's operator state: deactivated (no offers), and possibly draining or drained.
public struct DrainRecord: Codable, Sendable, Hashable {
    public enum State: String, Codable, Sendable { case DRAINING, DRAINED }
    public var state: State?
    public var config: DrainConfig?
    public init(state: State? = nil, config: DrainConfig? = nil) {
        self.state = state
        self.config = config
    }
}
