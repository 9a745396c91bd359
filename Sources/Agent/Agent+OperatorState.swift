import MesosAPI

/// The agent's v1 operator reads (GET_STATE and its parts), in Mesos's `agent.proto` shapes.
extension Agent {
    public struct OperatorTasks: Encodable, Sendable {
        var pendingTasks: [V1Task] = []
        var queuedTasks: [V1Task] = []
        var launchedTasks: [V1Task]
        var terminatedTasks: [V1Task]
        var completedTasks: [V1Task] = []
        enum CodingKeys: String, CodingKey {
            case pendingTasks = "pending_tasks", queuedTasks = "queued_tasks", launchedTasks = "launched_tasks"
            case terminatedTasks = "terminated_tasks", completedTasks = "completed_tasks"
        }
    }

    public struct OperatorExecutors: Encodable, Sendable {
        struct Executor: Encodable, Sendable {
            var executorInfo: ExecutorInfo
            enum CodingKeys: String, CodingKey { case executorInfo = "executor_info" }
        }
        var executors: [Executor]
        var completedExecutors: [Executor] = []
        enum CodingKeys: String, CodingKey { case executors, completedExecutors = "completed_executors" }
    }

    public struct OperatorFrameworks: Encodable, Sendable {
        struct Framework: Encodable, Sendable {
            var frameworkInfo: FrameworkInfo
            enum CodingKeys: String, CodingKey { case frameworkInfo = "framework_info" }
        }
        var frameworks: [Framework]
        var completedFrameworks: [Framework] = []
        enum CodingKeys: String, CodingKey { case frameworks, completedFrameworks = "completed_frameworks" }
    }

    public struct OperatorState: Encodable, Sendable {
        var getTasks: OperatorTasks
        var getExecutors: OperatorExecutors
        var getFrameworks: OperatorFrameworks
        enum CodingKeys: String, CodingKey {
            case getTasks = "get_tasks", getExecutors = "get_executors", getFrameworks = "get_frameworks"
        }
    }

    public func operatorTasks() -> OperatorTasks {
        var launched: [V1Task] = []
        var terminated: [V1Task] = []
        for task in tasks.values.sorted(by: { $0.info.taskId < $1.info.taskId }) {
            if task.state.isTerminal { terminated.append(v1Task(task)) } else { launched.append(v1Task(task)) }
        }
        // Acknowledged terminal tasks, as `/state` lists them under `completed_tasks`.
        return OperatorTasks(launchedTasks: launched, terminatedTasks: terminated, completedTasks: completed.map(v1Task))
    }

    private func v1Task(_ task: CommandTask) -> V1Task {
        V1Task(name: task.info.name, taskId: task.info.taskId, frameworkId: task.frameworkID,
               executorId: task.executorID, agentId: agentID ?? task.info.agentId, state: task.state,
               resources: task.info.resources ?? [], statuses: [], statusUpdateState: nil,
               labels: task.info.labels, container: task.info.container, user: task.info.command?.user)
    }

    public func operatorExecutors() -> OperatorExecutors {
        let infos = executors.values.map(\.info) + defaultExecutors.values.map(\.info)
        return OperatorExecutors(executors: infos.sorted { $0.executorId < $1.executorId }.map { .init(executorInfo: $0) })
    }

    public func operatorFrameworks() -> OperatorFrameworks {
        OperatorFrameworks(frameworks: frameworks.keys.sorted().compactMap { frameworks[$0] }.map { .init(frameworkInfo: $0) })
    }

    public func operatorState() -> OperatorState {
        OperatorState(getTasks: operatorTasks(), getExecutors: operatorExecutors(), getFrameworks: operatorFrameworks())
    }
}
