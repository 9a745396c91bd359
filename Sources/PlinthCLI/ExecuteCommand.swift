import ArgumentParser
import AsyncHTTPClient
import Foundation
import HTTPSupport
import MesosAPI
import SchedulerClient

struct ExecuteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "execute",
        abstract: "Launch one task, print its state changes and its stdout, and exit with its outcome.",
        discussion: "Exits 0 only when the task reaches TASK_FINISHED.")

    @Option(name: .customLong("master"), help: "The master, as host:port, or zk://host:port[,host:port]/path to follow the elected one.") var master: String?
    @Option(name: .customLong("name"), help: "The task's name, also its ID.") var name: String
    @Option(name: .customLong("command"), help: "Shell command to run.") var command: String
    @Option(name: .customLong("resources"), help: "Resources for the task (default cpus:0.1;mem:32).")
    var resources: String = "cpus:0.1;mem:32"
    @Option(name: .customLong("timeout"), help: "Give up after this long (default 10mins).") var timeout: String = "10mins"

    func run() async throws {
        guard let masterFlag = Flags.resolve(master, "master") else { throw CLIError("--master is required") }
        let address = try await Flags.leaderAddress(Flags.masterAddress(masterFlag))
        let needed = try Resources.parse(resources)
        let limit = try Flags.duration(timeout)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let outcome: TaskStatus?
        do {
            outcome = try await withThrowingTaskGroup(of: TaskStatus?.self) { group in
                group.addTask { try await runTask(master: address, needed: needed, http: http) }
                group.addTask { try await Task.sleep(for: limit); return nil }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
        } catch {
            try? await http.shutdown()
            throw CLIError("\(error)")
        }
        try? await http.shutdown()
        guard let outcome else {
            say("Timed out after \(timeout) waiting for the task to finish")
            throw ExitCode(2)
        }
        if outcome.state != .TASK_FINISHED {
            say("Task '\(name)' ended in \(outcome.state.rawValue): \(outcome.message ?? "no message")")
            throw ExitCode(1)
        }
    }

    private func runTask(master: String, needed: Resources, http: HTTPClient) async throws -> TaskStatus {
        let client = SchedulerClient(master: master, http: http)
        let connection = try await client.subscribe(FrameworkInfo(user: "", name: "plinth-execute"))
        say("Subscribed with framework ID \(connection.frameworkID)")
        var launchedOn: Offer?
        for try await event in connection.events {
            switch event.type {
            case .OFFERS:
                for offer in event.offers?.offers ?? [] {
                    if launchedOn == nil, Resources(offer.resources).contains(needed) {
                        let task = TaskInfo(name: name, taskId: TaskID(name), agentId: offer.agentId,
                                            resources: needed.resources, command: CommandInfo(value: command))
                        try await connection.launch([task], offers: [offer.id])
                        launchedOn = offer
                        say("Launched task '\(name)' on agent \(offer.agentId)")
                    } else {
                        try await connection.decline([offer.id], refuseSeconds: 3600)
                    }
                }
            case .UPDATE:
                guard let status = event.update?.status else { continue }
                let detail = status.message.map { ": \($0)" } ?? ""
                say("Received status update \(status.state.rawValue) for task '\(status.taskId)'\(detail)")
                try await connection.acknowledge(status)
                if status.state.isTerminal {
                    if let offer = launchedOn { await printOutput(of: offer, http: http) }
                    try? await connection.teardown()
                    return status
                }
            case .ERROR:
                throw CLIError("The master refused the framework: \(event.error?.message ?? "")")
            default:
                continue
            }
        }
        throw CLIError("The master closed the connection")
    }

    /// Reads the task's stdout from its agent's sandbox through the agent's `/files/read`.
    private func printOutput(of offer: Offer, http: HTTPClient) async {
        guard let address = offer.url?.address, let ip = address.ip else { return }
        let client = StreamingClient(http: http)
        let base = "http://\(ip):\(address.port)"
        guard let state = try? await client.get(url: "\(base)/state"),
              let json = try? JSONSerialization.jsonObject(with: state.body) as? [String: Any] else { return }
        let tasks = (json["tasks"] as? [[String: Any]] ?? []) + (json["completed_tasks"] as? [[String: Any]] ?? [])
        guard let directory = tasks.first(where: { $0["id"] as? String == name })?["directory"] as? String else { return }
        let path = "\(directory)/stdout".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""
        guard let read = try? await client.get(url: "\(base)/files/read?path=\(path)&offset=0"),
              let body = try? JSONSerialization.jsonObject(with: read.body) as? [String: Any],
              let data = body["data"] as? String else { return }
        say("--- stdout of task '\(name)' ---")
        say(data, terminator: data.hasSuffix("\n") || data.isEmpty ? "" : "\n")
    }
}
