import Allocator
import MesosAPI

extension Master {
    /// LAUNCH_GROUP: the tasks start together under one DEFAULT executor, or none starts. The
    /// executor's resources are taken once, with the group that starts it.
    func launchGroup(_ group: Offer.Operation.LaunchGroup, framework: FrameworkID, agentID: AgentID, role: String,
                     available: Resources) -> Resources {
        let tasks = group.taskGroup.tasks
        let key = ExecutorKey(framework: framework, executor: group.executor.executorId)
        let running = executors[agentID]?[key]
        var remaining = available
        var problem = groupProblem(group, running: running)
        if problem == nil, running == nil {
            let executorResources = (group.executor.resources ?? []).normalized
            if remaining.contains(executorResources) {
                remaining = remaining - executorResources
            } else {
                problem = "Executor uses more resources \(executorResources) than available \(remaining)"
            }
        }
        let known = frameworks[framework]?.tasks ?? [:]
        var seen = Set<TaskID>()
        for task in tasks where problem == nil {
            var plain = task
            plain.executor = nil
            if let found = Validation.checkTask(plain, offerAgent: agentID, offered: remaining,
                                                isKnownTask: { known[$0] != nil || seen.contains($0) }) {
                problem = "Task \(task.taskId.value) is invalid: \(found)"
            }
            seen.insert(task.taskId)
            remaining = remaining - (task.resources ?? []).normalized
        }
        if let problem {
            for task in tasks {
                sendMasterUpdate(framework, taskID: task.taskId, agentID: agentID, state: .TASK_ERROR,
                                 reason: .REASON_TASK_GROUP_INVALID, message: problem)
            }
            return available
        }
        let stamped = tasks.map { task -> TaskInfo in
            var copy = task
            copy.executor = group.executor
            return copy
        }
        guard let info = frameworks[framework]?.info,
              send(AgentEvent.launchGroup(stamped, executor: group.executor, framework: info), toAgent: agentID) else {
            let state: TaskState = isPartitionAware(framework) ? .TASK_DROPPED : .TASK_LOST
            for task in tasks {
                sendMasterUpdate(framework, taskID: task.taskId, agentID: agentID, state: state,
                                 reason: .REASON_AGENT_DISCONNECTED, message: "Agent \(agentID) is not connected")
            }
            return available
        }
        for task in stamped {
            var entry = TaskEntry(info: task, frameworkID: framework, agentID: agentID, role: role,
                                  resources: (task.resources ?? []).normalized, state: .TASK_STAGING)
            entry.statuses.append(TaskStatus(taskId: task.taskId, state: .TASK_STAGING, timestamp: wallClock))
            entry.freeze()
            frameworks[framework]?.tasks[task.taskId] = entry
            indexTask(TaskKey(framework: framework, task: task.taskId), on: agentID)
            publishTaskAdded(entry)
        }
        if running == nil {
            executors[agentID, default: [:]][key] = ExecutorEntry(info: group.executor, frameworkID: framework, role: role,
                                                                 resources: (group.executor.resources ?? []).normalized)
        }
        return remaining
    }

    /// Mesos's task group rules that do not concern one task alone.
    private func groupProblem(_ group: Offer.Operation.LaunchGroup, running: ExecutorEntry?) -> String? {
        let executor = group.executor
        if group.taskGroup.tasks.isEmpty { return "Task group must not be empty" }
        if let type = executor.type, type != "DEFAULT" {
            return "The executor of a task group must be of type DEFAULT, not \(type)"
        }
        if let problem = Validation.checkID(executor.executorId.value, kind: "Executor ID") { return problem }
        if let task = group.taskGroup.tasks.first(where: { $0.executor != nil && $0.executor?.executorId != executor.executorId }) {
            return "Task \(task.taskId.value) names another executor than its task group's"
        }
        if let running, running.info.executorId == executor.executorId, running.info.type != executor.type {
            return "ExecutorInfo is not compatible with ExecutorInfo of the running executor \(executor.executorId.value)"
        }
        return nil
    }
}
