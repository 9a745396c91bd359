import Foundation
import Isolation
import MesosAPI

extension Agent {
    func launch(_ info: TaskInfo, framework: FrameworkInfo) {
        guard let fid = framework.id, let agentID else { return }
        frameworks[fid] = framework
        checkpointFramework(framework)
        if let executor = info.executor {
            return launchOnExecutor(info, executor: executor, framework: framework, agentID: agentID)
        }
        let key = StatusUpdateManager.Key(framework: fid, task: info.taskId)
        guard tasks[key] == nil else { return }
        let container = ContainerID(UUID().uuidString.lowercased())
        let sandbox = SandboxLayout(workDir: config.workDir)
            .sandbox(agent: agentID, framework: fid, executor: ExecutorID(info.taskId.value), container: container)
        let task = CommandTask(info: info, frameworkID: fid, containerID: container, sandbox: sandbox)
        tasks[key] = task
        checkpointTask(task)
        let env = TaskEnvironment.build(task: info, framework: framework, agentID: agentID,
                                        agentEndpoint: endpoint, sandbox: sandbox)
        Task { await self.start(key, env: env) }
    }

    func start(_ key: StatusUpdateManager.Key, env: [String: String]) async {
        guard let task = tasks[key], let command = task.info.command else { return }
        if task.killRequested { return killedDuringLaunch(key) }
        let requestedUser = command.user ?? frameworks[key.framework]?.user
        let prepared: PreparedLaunch
        do {
            prepared = try await prepare(task, command: command, user: requestedUser, env: env)
        } catch let failure as LaunchFailure {
            scheduleSandboxRemoval(task.sandbox)
            return report(key, .TASK_FAILED, message: failure.message, reason: failure.reason, source: .SOURCE_AGENT)
        } catch {
            scheduleSandboxRemoval(task.sandbox)
            return report(key, .TASK_FAILED, message: "Failed to launch the task: \(error)",
                          reason: .REASON_CONTAINER_LAUNCH_FAILED, source: .SOURCE_AGENT)
        }
        guard tasks[key]?.killRequested == false else {
            prepared.container.teardownInBackground()
            return killedDuringLaunch(key)
        }
        tasks[key]?.container = prepared.container
        report(key, .TASK_STARTING)
        let handle: TaskProcessHandle
        do {
            handle = try TaskProcessHandle(spawning: prepared.request)
        } catch {
            prepared.container.teardownInBackground()
            return report(key, .TASK_FAILED, message: "Failed to launch the task: \(error)",
                          reason: .REASON_CONTAINER_LAUNCH_FAILED, source: .SOURCE_AGENT)
        }
        tasks[key]?.handle = handle
        tasks[key]?.process = checkpointProcess(handle.pid, framework: key.framework, container: task.containerID)
        report(key, .TASK_RUNNING,
               containerStatus: ContainerStatus(containerId: task.containerID, executorPid: UInt32(handle.pid)))
        if let check = task.info.healthCheck {
            startHealthChecks(key, check: check, environment: prepared.request.environment, sandbox: task.sandbox)
        }
        if let check = task.info.check {
            startChecks(key, check: check, environment: prepared.request.environment, sandbox: task.sandbox)
        }
        watchExit(key, handle: handle, container: prepared.container)
    }

    /// Reports the task's end once its first process is gone.
    func watchExit(_ key: StatusUpdateManager.Key, handle: TaskProcessHandle, container: TaskContainer) {
        Task {
            let exit = await handle.waitForExit()
            guard container.needsTeardown else { return self.exited(key, exit, oomKills: 0, memoryPeak: nil) }
            // Whatever the leader left behind goes with it: the whole cgroup is killed.
            let teardown = await Task.detached { container.teardown() }.value
            self.exited(key, exit, oomKills: teardown.oomKills, memoryPeak: teardown.memoryPeak)
        }
    }

    private func killedDuringLaunch(_ key: StatusUpdateManager.Key) {
        report(key, .TASK_KILLED, message: "Task killed before it was launched",
               reason: .REASON_TASK_KILLED_DURING_LAUNCH, source: .SOURCE_AGENT)
    }

