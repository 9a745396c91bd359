import ArgumentParser
import Foundation

/// `plinth task log ID`: a task's stdout (or stderr) from its agent's sandbox, and with
/// `--follow` every line written after, until interrupted.
struct TaskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "task", abstract: "Look at one task.",
                                                    subcommands: [TaskLogCommand.self])
}

struct TaskLogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Print a task's stdout (or --stderr); --follow keeps printing new output.",
        discussion: "Exits 1 if the task, its agent or its sandbox cannot be found.")
    @OptionGroup var cluster: ClusterOptions
    @Argument(help: "The task's ID.") var taskID: String
    @Flag(name: .customLong("follow"), help: "Keep printing what the task writes.") var follow = false
    @Flag(name: .customLong("stderr"), help: "Print stderr instead of stdout.") var stderr = false

    func run() async throws {
        let address = try await cluster.address()
        try await ClusterReader.with { reader in
            let file = try await sandboxFile(reader, master: address)
            var offset = 0
            while true {
                let encoded = file.path.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? file.path
                let chunk = try await reader.object("http://\(file.agent)/files/read?path=\(encoded)&offset=\(offset)")
                let data = chunk.string("data")
                if !data.isEmpty {
                    FileHandle.standardOutput.write(Data(data.utf8))
                    offset += data.utf8.count
                    continue  // an agent answers at most 16 MB a read: there may be more at once
                }
                guard follow else { return }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    /// The agent (`host:port`) running the task and the path of its stdout or stderr.
    private func sandboxFile(_ reader: ClusterReader, master: String) async throws -> (agent: String, path: String) {
        let encoded = taskID.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? taskID
        let listing = try await reader.object("http://\(master)/master/tasks?task_id=\(encoded)&limit=1")
        guard let task = listing.objects("tasks").first else { throw CLIError("No task '\(taskID)'") }
        let agents = try await reader.object("http://\(master)/master/slaves").objects("slaves")
        guard let agent = agents.first(where: { $0.string("id") == task.string("slave_id") }),
              let endpoint = agent.string("pid").split(separator: "@").last.map(String.init) else {
            throw CLIError("The agent of task '\(taskID)' (\(task.string("slave_id"))) is not registered")
        }
        let state = try await reader.object("http://\(endpoint)/state")
        guard let directory = Self.directory(of: taskID, in: state) else {
            throw CLIError("Agent \(endpoint) has no sandbox for task '\(taskID)'")
        }
        return (endpoint, "\(directory)/\(stderr ? "stderr" : "stdout")")
    }

    /// Looks for the task in the agent's `/state` wherever it lists tasks with their directory.
    static func directory(of taskID: String, in value: Any) -> String? {
        if let object = value as? [String: Any] {
            if object.string("id") == taskID, let directory = object["directory"] as? String { return directory }
            for child in object.values { if let found = directory(of: taskID, in: child) { return found } }
        } else if let array = value as? [Any] {
            for child in array { if let found = directory(of: taskID, in: child) { return found } }
        }
        return nil
    }
}
