import Foundation
import HTTPSupport
import Isolation
import MesosAPI

extension Agent {
    /// A task for a custom executor: handed to the running executor, or queued until a new one
    /// (started here) subscribes.
    func launchOnExecutor(_ info: TaskInfo, executor: ExecutorInfo, framework: FrameworkInfo, agentID: AgentID) {
        guard let fid = framework.id else { return }
        let key = CustomExecutor.Key(framework: fid, executor: executor.executorId)
        let taskKey = StatusUpdateManager.Key(framework: fid, task: info.taskId)
        guard tasks[taskKey] == nil else { return }
        if executors[key] == nil {
            let container = ContainerID(UUID().uuidString.lowercased())
            let sandbox = SandboxLayout(workDir: config.workDir)
                .sandbox(agent: agentID, framework: fid, executor: executor.executorId, container: container)
            executors[key] = CustomExecutor(info: executor, frameworkID: fid, containerID: container, sandbox: sandbox)
            if checkpoints(fid) {
                checkpoint(.executor(framework: fid, id: executor.executorId, info: executor, container: container,
                                     sandbox: sandbox))
            }
            Task { await self.startExecutor(key, framework: framework, firstTask: info) }
        }
        guard var entry = executors[key] else { return }
        var task = CommandTask(info: info, frameworkID: fid, containerID: entry.containerID, sandbox: entry.sandbox)
        task.executorID = executor.executorId
        tasks[taskKey] = task
        checkpointTask(task)
        entry.taskIDs.insert(info.taskId)
        if let stream = entry.stream {
            stream.send(ExecutorEvent.launch(info))
        } else {
            entry.queued.append(info)
        }
        executors[key] = entry
    }

    private func startExecutor(_ key: CustomExecutor.Key, framework: FrameworkInfo, firstTask: TaskInfo) async {
        guard let entry = executors[key], let command = entry.info.command, let agentID else { return }
        // The container is sized for the executor plus the task it starts with, as Mesos does.
        var sizing = TaskInfo(name: entry.info.name ?? entry.info.executorId.value, taskId: TaskID(entry.info.executorId.value),
                              agentId: agentID, resources: (entry.info.resources ?? []) + (firstTask.resources ?? []),
                              command: command)
        sizing.container = firstTask.container
        let pseudo = CommandTask(info: sizing, frameworkID: key.framework, containerID: entry.containerID, sandbox: entry.sandbox)
        let env = ExecutorEnvironment.build(executor: entry.info, framework: framework, agentID: agentID,
                                            agentEndpoint: endpoint, sandbox: entry.sandbox,
                                            shutdownGrace: executorShutdownGrace(entry.info))
        let prepared: PreparedLaunch
        do {
            prepared = try await prepare(pseudo, command: command, user: command.user ?? framework.user, env: env)
        } catch {
            let failure = error as? LaunchFailure
            return executorFailed(key, reason: failure?.reason ?? .REASON_CONTAINER_LAUNCH_FAILED,
                                  message: failure?.message ?? "Failed to launch the executor: \(error)")
        }
        let handle: TaskProcessHandle
        do {
            handle = try TaskProcessHandle(spawning: prepared.request)
        } catch {
            prepared.container.teardownInBackground()
            return executorFailed(key, reason: .REASON_CONTAINER_LAUNCH_FAILED, message: "Failed to launch the executor: \(error)")
        }
        executors[key]?.handle = handle
        executors[key]?.container = prepared.container
        executors[key]?.process = checkpointProcess(handle.pid, framework: key.framework, container: entry.containerID)
        watchExecutorExit(key, handle: handle, container: prepared.container)
        awaitSubscription(key, handle: handle, within: config.executorRegistrationTimeout,
                          reason: .REASON_EXECUTOR_REGISTRATION_TIMEOUT, what: "register")
    }

