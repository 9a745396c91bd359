import Agent
import ArgumentParser
import Election
import Foundation
import HTTPSupport
import Logging
import Master
import MesosAPI
import Registry
import ZooKeeper

/// `plinth-bench failover`: two masters contend through a real ZooKeeper; A simulated agents
/// with their tasks register with the leader; the leader "dies" (its ZooKeeper connection is
/// cut, so its session expires as after a kill -9); the times to the standby's election and to
/// every agent re-registered with it are measured. The masters keep their registry in that
/// ZooKeeper, as `plinth master --zk` does: the first admits every agent there, and the standby's
/// election time includes reading it back.
///
/// The masters are `Master` actors in this process with no HTTP server, and the agents are not
/// processes or sockets either: each is a registration sent straight to the master's actor (the
/// same `registerAgent` the HTTP endpoint calls). What is measured is the election through
/// ZooKeeper and the master's own work, not HTTP.
struct FailoverBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failover", abstract: "Fail a leading master over with A simulated agents.")

    @Option(name: .customLong("agents")) var agents: Int = 10000
    @Option(name: .customLong("tasks-per-agent")) var tasksPerAgent: Int = 10
    @Option(name: .customLong("zk"), help: "A ZooKeeper to use, as host:port (default: start one with scripts/zookeeper-server.sh).")
    var zk: String?
    @Option(name: .customLong("zk_session_timeout_secs"), help: "The masters' ZooKeeper session timeout in seconds.")
    var sessionTimeout: Double = 2

    func run() async throws {
        var logger = Logger(label: "plinth.bench")
        // The cut connection is the point of the run, not news; the figures must end the output.
        logger.logLevel = .error
        let server = try zk == nil ? BenchZooKeeper.start() : nil
        defer { server?.stop() }
        let hosts = [zk ?? server!.hosts]
        let timeout = Duration.milliseconds(Int64(sessionTimeout * 1000))
        let path = "/plinth-bench-\(UUID().uuidString.prefix(8))"

        let first = try await BenchMaster.start(id: "m1", port: 1, hosts: hosts, path: path, timeout: timeout, logger: logger)
        try await first.waitUntilLeading()
        let second = try await BenchMaster.start(id: "m2", port: 2, hosts: hosts, path: path, timeout: timeout, logger: logger)
        let fleet = SimulatedAgents(count: agents, tasksPerAgent: tasksPerAgent)
        try await fleet.register(with: first.master)
        say("registered: \(agents) agents, \(agents * tasksPerAgent) tasks with the first leader")

        let detector = MasterDetector(url: ZooKeeperURL(hosts: hosts, path: path), sessionTimeout: .seconds(10), logger: logger)
        try await detector.start()
        let clock = ContinuousClock()
        let killed = clock.now
        await first.crash()
        try await second.waitUntilLeading()
        let elected = clock.now
        for await leader in await detector.changes() where leader?.id == second.master.info.id { break }
        try await fleet.register(with: second.master)
        let reregistered = clock.now
        let count = await second.master.activeAgentCount
        guard count == agents else { throw BenchError("only \(count) of \(agents) agents re-registered") }
        let electedMs = Int(((elected - killed) / .milliseconds(1)).rounded())
        let allMs = Int(((reregistered - elected) / .milliseconds(1)).rounded())
        let line = "failover: agents=\(agents) tasks=\(agents * tasksPerAgent) elected_ms=\(electedMs) all_reregistered_ms=\(allMs) peak_rss_mb=\(Int(BenchCluster.peakRSS(getpid()).rounded()))"
        await second.client.close()
        server?.stop()
        say(line)
    }
}

/// One in-process master contending for leadership.
struct BenchMaster {
    let master: Master
    let client: ZooKeeperClient
    let leading: LeaderGate

