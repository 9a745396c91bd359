import Foundation
import MesosAPI

/// Checkpointing for frameworks with `checkpoint: true`: every change to what they have on this
/// agent is appended to the state log at the moment it happens, and the log is synced before
/// anything the change caused leaves the agent (see `StateLog`).
extension Agent {
    func checkpoints(_ framework: FrameworkID) -> Bool { frameworks[framework]?.checkpoint ?? false }

    /// Where a wrapped task's exit status lands; outside the sandbox, which the task owns.
    nonisolated func exitStatusFile(_ container: ContainerID) -> String {
        "\(config.workDir)/meta/exits/\(container.value)"
    }

    func openStateLog(_ id: AgentID) {
        let path = AgentRecovery.statePath(workDir: config.workDir, agentID: id)
        guard stateLog?.path != path else { return }
        do {
            stateLog = try StateLog(path: path)
            try FileManager.default.createDirectory(atPath: "\(config.workDir)/meta/exits", withIntermediateDirectories: true)
        } catch {
            logger.error("Failed to open the checkpoint log: \(error); tasks will not survive an agent restart")
        }
    }

    func checkpoint(_ record: StateRecord) {
        stateLog?.append(record)
    }

    /// The framework's info, when it checkpoints and its info is new or changed.
    func checkpointFramework(_ info: FrameworkInfo) {
        guard info.checkpoint == true, let id = info.id, checkpointedFrameworks[id] != info else { return }
        checkpointedFrameworks[id] = info
        checkpoint(.framework(info))
    }

    func checkpointTask(_ task: CommandTask) {
        guard checkpoints(task.frameworkID) else { return }
        checkpoint(.task(task))
    }

    /// Runs `request` under the exit-status wrapper when the framework checkpoints, so a
    /// restarted agent learns how the task ended.
    func wrapForRecovery(_ request: inout SpawnRequest, framework: FrameworkID, container: ContainerID) {
        guard checkpoints(framework), stateLog != nil else { return }
        let path = exitStatusFile(container)
        unlink(path)
        let argv = TaskWrapper.wrap(Self.argv(request.command), statusFile: path)
        request.command = .executable(path: argv[0], arguments: argv)
    }

    /// The identity of a freshly spawned first process, recorded so a restart can find it again.
    func checkpointProcess(_ pid: pid_t, framework: FrameworkID, container: ContainerID) -> ProcessIdentity? {
        guard checkpoints(framework), let identity = ProcessIdentity.of(pid) else { return nil }
        checkpoint(.process(container, identity))
        return identity
    }

    /// The task is over and acknowledged.
    func forgetTask(_ task: CommandTask) {
        guard checkpoints(task.frameworkID) else { return }
        checkpoint(.forgetTask(framework: task.frameworkID, task: task.info.taskId))
        if task.executorID == nil || task.taskGroup != nil { unlink(exitStatusFile(task.containerID)) }
    }

    func forgetExecutor(_ framework: FrameworkID, _ executor: ExecutorID, container: ContainerID) {
        guard checkpoints(framework) else { return }
        checkpoint(.forgetExecutor(framework: framework, executor: executor))
        unlink(exitStatusFile(container))
    }

    func forgetFramework(_ framework: FrameworkID) {
        guard checkpointedFrameworks.removeValue(forKey: framework) != nil else { return }
        checkpoint(StateRecord(kind: .forgetFramework, frameworkId: framework))
    }

    /// The live state as records: what the log is rewritten to when it has grown well past it.
    func snapshotRecords() -> [StateRecord] {
        var records: [StateRecord] = []
        for info in checkpointedFrameworks.values { records.append(.framework(info)) }
        for (key, entry) in executors where checkpoints(key.framework) {
            records.append(.executor(framework: key.framework, id: key.executor, info: entry.info,
                                     container: entry.containerID, sandbox: entry.sandbox,
                                     libprocessPID: entry.libprocessPID))
            if let process = entry.process { records.append(.process(entry.containerID, process)) }
        }
        for (key, entry) in defaultExecutors where checkpoints(key.framework) {
            records.append(.executor(framework: key.framework, id: key.executor, info: entry.info,
                                     container: entry.containerID, sandbox: entry.sandbox))
        }
        for (key, task) in tasks where checkpoints(key.framework) {
            var record = StateRecord.task(task)
            record.state = task.state
            records.append(record)
            if let process = task.process { records.append(.process(task.containerID, process)) }
            for status in updates.pending(key) { records.append(.update(status, framework: key.framework)) }
        }
        return records
    }

    /// Rewrites the log to the live state once most of it is history.
    func compactStateLogIfNeeded(force: Bool = false) {
        guard let log = stateLog, force || log.appended > 4096 + 8 * tasks.count else { return }
        do {
            try log.rewrite(snapshotRecords())
        } catch {
            logger.error("Failed to compact the checkpoint log: \(error)")
        }
    }
}
