import ArgumentParser
import Foundation
import Logging
import Master
import ServiceLifecycle

struct MasterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "master",
        abstract: "Run a master: it pools the agents' resources and offers them to frameworks.",
        discussion: "Frameworks connect to http://IP:PORT/api/v1/scheduler. Every flag can also be set as PLINTH_<FLAG> or MESOS_<FLAG>.")

    @Option(name: .customLong("ip"), help: "IP address to listen on (default 127.0.0.1).") var ip: String?
    @Option(name: .customLong("port"), help: "Port to listen on (default 5050).") var port: Int?
    @Option(name: .customLong("hostname"), help: "Hostname to advertise (default: the IP).") var hostname: String?
    @Option(name: .customLong("work_dir"), help: "Directory for the master's state.") var workDir: String?
    @Option(name: .customLong("allocation_interval"), help: "Time between allocation rounds (default 1secs).")
    var allocationInterval: String?
    @Option(name: .customLong("offer_timeout"), help: "Rescind offers not answered within this time (default: never).")
    var offerTimeout: String?

    func config() throws -> MasterConfig {
        let ip = Flags.resolve(self.ip, "ip", default: "127.0.0.1")
        let port = try port ?? Int(Flags.env("port") ?? "5050").orThrow("Invalid --port")
        return MasterConfig(
            ip: ip, port: port, hostname: Flags.resolve(hostname, "hostname"),
            workDir: Flags.resolve(workDir, "work_dir"),
            allocationInterval: try Flags.duration(Flags.resolve(allocationInterval, "allocation_interval", default: "1secs")),
            offerTimeout: try Flags.resolve(offerTimeout, "offer_timeout").map(Flags.duration))
    }

    func run() async throws {
        let config = try config()
        if let dir = config.workDir { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let logger = Logger(label: "plinth.master")
        let master = Master(config: config, logger: logger)
        let app = MasterServer(master: master).application(logger: logger) { port in
            say("Master \(master.info.id) listening on http://\(config.ip):\(port)")
        }
        let hook = LifecycleHook(start: { await master.start() }, stop: { await master.shutdown() })
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: app), .init(service: hook)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

extension Optional {
    func orThrow(_ message: String) throws -> Wrapped {
        guard let value = self else { throw CLIError(message) }
        return value
    }
}
