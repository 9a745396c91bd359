import ArgumentParser
import Foundation
import MesosAPI

/// `plinth agents`: every agent with its resources in use and its running tasks.
struct AgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agents", abstract: "List the cluster's agents.")
    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        let address = try await cluster.address()
        let summary = try await ClusterReader.with { try await $0.object("http://\(address)/master/state-summary") }
        let agents = summary.objects("slaves")
        if cluster.json { return try printJSON(agents) }
        var table = Table("ID", "HOSTNAME", "ACTIVE", "CPUS", "MEM", "RUNNING")
        for agent in agents {
            table.add(agent.string("id"), agent.string("hostname"), "\(agent.bool("active") && !agent.bool("deactivated"))",
                      usage(agent, "cpus"), usage(agent, "mem"), "\(Int(agent.number("TASK_RUNNING")))")
        }
        print(table.render())
    }
}

/// `plinth frameworks`: every framework, connected or not, with what it holds.
struct FrameworksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "frameworks", abstract: "List the cluster's frameworks.")
    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        let address = try await cluster.address()
        let summary = try await ClusterReader.with { try await $0.object("http://\(address)/master/state-summary") }
        let frameworks = summary.objects("frameworks")
        if cluster.json { return try printJSON(frameworks) }
        var table = Table("ID", "NAME", "ACTIVE", "CPUS", "MEM", "RUNNING")
        for framework in frameworks {
            let used = framework.resources("used_resources")
            table.add(framework.string("id"), framework.string("name"), "\(framework.bool("active"))",
                      format(used["cpus"]), format(used["mem"]), "\(Int(framework.number("TASK_RUNNING")))")
        }
        print(table.render())
    }
}

/// `plinth tasks`: live tasks, or with `--all` the finished ones too (newest first).
struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tasks", abstract: "List tasks (live ones unless --all).")
    @OptionGroup var cluster: ClusterOptions
    @Flag(name: .customLong("all"), help: "Include tasks that have ended.") var all = false
    @Option(name: .customLong("limit"), help: "At most this many tasks.") var limit = 1000

    func run() async throws {
        let address = try await cluster.address()
        // `/master/tasks` lists live and ended tasks together, newest first: without --all, pages
        // are read until `limit` live ones are found, so recent ended tasks cannot crowd them out.
        let tasks = try await ClusterReader.with { reader in
            var found: [[String: Any]] = []
            var offset = 0
            while found.count < limit {
                let page = try await reader.object("http://\(address)/master/tasks?limit=\(limit)&offset=\(offset)")
                    .objects("tasks")
                found += page.filter { all || !Self.isTerminal($0.string("state")) }
                if all || page.count < limit { break }
                offset += page.count
            }
            return Array(found.prefix(limit))
        }
        if cluster.json { return try printJSON(tasks) }
        var table = Table("ID", "NAME", "STATE", "FRAMEWORK", "AGENT")
        for task in tasks {
            table.add(task.string("id"), task.string("name"), task.string("state"), task.string("framework_id"),
                      task.string("slave_id"))
        }
        print(table.render())
    }

    static func isTerminal(_ state: String) -> Bool { TaskState(rawValue: state)?.isTerminal ?? false }
}

/// `plinth state`: the cluster in a few lines, or with `--json` the whole `/master/state`.
struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "Summarise the cluster's state.")
    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        let address = try await cluster.address()
        let state = try await ClusterReader.with { try await $0.object("http://\(address)/master/state") }
        if cluster.json { return try printJSON(state) }
        let agents = state.objects("slaves")
        let frameworks = state.objects("frameworks")
        var byState: [String: Int] = [:]
        for framework in frameworks { for task in framework.objects("tasks") { byState[task.string("state"), default: 0] += 1 } }
        var table = Table("", "")
        table.add("leader", "\(state.string("leader")) (version \(state.string("version")))")
        table.add("agents", "\(agents.filter { $0.bool("active") }.count) active of \(agents.count)")
        table.add("frameworks", "\(frameworks.filter { $0.bool("active") }.count) active of \(frameworks.count)")
        table.add("tasks", byState.isEmpty ? "none live" : byState.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
            .joined(separator: ", "))
        table.add("cpus", total(agents, "cpus"))
        table.add("mem", total(agents, "mem"))
        print(table.render())
    }

    private func total(_ agents: [[String: Any]], _ name: String) -> String {
        let used = agents.map { ($0.resources("used_resources")[name] as? NSNumber)?.doubleValue ?? 0 }.reduce(0, +)
        let total = agents.map { ($0.resources("resources")[name] as? NSNumber)?.doubleValue ?? 0 }.reduce(0, +)
        return "\(format(used)) used of \(format(total))"
    }
}

func usage(_ agent: [String: Any], _ name: String) -> String {
    "\(format(agent.resources("used_resources")[name]))/\(format(agent.resources("resources")[name]))"
}

func format(_ value: Any?) -> String {
    let number = (value as? NSNumber)?.doubleValue ?? 0
    return number == number.rounded() ? String(Int(number)) : String(format: "%.2f", number)
}
