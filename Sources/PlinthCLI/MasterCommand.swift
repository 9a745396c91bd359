import ArgumentParser
import Election
import Foundation
import Logging
import Master
import MesosAPI
import Registry
import Allocator
import ServiceLifecycle
import ZooKeeper

struct MasterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "master",
        abstract: "Run a master: it pools the agents' resources and offers them to frameworks.",
        discussion: "Frameworks connect to http://IP:PORT/api/v1/scheduler. Every flag can also be set as PLINTH_<FLAG> or MESOS_<FLAG>.")

    @Option(name: .customLong("ip"), help: "IP address to listen on (default 127.0.0.1).") var ip: String?
    @Option(name: .customLong("port"), help: "Port to listen on (default 5050).") var port: Int?
    @Option(name: .customLong("hostname"), help: "Hostname to advertise (default: the IP).") var hostname: String?
    @Option(name: .customLong("advertise_ip"), help: "IP address others reach this process at, if not --ip (e.g. with --ip=0.0.0.0).")
    var advertiseIP: String?
    @Option(name: .customLong("advertise_port"), help: "Port others reach this process at, if not --port.")
    var advertisePort: Int?
    @Option(name: .customLong("work_dir"), help: "Directory for the master's state.") var workDir: String?
    @Option(name: .customLong("log_dir"), help: "Directory the master also writes its log to (plinth-master.log), served as /master/log.")
    var logDir: String?
    @Option(name: .customLong("allocation_interval"), help: "Time between allocation rounds (default 1secs).")
    var allocationInterval: String?
    @Option(name: .customLong("offer_timeout"), help: "Rescind offers not answered within this time (default: never).")
    var offerTimeout: String?
    @Option(name: .customLong("weights"), help: "Initial role weights, e.g. 'eng=2,ops=3'.") var weights: String?
    @Option(name: .customLong("roles"), help: "If set, the only roles frameworks may use, e.g. 'eng,ops'.")
    var roles: String?
    @Option(name: .customLong("min_allocatable_resources"),
            help: "Smallest offer worth making, alternatives separated by '|' (default cpus:0.01|mem:32).")
    var minAllocatable: String?
    @Option(name: .customLong("role_sorter"), help: "How roles are ordered for offers: drf (default) or random.")
    var roleSorter: String?
    @Option(name: .customLong("framework_sorter"), help: "How a role's frameworks are ordered: drf (default) or random.")
    var frameworkSorter: String?
    @Option(name: .customLong("zk"),
            help: "zk://host:port[,host:port]/path: run as one of several masters, elected through ZooKeeper.")
    var zk: String?
    @Option(name: .customLong("quorum"), help: "With --zk: how many masters make a quorum (Mesos's flag; recorded, not needed: ZooKeeper holds the election).")
    var quorum: Int?
    @Option(name: .customLong("zk_session_timeout"), help: "ZooKeeper session timeout (default 2secs): how soon a dead leader is replaced.")
    var zkSessionTimeout: String?
    @Option(name: .customLong("agent_reregister_timeout"),
            help: "After a failover or restart, how long admitted agents have to come back before they are marked unreachable (default 10mins).")
    var agentReregisterTimeout: String?
    @Option(name: .customLong("agent_removal_rate_limit"),
            help: "At most this many agents marked unreachable per interval, e.g. '1/20mins' (default: no limit).")
    var agentRemovalRateLimit: String?
    @Option(name: .customLong("recovery_agent_removal_limit"),
            help: "After a recovery, mark none unreachable if more than this share of admitted agents is missing (default 100%).")
    var recoveryAgentRemovalLimit: String?
    @Option(name: .customLong("agent_ping_timeout"), help: "How long an agent's link may be down per ping (default 15secs).")
    var agentPingTimeout: String?
    @Option(name: .customLong("max_agent_ping_timeouts"),
            help: "Ping timeouts before a disconnected agent is marked unreachable (default 5).")
    var maxAgentPingTimeouts: Int?

    func config() throws -> MasterConfig {
        let ip = Flags.resolve(self.ip, "ip", default: "127.0.0.1")
        let port = try port ?? Int(Flags.env("port") ?? "5050").orThrow("Invalid --port")
        var config = MasterConfig(
            ip: ip, port: port, hostname: Flags.resolve(hostname, "hostname"),
            workDir: Flags.resolve(workDir, "work_dir"),
            allocationInterval: try Flags.duration(Flags.resolve(allocationInterval, "allocation_interval", default: "1secs")),
            offerTimeout: try Flags.resolve(offerTimeout, "offer_timeout").map(Flags.duration))
        if let text = Flags.resolve(weights, "weights") { config.weights = try MasterCommand.parseWeights(text) }
        if let text = Flags.resolve(minAllocatable, "min_allocatable_resources") {
            config.allocator.minAllocatable = try MasterCommand.parseMinAllocatable(text)
        }
        config.allocator.roleSorter = try MasterCommand.sorter(Flags.resolve(roleSorter, "role_sorter"), flag: "role_sorter")
        config.allocator.frameworkSorter = try MasterCommand.sorter(Flags.resolve(frameworkSorter, "framework_sorter"),
                                                                    flag: "framework_sorter")
        if let text = Flags.resolve(roles, "roles") {
            let list = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for role in list { if let problem = RoleName.check(role) { throw CLIError("Invalid --roles: \(problem)") } }
            config.roleWhitelist = Set(list)
        }
        config.logDir = Flags.resolve(logDir, "log_dir")
        config.advertiseIP = Flags.resolve(advertiseIP, "advertise_ip")
        config.advertisePort = try advertisePort ?? Flags.env("advertise_port").map { try Int($0).orThrow("Invalid --advertise_port") }
        try recoverySettings(&config)
        config.flags = flagValues(config)
        return config
    }

    /// Every flag with the value in effect (given, from the environment, or the default).
    func flagValues(_ config: MasterConfig) -> [String: String] {
        var flags: [String: String] = [
            "ip": config.ip, "port": "\(config.port)", "hostname": config.hostname,
            "allocation_interval": Flags.resolve(allocationInterval, "allocation_interval", default: "1secs"),
            "agent_reregister_timeout": Flags.resolve(agentReregisterTimeout, "agent_reregister_timeout", default: "10mins"),
            "recovery_agent_removal_limit": Flags.resolve(recoveryAgentRemovalLimit, "recovery_agent_removal_limit", default: "100%"),
            "agent_ping_timeout": Flags.resolve(agentPingTimeout, "agent_ping_timeout", default: "15secs"),
            "max_agent_ping_timeouts": maxAgentPingTimeouts.map(String.init) ?? Flags.env("max_agent_ping_timeouts") ?? "5",
            "role_sorter": Flags.resolve(roleSorter, "role_sorter", default: "drf"),
            "framework_sorter": Flags.resolve(frameworkSorter, "framework_sorter", default: "drf"),
            "zk_session_timeout": Flags.resolve(zkSessionTimeout, "zk_session_timeout", default: "2secs"),
        ]
        let optional: [(String, String?)] = [
            ("work_dir", config.workDir), ("log_dir", config.logDir), ("offer_timeout", Flags.resolve(offerTimeout, "offer_timeout")),
            ("weights", Flags.resolve(weights, "weights")), ("roles", Flags.resolve(roles, "roles")),
            ("min_allocatable_resources", Flags.resolve(minAllocatable, "min_allocatable_resources")),
            ("zk", Flags.resolve(zk, "zk")), ("quorum", quorum.map(String.init) ?? Flags.env("quorum")),
            ("agent_removal_rate_limit", Flags.resolve(agentRemovalRateLimit, "agent_removal_rate_limit")),
        ]
        for case let (name, value?) in optional { flags[name] = value }
        if let ip = config.advertiseIP { flags["advertise_ip"] = ip }
        if let port = config.advertisePort { flags["advertise_port"] = "\(port)" }
        return flags
    }

    func run() async throws {
        let config = try config()
        if let dir = config.workDir { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let logger = try LogFile.logger(label: "plinth.master", file: config.logFile)
        let master = Master(config: config, registry: try MasterCommand.registry(for: config), logger: logger)
        let election = try electionSettings()
        let gate = LeaderGate(election == nil ? .leading : .following(leader: nil))
        let app = MasterServer(master: master, gate: gate).application(logger: logger) { port in
            say("Master \(master.info.id) listening on http://\(config.ip):\(port)")
        }
        var start: @Sendable () async -> Void = {}
        if let (url, timeout) = election {
            start = { Task { await MasterElection.run(url: url, sessionTimeout: timeout, master: master, gate: gate, logger: logger) } }
        } else {
            // Recover the registry before the server accepts anyone: an agent that registers must
            // find its reservations.
            try await master.start()
        }
        let hook = LifecycleHook(start: start, stop: { await master.shutdown() })
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: app), .init(service: hook)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

extension MasterCommand {
    func electionSettings() throws -> (ZooKeeperURL, Duration)? {
        guard let text = Flags.resolve(zk, "zk") else { return nil }
        let url: ZooKeeperURL
        do {
            url = try ZooKeeperURL(parsing: text)
        } catch {
            throw CLIError("Invalid --zk '\(text)': \(error); expected zk://host:port[,host:port]/path")
        }
        if let quorum = try quorum ?? Flags.env("quorum").map({ try Int($0).orThrow("Invalid --quorum") }), quorum < 1 {
            throw CLIError("Invalid --quorum \(quorum): expected a positive number")
        }
        let timeout = try Flags.duration(Flags.resolve(zkSessionTimeout, "zk_session_timeout", default: "2secs"))
        return (url, timeout)
    }

    /// The flags that decide when an agent is marked unreachable.
    func recoverySettings(_ config: inout MasterConfig) throws {
        config.agentReregisterTimeout = try Flags.duration(
            Flags.resolve(agentReregisterTimeout, "agent_reregister_timeout", default: "10mins"))
        if let text = Flags.resolve(agentRemovalRateLimit, "agent_removal_rate_limit") {
            config.agentRemovalInterval = try MasterCommand.parseRateLimit(text)
        }
        let limit = Flags.resolve(recoveryAgentRemovalLimit, "recovery_agent_removal_limit", default: "100%")
        guard limit.hasSuffix("%"), let percent = Double(limit.dropLast()), (0...100).contains(percent) else {
            throw CLIError("Invalid --recovery_agent_removal_limit '\(limit)': expected a percentage such as 50%")
        }
        config.recoveryAgentRemovalLimit = percent / 100
        let ping = try Flags.duration(Flags.resolve(agentPingTimeout, "agent_ping_timeout", default: "15secs"))
        let pings = try maxAgentPingTimeouts ?? Int(Flags.env("max_agent_ping_timeouts") ?? "5")
            .orThrow("Invalid --max_agent_ping_timeouts")
        guard pings > 0 else { throw CLIError("Invalid --max_agent_ping_timeouts \(pings): expected a positive number") }
        config.agentRemovalTimeout = ping * pings
    }

    /// `N/DURATION`, Mesos's form: one removal per DURATION/N.
    static func parseRateLimit(_ text: String) throws -> Duration {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let count = Int(parts[0]), count > 0,
              let interval = try? Flags.duration(parts[1]), interval > .zero else {
            throw CLIError("Invalid --agent_removal_rate_limit '\(text)': expected agents/interval such as 1/20mins")
        }
        return interval / count
    }

    /// `eng=2,ops=3` (Mesos's form).
    static func parseWeights(_ text: String) throws -> [String: Double] {
        var weights: [String: Double] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let weight = Double(parts[1]), weight > 0, weight.isFinite else {
                throw CLIError("Invalid --weights entry '\(pair)': expected role=positive number")
            }
            if let problem = RoleName.check(parts[0]) { throw CLIError("Invalid --weights: \(problem)") }
            weights[parts[0]] = weight
        }
        return weights
    }

    /// `cpus:0.01|mem:32`: each alternative is a set of minimum scalar quantities.
    static func parseMinAllocatable(_ text: String) throws -> [[String: Double]] {
        try text.split(separator: "|").map { alternative in
            let parsed = try Resources.parse(String(alternative))
            guard !parsed.isEmpty else { throw CLIError("Invalid --min_allocatable_resources: empty alternative") }
            return parsed.scalars
        }
    }

    static func sorter(_ text: String?, flag: String) throws -> SorterKind {
        switch text ?? "drf" {
        case "drf": return .drf
        case "random": return .random(seed: UInt64.random(in: 0...UInt64.max))
        default: throw CLIError("Invalid --\(flag) '\(text ?? "")': expected drf or random")
        }
    }

    /// The registry lives in `work_dir/registry.sqlite`; without a work dir nothing is kept.
    static func registry(for config: MasterConfig) throws -> any RegistryStore {
        guard let dir = config.workDir else { return InMemoryRegistry() }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        do {
            return try SQLiteRegistry(path: "\(dir)/registry.sqlite")
        } catch {
            throw CLIError("Cannot open the registry in \(dir): \(error)")
        }
    }
}

extension Optional {
    func orThrow(_ message: String) throws -> Wrapped {
        guard let value = self else { throw CLIError(message) }
        return value
    }
}
