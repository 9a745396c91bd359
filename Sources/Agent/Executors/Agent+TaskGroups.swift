import Foundation
import MesosAPI

/// The default executor, built into the agent: a task group's tasks run as command tasks in
/// nested containers, each with its own sandbox under the executor's
/// (`executors/<executor>/runs/<container>/tasks/<task>`). As with Mesos's default executor,
/// a task that fails or is killed takes the rest of its group with it, and the executor is
/// gone, its resources freed, once all its tasks are.
struct DefaultExecutor: Sendable {
    /// The group's ExecutorInfo, of type DEFAULT.
    var info: ExecutorInfo
    var containerID: ContainerID
    var sandbox: String
    var groups: [String: [TaskID]] = [:]
}

extension Agent {
    func launchGroup(_ group: [TaskInfo], executor: ExecutorInfo, framework: FrameworkInfo) {
        guard let fid = framework.id, let agentID else { return }
        frameworks[fid] = framework
        checkpointFramework(framework)
        let key = CustomExecutor.Key(framework: fid, executor: executor.executorId)
        if defaultExecutors[key] == nil {
            let container = ContainerID(UUID().uuidString.lowercased())
            let sandbox = SandboxLayout(workDir: config.workDir)
                .sandbox(agent: agentID, framework: fid, executor: executor.executorId, container: container)
            var info = executor
            info.type = "DEFAULT"
            defaultExecutors[key] = DefaultExecutor(info: info, containerID: container, sandbox: sandbox)
            if checkpoints(fid) {
                checkpoint(.executor(framework: fid, id: executor.executorId, info: info, container: container, sandbox: sandbox))
            }
        }
        guard var entry = defaultExecutors[key] else { return }
        let groupID = UUID().uuidString
        var members: [TaskID] = []
        for info in group {
            let taskKey = StatusUpdateManager.Key(framework: fid, task: info.taskId)
            guard tasks[taskKey] == nil else { continue }
            let sandbox = "\(entry.sandbox)/tasks/\(info.taskId.value)"
            var task = CommandTask(info: info, frameworkID: fid, containerID: ContainerID(UUID().uuidString.lowercased()),
                                   sandbox: sandbox)
            task.executorID = executor.executorId
            task.taskGroup = groupID
            tasks[taskKey] = task
            checkpointTask(task)
            members.append(info.taskId)
            var env = TaskEnvironment.build(task: info, framework: framework, agentID: agentID,
                                            agentEndpoint: endpoint, sandbox: sandbox)
            env["MESOS_EXECUTOR_ID"] = executor.executorId.value
            env["MESOS_CONTAINER_IP"] = config.ip
            let launchEnv = env
            Task { await self.start(taskKey, env: launchEnv) }
        }
        entry.groups[groupID] = members
        defaultExecutors[key] = entry
    }

    /// After a group task's terminal update: an unsuccessful end kills its siblings; the last
    /// task of the executor ends the executor.
    func groupMemberEnded(_ key: StatusUpdateManager.Key) {
        guard let task = tasks[key], let groupID = task.taskGroup, let executor = task.executorID else { return }
        let executorKey = CustomExecutor.Key(framework: key.framework, executor: executor)
        guard let entry = defaultExecutors[executorKey] else { return }
        if task.state != .TASK_FINISHED {
            for sibling in entry.groups[groupID] ?? [] where sibling != key.task {
                kill(StatusUpdateManager.Key(framework: key.framework, task: sibling), grace: nil)
            }
        }
        let live = entry.groups.values.joined().contains { id in
            tasks[StatusUpdateManager.Key(framework: key.framework, task: id)].map { !$0.state.isTerminal } ?? false
        }
        guard !live else { return }
        defaultExecutors[executorKey] = nil
        forgetExecutor(key.framework, executor, container: entry.containerID)
        scheduleSandboxRemoval(entry.sandbox)
        notify(AgentCall.ExecutorNotice(frameworkId: key.framework, executorId: executor, exited: true, exitStatus: 0))
    }
}
