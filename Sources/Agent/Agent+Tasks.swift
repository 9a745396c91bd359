import Foundation
import MesosAPI

extension Agent {
    func launch(_ info: TaskInfo, framework: FrameworkInfo) {
        guard let fid = framework.id, let agentID else { return }
        frameworks[fid] = framework
        let key = StatusUpdateManager.Key(framework: fid, task: info.taskId)
        guard tasks[key] == nil else { return }
        let container = ContainerID(UUID().uuidString.lowercased())
        let sandbox = SandboxLayout(workDir: config.workDir)
            .sandbox(agent: agentID, framework: fid, executor: ExecutorID(info.taskId.value), container: container)
        tasks[key] = CommandTask(info: info, frameworkID: fid, containerID: container, sandbox: sandbox)
        let env = TaskEnvironment.build(task: info, framework: framework, agentID: agentID,
                                        agentEndpoint: endpoint, sandbox: sandbox)
        Task { self.start(key, env: env) }
    }

    private func start(_ key: StatusUpdateManager.Key, env: [String: String]) {
        guard let task = tasks[key] else { return }
        if task.killRequested {
            report(key, .TASK_KILLED, message: "Task killed before it was launched",
                   reason: .REASON_TASK_KILLED_DURING_LAUNCH, source: .SOURCE_AGENT)
            return
        }
        guard let command = task.info.command else { return }
        let requestedUser = command.user ?? frameworks[key.framework]?.user
        var request = SpawnRequest(command: TaskEnvironment.command(command), environment: env,
                                   workingDirectory: task.sandbox, stdoutPath: "\(task.sandbox)/stdout",
                                   stderrPath: "\(task.sandbox)/stderr")
        report(key, .TASK_STARTING)
        let handle: TaskProcessHandle
        do {
            let user = try TaskUser.resolve(requestedUser, switchUser: config.switchUser).get()
            try SandboxLayout.create(task.sandbox)
            if let user {
                try user.own(sandbox: task.sandbox)
                request.command = user.wrap(request.command)
                request.environment["USER"] = user.name
                request.environment["LOGNAME"] = user.name
                request.environment["HOME"] = user.home
            }
            handle = try TaskProcessHandle(spawning: request)
        } catch {
            report(key, .TASK_FAILED, message: "Failed to launch the task: \(error)",
                   reason: .REASON_CONTAINER_LAUNCH_FAILED, source: .SOURCE_AGENT)
            return
        }
        tasks[key]?.handle = handle
        report(key, .TASK_RUNNING,
               containerStatus: ContainerStatus(containerId: task.containerID, executorPid: UInt32(handle.pid)))
        Task {
            let exit = await handle.waitForExit()
            self.exited(key, exit)
        }
    }

    private func exited(_ key: StatusUpdateManager.Key, _ exit: ExitStatus) {
        guard let task = tasks[key], !task.state.isTerminal else { return }
        if task.killRequested {
            report(key, .TASK_KILLED, message: exit.message)
        } else if case .exited(0) = exit {
            report(key, .TASK_FINISHED, message: exit.message)
        } else {
            report(key, .TASK_FAILED, message: exit.message)
        }
    }

    func kill(_ key: StatusUpdateManager.Key, grace: DurationInfo?) {
        guard var task = tasks[key], !task.state.isTerminal, !task.killRequested else { return }
        task.killRequested = true
        tasks[key] = task
        guard let handle = task.handle else { return }
        if frameworks[key.framework]?.hasCapability("TASK_KILLING_STATE") ?? false {
            report(key, .TASK_KILLING)
        }
        let period = grace.map { Duration.nanoseconds($0.nanoseconds) } ?? config.defaultGracePeriod
        Task { _ = await handle.terminate(gracePeriod: period) }
    }

    /// The framework is gone for good: kill its tasks and forget its updates.
    func shutdownFramework(_ framework: FrameworkID) {
        for (key, task) in tasks where key.framework == framework {
            if let handle = task.handle, !task.state.isTerminal {
                Task { _ = await handle.terminate(gracePeriod: config.defaultGracePeriod) }
            }
            tasks[key]?.killRequested = true
        }
        updates.removeFramework(framework)
        tasks = tasks.filter { $0.key.framework != framework || !($0.value.state.isTerminal) }
        frameworks[framework] = nil
    }
}
