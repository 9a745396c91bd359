import Foundation
import Images
import Isolation
import MesosAPI

/// Reading a previous run's checkpoint before the agent starts: the state to recover, and which
/// of the processes in the sandboxes are recovered tasks (spared) rather than orphans (killed).
public enum AgentRecovery {
    static func statePath(workDir: String, agentID: AgentID) -> String {
        "\(workDir)/meta/slaves/\(agentID.value)/state.log"
    }

    public static func load(workDir: String, agentID: AgentID) -> RecoveredState {
        RecoveredState.replay(StateLog.read(statePath(workDir: workDir, agentID: agentID)), agentID: agentID)
    }
}

extension RecoveredState {
    /// The recovered first processes still running (same pid, same start time).
    var survivors: [ContainerID: ProcessIdentity] {
        processes.filter { ProcessIdentity.startTime($0.value.pid) == $0.value.startTime }
    }

    /// Process groups and sandboxes of the surviving containers, which orphan cleanup must spare.
    public var spared: (groups: Set<pid_t>, sandboxes: [String]) {
        let alive = survivors
        let sandboxes = tasks.values.filter { alive[$0.containerID] != nil }.map(\.sandbox)
            + executors.values.filter { alive[$0.containerID] != nil }.map(\.sandbox)
        return (Set(alive.values.map(\.pid)), sandboxes)
    }

    /// Container IDs whose cgroups a restarted agent keeps.
    public var containerIDs: Set<String> {
        Set(tasks.values.map(\.containerID.value) + executors.values.map(\.containerID.value))
    }
}

extension Agent {
    /// Re-attaches to what the previous run left: every task and executor of a checkpointing
    /// framework comes back under its old pid, and what ended meanwhile is reported with the
    /// status its wrapper wrote. Runs before the agent registers, so its first registration
    /// already reports every recovered task.
    func recover(_ state: RecoveredState) {
        openStateLog(state.agentID)
        for (id, info) in state.frameworks {
            frameworks[id] = info
            checkpointedFrameworks[id] = info
        }
        updates = state.statusUpdates(initialBackoff: config.statusRetryInterval, now: now)
        for (key, record) in state.tasks {
            var task = CommandTask(info: record.info, frameworkID: record.frameworkID, containerID: record.containerID,
                                   sandbox: record.sandbox)
            task.state = record.state
            task.executorID = record.executorID
            task.taskGroup = record.taskGroup
            tasks[key] = task
        }
        for (key, record) in state.executors { recoverExecutor(key, record, state: state) }
        var reattached = 0
        for (key, task) in tasks where task.executorID == nil || task.taskGroup != nil {
            guard !task.state.isTerminal else { continue }
            if reattachTask(key, identity: state.processes[task.containerID]) { reattached += 1 }
        }
        for key in executors.keys {
            if let entry = executors[key], reattachExecutor(key, identity: state.processes[entry.containerID]) {
                reattached += 1
            }
        }
        compactStateLogIfNeeded(force: true)
        logger.info("Recovered \(state.tasks.count) tasks and \(state.executors.count) executors; re-attached to \(reattached) running processes")
    }

    private func recoverExecutor(_ key: CustomExecutor.Key, _ record: RecoveredState.ExecutorRecord, state: RecoveredState) {
        let members = state.tasks.values.filter { $0.frameworkID == key.framework && $0.executorID == key.executor }
        guard let info = record.info, !record.isDefault else {
            var info = record.info ?? ExecutorInfo(executorId: key.executor, command: nil)
            info.type = "DEFAULT"
            var entry = DefaultExecutor(info: info, containerID: record.containerID, sandbox: record.sandbox)
            for task in members { if let group = task.taskGroup { entry.groups[group, default: []].append(task.info.taskId) } }
            defaultExecutors[key] = entry
            return
        }
        var entry = CustomExecutor(info: info, frameworkID: key.framework, containerID: record.containerID,
                                   sandbox: record.sandbox)
        entry.taskIDs = Set(members.map(\.info.taskId))
        entry.recovered = true
        entry.libprocessPID = record.libprocessPID
        executors[key] = entry
    }

