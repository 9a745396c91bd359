import Agent
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import Master
import MesosAPI
import SchedulerClient
import ServiceLifecycle

/// A master and an agent in this process, on loopback ports the OS picks: what in-process
/// tests (and a framework author's own tests) run against.
public final class InProcessCluster: Sendable {
    public let master: Master
    public let agent: Agent
    public let http: HTTPClient
    public let masterAddress: String
    /// The agent's `host:port`, for its HTTP endpoints (`/files/*`, `/monitor/statistics`).
    public let agentAddress: String
    public let workDir: String
    private let groups: [ServiceGroup]
    private let running: [Task<Void, any Error>]

    private init(master: Master, agent: Agent, http: HTTPClient, masterAddress: String, agentAddress: String,
                 workDir: String, groups: [ServiceGroup], running: [Task<Void, any Error>]) {
        self.master = master; self.agent = agent; self.http = http
        self.masterAddress = masterAddress; self.agentAddress = agentAddress; self.workDir = workDir; self.groups = groups; self.running = running
    }

    /// `configure` adjusts the agent's configuration (isolation, image registry, ...) before the
    /// agent's container runtime is prepared; preparing it may throw, as the agent would refuse to start.
    public static func start(resources: String = "cpus:4;mem:4096;disk:1000;ports:[31000-32000]",
                             configure: (inout AgentConfig) -> Void = { _ in }) async throws -> InProcessCluster {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let dir = NSTemporaryDirectory() + "plinth-test-\(UUID().uuidString.prefix(8))"
        let master = Master(config: MasterConfig(port: 0, allocationInterval: .milliseconds(100)), logger: logger)
        let (masterPorts, masterPort) = AsyncStream<Int>.makeStream()
        let masterApp = MasterServer(master: master).application(logger: logger) { masterPort.yield($0) }
        let masterGroup = ServiceGroup(services: [masterApp], logger: logger)
        let masterRun = Task { try await masterGroup.run() }
        var ports = masterPorts.makeAsyncIterator()
        guard let port = await ports.next() else { throw CancellationError() }
        try await master.start()
        var agentConfig = AgentConfig(master: "127.0.0.1:\(port)", port: 0, workDir: dir,
                                      resources: try Resources.parse(resources))
        configure(&agentConfig)
        let runtime: ContainerRuntime
        do {
            runtime = try ContainerRuntime.prepare(agentConfig)
        } catch {
            await master.shutdown()
            await masterGroup.triggerGracefulShutdown()
            _ = try? await masterRun.value
            throw error
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let agent = Agent(config: agentConfig, runtime: runtime, http: http, logger: logger)
        let (agentPorts, agentPort) = AsyncStream<Int>.makeStream()
        let agentApp = AgentServer(agent: agent).application(logger: logger) { agentPort.yield($0) }
        let agentGroup = ServiceGroup(services: [agentApp], logger: logger)
        let agentRun = Task { try await agentGroup.run() }
        var boundAgent = agentPorts.makeAsyncIterator()
        guard let agentBound = await boundAgent.next() else { throw CancellationError() }
        await agent.start()
        let cluster = InProcessCluster(master: master, agent: agent, http: http, masterAddress: "127.0.0.1:\(port)",
                                       agentAddress: "127.0.0.1:\(agentBound)", workDir: dir, groups: [agentGroup, masterGroup], running: [agentRun, masterRun])
        for _ in 0..<200 where await agent.isConnected == false {
            try await Task.sleep(for: .milliseconds(20))
        }
        return cluster
    }

    /// Stops in the order the real binaries do: tasks and streams end, then the servers stop
    /// gracefully.
    public func stop() async {
        await agent.shutdown()
        await master.shutdown()
        for group in groups { await group.triggerGracefulShutdown() }
        for task in running { _ = try? await task.value }
        try? await http.shutdown()
        try? FileManager.default.removeItem(atPath: workDir)
    }

    public func subscribe(_ name: String = "test") async throws -> SchedulerConnection {
        try await SchedulerClient(master: masterAddress, http: http).subscribe(FrameworkInfo(user: "", name: name))
    }
}

/// Reads a connection's events with a deadline, acknowledging updates as pymesos does.
public struct EventReader {
    public let connection: SchedulerConnection
    var iterator: AsyncThrowingStream<Event, any Error>.AsyncIterator
    /// Offers that arrived while the test was waiting for something else.
    public var pendingOffers: [Offer] = []

    public init(_ connection: SchedulerConnection) {
        self.connection = connection
        iterator = connection.events.makeAsyncIterator()
    }

    public mutating func next(within seconds: Double = 10) async throws -> Event {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let event = try await iterator.next() {
                if event.type == .HEARTBEAT { continue }
                if let status = event.update?.status { try await connection.acknowledge(status) }
                return event
            }
            break
        }
        throw CancellationError()
    }

    public mutating func offer() async throws -> Offer {
        if !pendingOffers.isEmpty { return pendingOffers.removeFirst() }
        while true {
            let event = try await next()
            if let offer = event.offers?.offers.first { return offer }
        }
    }

    /// Updates of one task until a terminal one (or `until`) arrives.
    public mutating func updates(of task: TaskID, until state: TaskState? = nil) async throws -> [TaskStatus] {
        var seen: [TaskStatus] = []
        while true {
            let event = try await next()
            pendingOffers += event.offers?.offers ?? []
            guard let status = event.update?.status, status.taskId == task else { continue }
            seen.append(status)
            if status.state == state || (state == nil && status.state.isTerminal) { return seen }
        }
    }
}