    func exited(_ key: StatusUpdateManager.Key, _ exit: ExitStatus, oomKills: UInt64, memoryPeak: UInt64?) {
        guard let task = tasks[key], !task.state.isTerminal else { return }
        task.healthChecker?.cancel()
        task.checker?.cancel()
        defer { if task.taskGroup != nil { groupMemberEnded(key) } }
        if task.taskGroup == nil { scheduleSandboxRemoval(task.sandbox) }
        if let limitation = task.container?.limitation ?? (oomKills > 0 ? memoryLimitation(task, peak: memoryPeak) : nil) {
            report(key, .TASK_FAILED, message: limitation.message, reason: limitation.reason, source: .SOURCE_AGENT,
                   limitation: TaskResourceLimitation(resources: limitation.resources))
        } else if task.killedByHealthCheck {
            report(key, .TASK_KILLED, message: "Task was killed after failing its health check (\(exit.message))",
                   reason: .REASON_TASK_HEALTH_CHECK_STATUS_UPDATED, healthy: false)
        } else if task.killRequested {
            report(key, .TASK_KILLED, message: exit.message)
        } else if case .exited(0) = exit {
            report(key, .TASK_FINISHED, message: exit.message)
        } else {
            report(key, .TASK_FAILED, message: StderrTail.append(to: exit.message, sandbox: task.sandbox))
        }
    }

    func memoryLimitation(_ task: CommandTask, peak: UInt64?) -> TaskContainer.Limitation {
        let mem = task.container?.limits.memMB
        let requested = mem.map { "\(Int($0))MB" } ?? "?"
        let used = peak.map { "\($0 / (1024 * 1024))MB" } ?? "?"
        let message = StderrTail.append(to: "Memory limit exceeded: Requested: \(requested) Maximum Used: \(used)",
                                        sandbox: task.sandbox)
        return .init(reason: .REASON_CONTAINER_LIMITATION_MEMORY, message: message,
                     resources: mem.map { [.scalar("mem", $0)] } ?? [])
    }

    func kill(_ key: StatusUpdateManager.Key, grace: DurationInfo?) {
        guard var task = tasks[key], !task.state.isTerminal, !task.killRequested else { return }
        task.killRequested = true
        tasks[key] = task
        if let executor = task.executorID, task.taskGroup == nil { return killOnExecutor(key, executor: executor, grace: grace) }
        guard let handle = task.handle else { return }
        if frameworks[key.framework]?.hasCapability("TASK_KILLING_STATE") ?? false {
            report(key, .TASK_KILLING)
        }
        let period = grace.map { Duration.nanoseconds($0.nanoseconds) }
            ?? task.info.killPolicy?.gracePeriod.map { Duration.nanoseconds($0.nanoseconds) }
            ?? config.defaultGracePeriod
        Task { _ = await handle.terminate(gracePeriod: period) }
    }

    /// The framework is gone for good: kill its tasks and forget its updates.
    func shutdownFramework(_ framework: FrameworkID) {
        for key in executors.keys where key.framework == framework { shutdownExecutor(key) }
        for (key, task) in tasks where key.framework == framework {
            if let handle = task.handle, !task.state.isTerminal {
                Task { _ = await handle.terminate(gracePeriod: config.defaultGracePeriod) }
            }
            tasks[key]?.killRequested = true
        }
        updates.removeFramework(framework)
        forgetFramework(framework)
        tasks = tasks.filter { $0.key.framework != framework || !($0.value.state.isTerminal) }
        frameworks[framework] = nil
    }

    /// An isolator found the container over a limit: remember why, then stop all of it. The
    /// leader's exit then reports TASK_FAILED with this reason.
    func limitationHit(_ key: StatusUpdateManager.Key, _ limitation: TaskContainer.Limitation) {
        guard let task = tasks[key], !task.state.isTerminal, task.container?.limitation == nil else { return }
        tasks[key]?.container?.limitation = limitation
        logger.info("Task \(key.task.value): \(limitation.message)")
        if let cgroup = task.container?.cgroup {
            Task.detached { cgroup.killAll() }
        } else {
            task.handle?.signalGroup(SIGKILL)
        }
    }
}
