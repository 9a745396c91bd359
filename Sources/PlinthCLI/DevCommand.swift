import Agent
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import Master
import ServiceLifecycle

struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run a master and one agent in one process: a whole cluster for development.",
        discussion: "Ctrl-C stops everything, tasks included.")

    @Option(name: .customLong("ip"), help: "IP address to listen on (default 127.0.0.1).") var ip: String?
    @Option(name: .customLong("port"), help: "The master's port (default 5050); the agent takes the next one.")
    var port: Int?
    @Option(name: .customLong("work_dir"), help: "Directory for state and sandboxes (default: a new temporary one).")
    var workDir: String?
    @Option(name: .customLong("resources"), help: "The agent's resources (default: detected).") var resources: String?
    @OptionGroup var containers: ContainerOptions

    func run() async throws {
        let ip = Flags.resolve(self.ip, "ip", default: "127.0.0.1")
        let port = try port ?? Int(Flags.env("port") ?? "5050").orThrow("Invalid --port")
        let dir = try Flags.resolve(workDir, "work_dir") ?? DevCommand.temporaryDirectory()
        let logger = Logger(label: "plinth.dev")
        let masterConfig = MasterConfig(ip: ip, port: port, workDir: "\(dir)/master")
        let master = Master(config: masterConfig, registry: try MasterCommand.registry(for: masterConfig), logger: logger)
        var configured = try AgentCommand.config(
            master: "\(ip):\(port)", ip: ip, port: port + 1, hostname: nil, workDir: "\(dir)/agent",
            resources: Flags.resolve(resources, "resources"), attributes: nil)
        try containers.apply(to: &configured)
        try AgentCommand.recover(&configured, mode: "reconnect")
        let agentConfig = configured
        let runtime: ContainerRuntime
        do {
            runtime = try ContainerRuntime.prepare(agentConfig)
        } catch {
            throw CLIError("Failed to start the agent: \(error)")
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let agent = Agent(config: agentConfig, runtime: runtime, http: http, logger: logger)
        let masterApp = MasterServer(master: master).application(logger: logger) { bound in
            say("""
                Plinth is running: master at http://\(ip):\(bound), one agent with \(agentConfig.resources)
                Work directory: \(dir)
                Point a framework at it, e.g. MesosSchedulerDriver(scheduler, framework, "\(ip):\(bound)")
                or run a task: plinth execute --master=\(ip):\(bound) --name=hello --command="echo hello"
                Press Ctrl-C to stop.
                """)
        }
        let agentApp = AgentServer(agent: agent).application(logger: logger)
        try await master.start()
        let hook = LifecycleHook(
            start: { await agent.start() },
            stop: { await agent.shutdown(); await master.shutdown() })
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: masterApp), .init(service: agentApp), .init(service: hook)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        try await http.shutdown()
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "plinth-dev-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