    static func start(id: String, port: Int, hosts: [String], path: String, timeout: Duration,
                      logger: Logger) async throws -> BenchMaster {
        var config = MasterConfig(port: port)
        config.eagerAllocationDelay = nil
        let master = Master(config: config, logger: logger, onRegistryFailure: { reason in
            FileHandle.standardError.write(Data("failover bench: master \(id): \(reason)\n".utf8))
        })
        let client = ZooKeeperClient(hosts: hosts, sessionTimeout: timeout, logger: logger)
        try await client.connect()
        let gate = LeaderGate(.following(leader: nil))
        let contender = MasterContender(client: client, path: path, info: master.info, logger: logger)
        let news = try await contender.contend()
        Task {
            for await leadership in news where leadership == .leading {
                guard let fence = await contender.candidacyPath else { continue }
                try? await master.start(registry: ZooKeeperRegistry(client: client, path: "\(path)/registry", fence: fence))
                gate.state = .leading
            }
        }
        return BenchMaster(master: master, client: client, leading: gate)
    }

    func waitUntilLeading() async throws {
        for _ in 0..<30_000 {
            if leading.state == .leading { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw BenchError("the master was not elected")
    }

    /// As after a kill -9: the connection goes and nothing comes back, so the session expires.
    func crash() async {
        await client.simulateConnectionLoss(blockingReconnect: true)
    }
}

/// A agents, each reporting its tasks, as agents do when they (re)register.
struct SimulatedAgents {
    let registrations: [AgentRegistration]

    init(count: Int, tasksPerAgent: Int) {
        var framework = FrameworkInfo(user: "bench", name: "bench")
        framework.id = FrameworkID("bench-framework")
        framework.failoverTimeout = 3600
        registrations = (0..<count).map { index in
            let agentID = AgentID("bench-agent-\(index)")
            let info = AgentInfo(hostname: "agent\(index)", port: 5051,
                                 resources: [.scalar("cpus", 16), .scalar("mem", 65536)], attributes: nil, id: agentID)
            let tasks = (0..<tasksPerAgent).map { task in
                AgentTaskReport(frameworkId: FrameworkID("bench-framework"),
                                task: TaskInfo(name: "t", taskId: TaskID("t-\(index)-\(task)"), agentId: agentID,
                                               resources: [.scalar("cpus", 0.1), .scalar("mem", 32)],
                                               command: CommandInfo(value: "sleep 1000")),
                                state: .TASK_RUNNING)
            }
            return AgentRegistration(agentInfo: info, endpoint: "10.0.\(index / 250).\(index % 250):5051",
                                     frameworks: [framework], tasks: tasks, executors: [])
        }
    }

    /// Every agent registers at once, as they do when a new leader is detected.
    func register(with master: Master) async throws {
        await withTaskGroup(of: Void.self) { group in
            for registration in registrations {
                group.addTask { _ = await master.registerAgent(registration, stream: EventStream()) }
            }
        }
    }
}

/// A throwaway ZooKeeper from the repository's script.
struct BenchZooKeeper {
    let handle: TaskProcessHandle
    let hosts: String
    let directory: String

    static func start() throws -> BenchZooKeeper {
        let script = FileManager.default.currentDirectoryPath + "/scripts/zookeeper-server.sh"
        guard FileManager.default.isExecutableFile(atPath: script) else {
            throw BenchError("no \(script): run from the repository, or pass --zk=host:port")
        }
        let port = Int.random(in: 20000..<30000)
        let directory = NSTemporaryDirectory() + "plinth-bench-zk-\(port)"
        let handle = try TaskProcessHandle(spawning: SpawnRequest(
            command: .executable(path: script, arguments: [script, "\(port)", directory]),
            environment: ProcessInfo.processInfo.environment,
            stdoutPath: "\(directory).log", stderrPath: "\(directory).log"))
        let hosts = "127.0.0.1:\(port)"
        for _ in 0..<200 where !TCPProbe.connects(port: UInt16(port), timeout: .seconds(1)) { usleep(100_000) }
        return BenchZooKeeper(handle: handle, hosts: hosts, directory: directory)
    }

    func stop() {
        handle.signalGroup(SIGKILL)
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: "\(directory).log")
    }
}
