import HTTPSupport
import MesosAPI

/// `/master/tasks` and `/master/state-summary`: the smaller reads the Mesos UI and CLIs use
/// instead of the whole `/master/state`.
extension StateView {
    public struct TaskQuery: Sendable {
        public var limit = 100
        public var offset = 0
        public var ascending = false
        public var frameworkID: FrameworkID?
        public var taskID: TaskID?
        public init() {}
    }

    /// Live and completed tasks, filtered, ordered by when they started (newest first unless
    /// `ascending`), then paged, as Mesos's `/tasks` does.
    public func tasksJSON(_ query: TaskQuery) -> JSONValue {
        var all: [TaskEntry] = []
        for framework in frameworks.values where query.frameworkID.map({ $0 == framework.id }) ?? true {
            all += framework.tasks.values
            all += framework.completedTasks
        }
        for framework in completedFrameworks where query.frameworkID.map({ $0 == framework.id }) ?? true {
            all += framework.completedTasks
        }
        if let taskID = query.taskID { all = all.filter { $0.info.taskId == taskID } }
        // Ties (tasks launched together) are broken by ID, so the two orders are each other's reverse.
        let key = { (task: TaskEntry) in (task.statuses.first?.timestamp ?? 0, task.info.taskId.value) }
        all.sort { query.ascending ? key($0) < key($1) : key($0) > key($1) }
        let page = all.dropFirst(max(0, query.offset)).prefix(max(0, query.limit))
        return .object([("tasks", .array(page.map(taskJSON)))])
    }

    /// Agents and frameworks with task counts by state, without the tasks themselves.
    public func stateSummaryJSON() -> JSONValue {
        var byAgent: [AgentID: [TaskState: Int]] = [:]
        var byFramework: [FrameworkID: [TaskState: Int]] = [:]
        var frameworksOnAgent: [AgentID: Set<FrameworkID>] = [:]
        var agentsOfFramework: [FrameworkID: Set<AgentID>] = [:]
        for framework in frameworks.values {
            for task in framework.tasks.values {
                byAgent[task.agentID, default: [:]][task.state, default: 0] += 1
                byFramework[framework.id, default: [:]][task.state, default: 0] += 1
                frameworksOnAgent[task.agentID, default: []].insert(framework.id)
                agentsOfFramework[framework.id, default: []].insert(task.agentID)
            }
        }
        func counts(_ map: [TaskState: Int]?) -> [(String, JSONValue)] {
            TaskState.allSummaryStates.map { ($0.rawValue, .int(Int64(map?[$0] ?? 0))) }
        }
        let usage = agentUsage()
        let agentList: [JSONValue] = agents.values.sorted { $0.id < $1.id }.map { agent in
            agentJSON(agent, used: usage.used[agent.id] ?? Resources(), offered: usage.offered[agent.id] ?? Resources(),
                      extra: counts(byAgent[agent.id])
                          + [("framework_ids", .array((frameworksOnAgent[agent.id] ?? []).sorted().map { .string($0.value) }))])
        }
        let frameworkList: [JSONValue] = frameworks.values.sorted { $0.id < $1.id }.map { framework in
            guard case .object(var pairs) = frameworkJSON(framework) else { return .null }
            pairs.removeAll { ["tasks", "completed_tasks", "offers", "executors"].contains($0.0) }
            pairs += counts(byFramework[framework.id])
            pairs.append(("slave_ids", .array((agentsOfFramework[framework.id] ?? []).sorted().map { .string($0.value) })))
            return .object(pairs)
        }
        return .object([("hostname", .string(config.hostname)), ("slaves", .array(agentList)),
                        ("frameworks", .array(frameworkList))])
    }
}

extension TaskState {
    /// The states `/master/state-summary` counts, as Mesos lists them.
    static let allSummaryStates: [TaskState] = [.TASK_STAGING, .TASK_STARTING, .TASK_RUNNING, .TASK_KILLING, .TASK_FINISHED,
                                                .TASK_KILLED, .TASK_FAILED, .TASK_LOST, .TASK_ERROR, .TASK_UNREACHABLE]
}