    func watchExecutorExit(_ key: CustomExecutor.Key, handle: TaskProcessHandle, container: TaskContainer) {
        Task {
            let exit = await handle.waitForExit()
            if container.needsTeardown { _ = await Task.detached { container.teardown() }.value }
            self.executorExited(key, exit)
        }
    }

    /// A new executor must subscribe within `--executor_registration_timeout`, a recovered one
    /// again within `--executor_reregistration_timeout`; otherwise it is killed and its tasks fail.
    func awaitSubscription(_ key: CustomExecutor.Key, handle: TaskProcessHandle, within timeout: Duration,
                           reason: StatusReason, what: String) {
        Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.subscriptionTimedOut(key, handle: handle, timeout: timeout, reason: reason, what: what)
        }
    }

    private func subscriptionTimedOut(_ key: CustomExecutor.Key, handle: TaskProcessHandle, timeout: Duration,
                                      reason: StatusReason, what: String) {
        guard let entry = executors[key], entry.stream == nil, entry.handle === handle, !entry.shuttingDown else { return }
        logger.warning("Executor \(key.executor.value) did not \(what) within \(timeout)")
        executors[key]?.shuttingDown = true
        for taskID in entry.taskIDs {
            report(.init(framework: key.framework, task: taskID), .TASK_FAILED,
                   message: "Executor did not \(what) within \(timeout)", reason: reason, source: .SOURCE_AGENT)
        }
        Task { _ = await handle.terminate(gracePeriod: .seconds(1)) }
    }

    /// The executor could not even start: its tasks fail with the reason, and the master frees
    /// its resources as for an exit.
    private func executorFailed(_ key: CustomExecutor.Key, reason: StatusReason, message: String) {
        guard let entry = executors.removeValue(forKey: key) else { return }
        for taskID in entry.taskIDs {
            report(.init(framework: key.framework, task: taskID), .TASK_FAILED, message: message, reason: reason,
                   source: .SOURCE_AGENT)
        }
        forgetExecutor(key.framework, key.executor, container: entry.containerID)
        scheduleSandboxRemoval(entry.sandbox)
        notify(AgentCall.ExecutorNotice(frameworkId: key.framework, executorId: key.executor, exited: true))
    }

    /// Every task the executor left unfinished fails with REASON_EXECUTOR_TERMINATED (or is
    /// killed, if a kill was asked for); the master hears of the exit.
    func executorExited(_ key: CustomExecutor.Key, _ exit: ExitStatus) {
        guard let entry = executors.removeValue(forKey: key) else { return }
        forgetExecutor(key.framework, key.executor, container: entry.containerID)
        entry.stream?.finish()
        for taskID in entry.taskIDs {
            let taskKey = StatusUpdateManager.Key(framework: key.framework, task: taskID)
            guard let task = tasks[taskKey], !task.state.isTerminal else { continue }
            if task.killRequested {
                report(taskKey, .TASK_KILLED, message: "Executor terminated", source: .SOURCE_AGENT)
            } else {
                report(taskKey, .TASK_FAILED, message: "Executor terminated (\(exit.message))",
                       reason: .REASON_EXECUTOR_TERMINATED, source: .SOURCE_AGENT)
            }
        }
        logger.info("Executor \(key.executor.value) of framework \(key.framework.value) exited: \(exit.message)")
        scheduleSandboxRemoval(entry.sandbox)
        notify(AgentCall.ExecutorNotice(frameworkId: key.framework, executorId: key.executor, exited: true,
                                        exitStatus: exit.waitStatus))
    }

    func executorShutdownGrace(_ info: ExecutorInfo) -> Duration {
        info.shutdownGracePeriod.map { .nanoseconds($0.nanoseconds) } ?? config.executorShutdownGracePeriod
    }

    /// Kill of a task on a custom executor: the executor does it; a task still queued is
    /// simply dropped.
    func killOnExecutor(_ key: StatusUpdateManager.Key, executor: ExecutorID, grace: DurationInfo?) {
        let executorKey = CustomExecutor.Key(framework: key.framework, executor: executor)
        guard var entry = executors[executorKey] else { return }
        if let index = entry.queued.firstIndex(where: { $0.taskId == key.task }) {
            entry.queued.remove(at: index)
            executors[executorKey] = entry
            report(key, .TASK_KILLED, message: "Task killed before it was launched",
                   reason: .REASON_TASK_KILLED_DURING_LAUNCH, source: .SOURCE_AGENT)
            return
        }
        let policy = grace.map { KillPolicy(gracePeriod: $0) } ?? tasks[key]?.info.killPolicy
        entry.stream?.send(ExecutorEvent.kill(key.task, policy: policy))
    }

    /// SHUTDOWN to the executor, then its container is destroyed after the grace period.
    func shutdownExecutor(_ key: CustomExecutor.Key) {
        guard var entry = executors[key], !entry.shuttingDown else { return }
        entry.shuttingDown = true
        executors[key] = entry
        entry.stream?.send(ExecutorEvent.shutdown)
        guard let handle = entry.handle else { return }
        let grace = executorShutdownGrace(entry.info)
        Task {
            if await handle.waitForExit(timeout: grace) == nil { _ = await handle.terminate(gracePeriod: .seconds(1)) }
        }
    }

    /// A native executor registered from `pid`: kept (and checkpointed) so that a restarted
    /// agent can ask it to register again.
    func rememberExecutorPID(_ key: CustomExecutor.Key, pid: String) {
        guard var entry = executors[key], entry.libprocessPID != pid else { return }
        entry.libprocessPID = pid
        executors[key] = entry
        if checkpoints(key.framework) {
            checkpoint(.executor(framework: key.framework, id: key.executor, info: entry.info, container: entry.containerID,
                                 sandbox: entry.sandbox, libprocessPID: pid))
            stateLog?.sync()
        }
    }

    /// The scheduler's MESSAGE for one of this agent's executors.
    func deliverMessage(framework: FrameworkID, executor: ExecutorID, data: Base64Bytes) {
        executors[CustomExecutor.Key(framework: framework, executor: executor)]?.stream?.send(ExecutorEvent.message(data))
    }
}

