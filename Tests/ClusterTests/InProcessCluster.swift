import Agent
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import Master
import MesosAPI
import SchedulerClient

/// A master and an agent in this test process, on loopback ports the OS picks.
final class InProcessCluster: Sendable {
    let master: Master
    let agent: Agent
    let http: HTTPClient
    let masterAddress: String
    let workDir: String
    private let tasks: [Task<Void, any Error>]

    private init(master: Master, agent: Agent, http: HTTPClient, masterAddress: String, workDir: String,
                 tasks: [Task<Void, any Error>]) {
        self.master = master; self.agent = agent; self.http = http
        self.masterAddress = masterAddress; self.workDir = workDir; self.tasks = tasks
    }

    static func start(resources: String = "cpus:4;mem:4096;disk:1000;ports:[31000-32000]") async throws -> InProcessCluster {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let dir = NSTemporaryDirectory() + "plinth-test-\(UUID().uuidString.prefix(8))"
        let master = Master(config: MasterConfig(port: 0, allocationInterval: .milliseconds(100)), logger: logger)
        let (masterPorts, masterPort) = AsyncStream<Int>.makeStream()
        let masterApp = MasterServer(master: master).application(logger: logger) { masterPort.yield($0) }
        let masterTask = Task { try await masterApp.run() }
        var ports = masterPorts.makeAsyncIterator()
        guard let port = await ports.next() else { throw CancellationError() }
        try await master.start()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let agent = Agent(config: AgentConfig(master: "127.0.0.1:\(port)", port: 0, workDir: dir,
                                              resources: try Resources.parse(resources)),
                          http: http, logger: logger)
        let agentApp = AgentServer(agent: agent).application(logger: logger)
        let agentTask = Task { try await agentApp.run() }
        await agent.start()
        let cluster = InProcessCluster(master: master, agent: agent, http: http, masterAddress: "127.0.0.1:\(port)",
                                       workDir: dir, tasks: [masterTask, agentTask])
        for _ in 0..<200 where await agent.isConnected == false {
            try await Task.sleep(for: .milliseconds(20))
        }
        return cluster
    }

    func stop() async {
        await agent.shutdown()
        await master.shutdown()
        tasks.forEach { $0.cancel() }
        try? await http.shutdown()
        try? FileManager.default.removeItem(atPath: workDir)
    }

    func subscribe(_ name: String = "test") async throws -> SchedulerConnection {
        try await SchedulerClient(master: masterAddress, http: http).subscribe(FrameworkInfo(user: "", name: name))
    }
}

/// Reads a connection's events with a deadline, acknowledging updates as pymesos does.
struct EventReader {
    let connection: SchedulerConnection
    var iterator: AsyncThrowingStream<Event, any Error>.AsyncIterator
    /// Offers that arrived while the test was waiting for something else.
    var pendingOffers: [Offer] = []

    init(_ connection: SchedulerConnection) {
        self.connection = connection
        iterator = connection.events.makeAsyncIterator()
    }

    mutating func next(within seconds: Double = 10) async throws -> Event {
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

    mutating func offer() async throws -> Offer {
        if !pendingOffers.isEmpty { return pendingOffers.removeFirst() }
        while true {
            let event = try await next()
            if let offer = event.offers?.offers.first { return offer }
        }
    }

    /// Updates of one task until a terminal one (or `until`) arrives.
    mutating func updates(of task: TaskID, until state: TaskState? = nil) async throws -> [TaskStatus] {
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
