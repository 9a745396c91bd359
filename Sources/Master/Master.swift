import Allocator
import DequeModule
import Foundation
import HTTPSupport
import Logging
import MesosAPI
import Registry

/// The master: frameworks, agents, offers and tasks, behind one actor so every decision sees a
/// consistent state. Calls arrive already parsed from the HTTP edge; events leave through the
/// frameworks' and agents' `EventStream`s. Allocation itself is the pure `AllocatorCore`.
public actor Master {
    public let config: MasterConfig
    public nonisolated let info: MasterInfo
    var logger: Logger
    let baseLogLevel: Logger.Level
    var verbosity = 0
    var verbosityGeneration = 0
    let clock = ContinuousClock()
    let startInstant: ContinuousClock.Instant
    public nonisolated let startTime: Double
    /// Calls and requests on their way to this actor, for `master/event_queue_*`.
    public nonisolated let eventQueue = EventQueue()

    var frameworks: [FrameworkID: FrameworkEntry] = [:]
    var completedFrameworks: [FrameworkEntry] = []
    var agents: [AgentID: AgentEntry] = [:] { didSet { agentsRevision &+= 1 } }
    /// Counts changes to `agents`: a document whose last build saw the same count knows every
    /// agent's own JSON is as it wrote it, without reading ten thousand entries.
    private(set) var agentsRevision: UInt64 = 0
    /// Custom executors per agent.
    var executors: [AgentID: [ExecutorKey: ExecutorEntry]] = [:]
    /// Agents marked gone: they may not register again.
    var goneAgents: Set<AgentID> = []
    /// Admitted agents the registry knows but that have not registered with this master yet
    /// (it just took over, or restarted).
    var recoveredAgents: [AgentID: AgentInfo] = [:]
    /// Agents marked unreachable, with the time of the mark.
    var unreachableAgents: [AgentID: Double] = [:]
    /// Drain and deactivation as stored, reapplied when a recovered agent registers.
    var storedDrains: [AgentID: DrainRecord] = [:]
    /// Frameworks the registry holds.
    var registeredFrameworks: Set<FrameworkID> = []
    /// An agent's total after the reservation writes still under way: each write carries the
    /// ones before it.
    var reservationsInFlight: [AgentID: Resources] = [:]
    /// Agents whose drain is being recorded as finished.
    var drainsCompleting: Set<AgentID> = []
    /// The live tasks on each agent, so an agent's re-registration or removal visits its own
    /// tasks rather than every task of the cluster.
    var tasksOnAgent: [AgentID: Set<TaskKey>] = [:]
    /// Operator API subscribers, by stream ID.
    var operatorStreams: [String: EventStream] = [:]
    /// What the metrics count as the master goes.
    var counters = MasterCounters()
    /// The latest refused subscriptions (newest last), so an operator can see why a framework
    /// never appeared.
    var refusedSubscriptions = Deque<RefusedSubscription>()
    /// The maintenance schedule and the machines taken down, as stored in the registry.
    var maintenance = MaintenanceState()
    /// When the next agent may be marked unreachable (`--agent_removal_rate_limit`).
    var nextRemovalSlot = ContinuousClock.now
    var offers: [OfferID: OfferEntry] = [:]
    var allocator: AllocatorCore
    var nextFrameworkNumber = 0
    var nextAgentNumber = 0
    var nextOfferNumber = 0
    var allocationPending = false
    var background: [Task<Void, Never>] = []
    var registrar: Registrar
    let onRegistryFailure: @Sendable (String) -> Void
    /// Operator decisions, mirrored from the registry.
    var weights: [String: Double] = [:]
    var quotas: [String: QuotaConfig] = [:]
    /// Dynamic reservations per agent, as stored; reapplied when an agent registers.
    var storedReservations: [AgentID: [Resource]] = [:]

    /// - Parameter onRegistryFailure: what to do once a registry write failed; by default the
    ///   process exits, because its view and the stored one may now differ.
    public init(config: MasterConfig, registry: any RegistryStore = InMemoryRegistry(),
                logger: Logger = Logger(label: "plinth.master"),
                onRegistryFailure: (@Sendable (String) -> Void)? = nil) {
        self.config = config
        self.registrar = Registrar(store: registry)
        self.onRegistryFailure = onRegistryFailure ?? { reason in
            FileHandle.standardError.write(Data("plinth master: \(reason); exiting\n".utf8))
            exit(1)
        }
        self.logger = logger
        self.baseLogLevel = logger.logLevel
        self.allocator = AllocatorCore(config: config.allocator)
        self.startInstant = ContinuousClock.now
        self.startTime = Date().timeIntervalSince1970
        self.info = MasterInfo(id: UUID().uuidString.lowercased(), ip: config.advertiseIP ?? config.ip,
                               port: config.advertisePort ?? config.port,
                               hostname: config.hostname, version: plinthMesosVersion)
    }

    /// Seconds since the master started, from the monotonic clock: what the allocator's
    /// filters and offer timeouts are measured in.
    var now: Double {
        let elapsed = ContinuousClock.now - startInstant
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    var wallClock: Double { Date().timeIntervalSince1970 }

    /// Recovers the registry (from `registry` when given: a leader's store exists only once it is
    /// elected), then starts the periodic allocation loop. Called once by the server.
    public func start(registry: (any RegistryStore)? = nil) async throws {
        if let registry { registrar = Registrar(store: registry) }
        let state = try await registrar.recover()
        for (role, weight) in config.weights.merging(state.weights, uniquingKeysWith: { $1 }) {
            applyWeight(weight, role: role)
        }
        for config in state.quotas.values { applyQuota(config) }
        storedReservations = state.reservations
        goneAgents = Set(state.gone.keys)
        unreachableAgents = state.unreachable
        storedDrains = state.drains
        maintenance = state.maintenance
        registeredFrameworks = Set(state.frameworks.keys)
        recoveredAgents = state.agents
        if !recoveredAgents.isEmpty { awaitRecoveredAgents() }
        let interval = config.allocationInterval
        background.append(Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await self?.periodicTick()
            }
        })
    }

    /// Ends every stream so the HTTP server can finish its in-flight responses and stop.
    public func shutdown() {
        background.forEach { $0.cancel() }
        for framework in frameworks.values { framework.stream?.finish() }
        for agent in agents.values { agent.stream?.finish() }
    }

    /// Stores registry changes before the master acts on them. False when they could not be
    /// stored: the master is then done for (see `onRegistryFailure`).
    func persist(_ operations: [RegistryOperation]) async -> Bool {
        do {
            try await registrar.apply(operations)
            return true
        } catch {
            logger.critical("Registry write failed: \(error)")
            onRegistryFailure("Failed to write the registry: \(error)")
            return false
        }
    }

    func periodicTick() {
        expireOffers()
        runAllocation()
    }

    /// Asks for an allocation soon, coalescing bursts of events into one round.
    func requestAllocation() {
        guard !allocationPending, let delay = config.eagerAllocationDelay else { return }
        allocationPending = true
        Task { [weak self] in
            try? await Task.sleep(for: delay)
            await self?.runAllocation()
        }
    }

    func newFrameworkID() -> FrameworkID {
        defer { nextFrameworkNumber += 1 }
        return FrameworkID("\(info.id)-\(String(format: "%04d", nextFrameworkNumber))")
    }

    func newAgentID() -> AgentID {
        defer { nextAgentNumber += 1 }
        return AgentID("\(info.id)-S\(nextAgentNumber)")
    }

    func newOfferID() -> OfferID {
        defer { nextOfferNumber += 1 }
        return OfferID("\(info.id)-O\(nextOfferNumber)")
    }

    func send(_ event: Event, to id: FrameworkID) {
        frameworks[id]?.stream?.send(event)
    }

    func send(_ event: AgentEvent, toAgent id: AgentID) -> Bool {
        guard let agent = agents[id], agent.active, let stream = agent.stream else { return false }
        stream.send(event)
        return true
    }
}