enum ExecutorEnvironment {
    /// What a custom executor finds in its environment, with Mesos's names (see the v1
    /// executor API): enough for pymesos's and libmesos's executor drivers to find the agent.
    static func build(executor: ExecutorInfo, framework: FrameworkInfo, agentID: AgentID, agentEndpoint: String,
                      sandbox: String, shutdownGrace: Duration) -> [String: String] {
        var env = TaskEnvironment.base(framework: framework, agentID: agentID, agentEndpoint: agentEndpoint,
                                       sandbox: sandbox)
        env["MESOS_EXECUTOR_ID"] = executor.executorId.value
        env["MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD"] = DurationFlag.format(shutdownGrace)
        env["MESOS_HTTP_COMMAND_EXECUTOR"] = "0"
        if framework.checkpoint ?? false {
            env["MESOS_RECOVERY_TIMEOUT"] = "15mins"
            env["MESOS_SUBSCRIPTION_BACKOFF_MAX"] = "2secs"
        }
        for variable in executor.command?.environment?.variables ?? [] {
            env[variable.name] = variable.value ?? ""
        }
        return env
    }
}

/// Durations as Mesos's flags write them: the largest unit that gives a whole number.
enum DurationFlag {
    static func format(_ duration: Duration) -> String {
        let nanos = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        let units: [(Int64, String)] = [(604_800_000_000_000, "weeks"), (86_400_000_000_000, "days"),
                                        (3_600_000_000_000, "hrs"), (60_000_000_000, "mins"),
                                        (1_000_000_000, "secs"), (1_000_000, "ms"), (1000, "us")]
        for (size, name) in units where nanos >= size && nanos % size == 0 { return "\(nanos / size)\(name)" }
        return "\(nanos)ns"
    }
}
