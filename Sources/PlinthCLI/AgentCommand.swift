import Agent
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Isolation
import Logging
import MesosAPI
import ServiceLifecycle

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run an agent: it registers with a master and runs the tasks launched on it.",
        discussion: "Every flag can also be set as PLINTH_<FLAG> or MESOS_<FLAG>.")

    @Option(name: .customLong("master"), help: "The master, as host:port, or zk://host:port[,host:port]/path to follow the elected one.") var master: String?
    @Option(name: .customLong("ip"), help: "IP address to listen on (default 127.0.0.1).") var ip: String?
    @Option(name: .customLong("port"), help: "Port to listen on (default 5051).") var port: Int?
    @Option(name: .customLong("hostname"), help: "Hostname to advertise (default: the IP).") var hostname: String?
    @Option(name: .customLong("advertise_ip"), help: "IP address others reach this process at, if not --ip (e.g. with --ip=0.0.0.0).")
    var advertiseIP: String?
    @Option(name: .customLong("advertise_port"), help: "Port others reach this process at, if not --port.")
    var advertisePort: Int?
    @Option(name: .customLong("work_dir"), help: "Directory for sandboxes and agent state.") var workDir: String?
    @Option(name: .customLong("resources"),
            help: "Resources to offer, e.g. 'cpus:4;mem:4096;ports:[31000-32000]' or a JSON array. Unnamed ones are detected.")
    var resources: String?
    @Option(name: .customLong("attributes"), help: "Attributes, e.g. 'rack:r1;zone:z2'.") var attributes: String?
    @Option(name: .customLong("switch_user"),
            help: "Run tasks as their framework's user when the agent is root (true, the default, or false).")
    var switchUser: String?
    @Flag(name: .customLong("no-switch_user"), help: "Run every task as the agent's own user.")
    var noSwitchUser = false
    @OptionGroup var containers: ContainerOptions
    @Option(name: .customLong("zk_session_timeout"),
            help: "With --master=zk://...: the ZooKeeper session timeout for following the election (default 10secs).")
    var zkSessionTimeout: String?
    @Option(name: .customLong("recover"),
            help: "reconnect (the default): come back under the checkpointed agent ID; cleanup: start as a new agent.")
    var recover: String?

    func config() throws -> AgentConfig {
        guard let masterFlag = Flags.resolve(master, "master") else { throw CLIError("--master is required") }
        guard let dir = Flags.resolve(workDir, "work_dir") else { throw CLIError("--work_dir is required") }
        let port = try port ?? Int(Flags.env("port") ?? "5051").orThrow("Invalid --port")
        var config = try AgentCommand.config(master: masterFlag, ip: Flags.resolve(ip, "ip", default: "127.0.0.1"),
                                       port: port, hostname: Flags.resolve(hostname, "hostname"), workDir: dir,
                                       resources: Flags.resolve(resources, "resources"),
                                       attributes: Flags.resolve(attributes, "attributes"))
        switch Flags.resolve(switchUser, "switch_user")?.lowercased() {
        case nil, "true", "1": config.switchUser = !noSwitchUser
        case "false", "0": config.switchUser = false
        case let other?: throw CLIError("Invalid --switch_user '\(other)': expected true or false")
        }
        try containers.apply(to: &config)
        config.advertiseIP = Flags.resolve(advertiseIP, "advertise_ip")
        config.advertisePort = try advertisePort ?? Flags.env("advertise_port").map { try Int($0).orThrow("Invalid --advertise_port") }
        if let timeout = Flags.resolve(zkSessionTimeout, "zk_session_timeout") {
            config.zkSessionTimeout = try Flags.duration(timeout)
        }
        try AgentCommand.recover(&config, mode: Flags.resolve(recover, "recover", default: "reconnect"))
        config.flags = [
            "master": masterFlag, "ip": config.ip, "port": "\(config.port)", "hostname": config.hostname,
            "work_dir": dir, "resources": "\(config.resources)", "switch_user": "\(config.switchUser)",
            "isolation": Flags.resolve(containers.isolation, "isolation", default: IsolationConfig.defaultFlag),
            "recover": Flags.resolve(recover, "recover", default: "reconnect"),
            "executor_reregistration_timeout": "\(config.executorReregistrationTimeout.components.seconds)secs",
        ]
        if let attributes = Flags.resolve(attributes, "attributes") { config.flags["attributes"] = attributes }
        if let ip = config.advertiseIP { config.flags["advertise_ip"] = ip }
        if let port = config.advertisePort { config.flags["advertise_port"] = "\(port)" }
        return config
    }

    /// Reads the agent's checkpoint: the ID to come back under and the checkpointing frameworks'
    /// tasks to re-attach to, unless `--recover=cleanup`. Whatever else a killed previous run
    /// left running in its sandboxes is killed here.
    static func recover(_ config: inout AgentConfig, mode: String) throws {
        let checkpoint = AgentCheckpoint(workDir: config.workDir)
        switch mode {
        case "reconnect":
            do {
                config.recoveredAgentID = try checkpoint.recover(resources: config.resources, attributes: config.attributes)
            } catch {
                throw CLIError("Failed to recover the agent: \(error)")
            }
        case "cleanup":
            checkpoint.clear()
        default:
            throw CLIError("Invalid --recover '\(mode)': expected reconnect or cleanup")
        }
        if let id = config.recoveredAgentID {
            config.recovered = AgentRecovery.load(workDir: config.workDir, agentID: id)
        }
        let spared: (groups: Set<pid_t>, sandboxes: [String]) = config.recovered?.spared ?? ([], [])
        let killed = AgentCheckpoint.killOrphans(under: "\(config.workDir)/slaves", sparing: spared)
        if killed > 0 { say("Killed \(killed) processes a previous run of the agent left in its sandboxes") }
        if let id = config.recoveredAgentID {
            say("Recovering as agent \(id.value): \(config.recovered?.taskCount ?? 0) tasks of checkpointing frameworks, \(spared.groups.count) still running")
        }
    }

    static func config(master: String, ip: String, port: Int, hostname: String?, workDir: String,
                       resources: String?, attributes: String?) throws -> AgentConfig {
        try FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true)
        var given = Resources()
        if let text = resources {
            do {
                given = try Resources.parse(text)
            } catch {
                throw CLIError("Invalid --resources: \(error)")
            }
        }
        return AgentConfig(master: try Flags.masterAddress(master), ip: ip, port: port, hostname: hostname,
                           workDir: workDir, resources: ResourceDetection.detect(workDir: workDir, given: given),
                           attributes: attributes.map(ResourceDetection.parseAttributes) ?? [])
    }

    func run() async throws {
        let config = try config()
        let logger = Logger(label: "plinth.agent")
        // A master that just died or was just elected must not hold a connection attempt for
        // the client's default 10 s: the link retries, and a failover is measured in seconds.
        var httpConfig = HTTPClient.Configuration()
        httpConfig.timeout.connect = .milliseconds(500)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfig)
        let runtime: ContainerRuntime
        do {
            runtime = try ContainerRuntime.prepare(config)
        } catch {
            try? await http.shutdown()
            throw CLIError("Failed to start the agent: \(error)")
        }
        let agent = Agent(config: config, runtime: runtime, http: http, logger: logger)
        let app = AgentServer(agent: agent).application(logger: logger) { port in
            say("Agent listening on http://\(config.ip):\(port), offering \(config.resources)")
        }
        let hook = LifecycleHook(start: { await agent.start() }, stop: { await agent.shutdown(keepRecoverable: true) })
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: app), .init(service: hook)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        try await http.shutdown()
    }
}