    /// What the agent made for a container in its previous run, found again by its ID.
    private func recoveredContainer(_ id: ContainerID, resources: [Resource]?) -> TaskContainer {
        var container = TaskContainer(cgroup: nil, limits: ContainerLimits(resources))
        if let cgroup = runtime.cgroups?.container(id.value),
           cgroup.directories.contains(where: { FileManager.default.fileExists(atPath: $0) }) {
            container.cgroup = cgroup
        }
        let base = "\(runtime.provisionerDirectory)/\(id.value)"
        if FileManager.default.fileExists(atPath: "\(base)/rootfs") {
            container.rootfs = (target: "\(base)/rootfs", scratch: "\(base)/scratch")
        }
        return container
    }

    /// True when the task's process is still running and now watched again.
    private func reattachTask(_ key: StatusUpdateManager.Key, identity: ProcessIdentity?) -> Bool {
        guard let task = tasks[key] else { return false }
        let container = recoveredContainer(task.containerID, resources: task.info.resources)
        tasks[key]?.container = container
        guard let identity else {
            container.teardownInBackground()
            report(key, .TASK_FAILED, message: "The agent restarted before the task's process started",
                   reason: .REASON_AGENT_RESTARTED, source: .SOURCE_AGENT)
            if task.taskGroup != nil { groupMemberEnded(key) }
            return false
        }
        guard let pidfd = identity.open() else {
            let status = TaskWrapper.readStatus(exitStatusFile(task.containerID)) ?? .unknown
            let teardown = container.teardown()
            exited(key, status, oomKills: teardown.oomKills, memoryPeak: teardown.memoryPeak)
            return false
        }
        let handle = TaskProcessHandle(recovering: identity.pid, pidfd: pidfd,
                                       statusFile: exitStatusFile(task.containerID))
        tasks[key]?.handle = handle
        tasks[key]?.process = identity
        if task.state == .TASK_STAGING || task.state == .TASK_STARTING {
            report(key, .TASK_RUNNING,
                   containerStatus: ContainerStatus(containerId: task.containerID, executorPid: UInt32(identity.pid)))
        }
        watchExit(key, handle: handle, container: container)
        restartChecks(key)
        return true
    }

    private func restartChecks(_ key: StatusUpdateManager.Key) {
        guard let task = tasks[key], let framework = frameworks[key.framework], let agentID,
              task.info.healthCheck != nil || task.info.check != nil else { return }
        let env = TaskEnvironment.build(task: task.info, framework: framework, agentID: agentID,
                                        agentEndpoint: endpoint, sandbox: task.sandbox)
        if let check = task.info.healthCheck { startHealthChecks(key, check: check, environment: env, sandbox: task.sandbox) }
        if let check = task.info.check { startChecks(key, check: check, environment: env, sandbox: task.sandbox) }
    }

    /// True when the executor is still running; it then has `--executor_reregistration_timeout`
    /// to subscribe again before it is shut down and its tasks fail.
    private func reattachExecutor(_ key: CustomExecutor.Key, identity: ProcessIdentity?) -> Bool {
        guard let entry = executors[key] else { return false }
        let container = recoveredContainer(entry.containerID, resources: entry.info.resources)
        executors[key]?.container = container
        guard let identity, let pidfd = identity.open() else {
            let status = identity.flatMap { _ in TaskWrapper.readStatus(exitStatusFile(entry.containerID)) } ?? .unknown
            _ = container.teardown()
            executorExited(key, status)
            return false
        }
        let handle = TaskProcessHandle(recovering: identity.pid, pidfd: pidfd, statusFile: exitStatusFile(entry.containerID))
        executors[key]?.handle = handle
        executors[key]?.process = identity
        watchExecutorExit(key, handle: handle, container: container)
        awaitSubscription(key, handle: handle, within: config.executorReregistrationTimeout,
                          reason: .REASON_EXECUTOR_REREGISTRATION_TIMEOUT, what: "re-register")
        // A native driver waits to be asked (an HTTP executor retries on its own).
        if let pid = entry.libprocessPID, let agentID { nativeReconnectSink.yield((pid: pid, agent: agentID)) }
        return true
    }
}
