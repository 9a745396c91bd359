import MesosAPI

/// GET_STATE and its parts. Each builder copies what it needs out of the master's tables (task
/// infos are shared by reference); the endpoint encodes the result after leaving the actor.
extension StateView {
    public func operatorState() -> OperatorState {
        OperatorState(getTasks: operatorTasks(), getExecutors: operatorExecutors(),
                      getFrameworks: operatorFrameworks(), getAgents: operatorAgents())
    }

    public func operatorTasks() -> OperatorState.Tasks {
        var live: [V1Task] = []
        var completed: [V1Task] = []
        var unreachable: [V1Task] = []
        for framework in frameworks.values.sorted(by: { $0.id < $1.id }) {
            for task in framework.tasks.values {
                if task.state == .TASK_UNREACHABLE { unreachable.append(operatorTask(task)) } else { live.append(operatorTask(task)) }
            }
            completed += framework.completedTasks.map(operatorTask)
        }
        for framework in completedFrameworks { completed += framework.completedTasks.map(operatorTask) }
        return OperatorState.Tasks(tasks: live, unreachableTasks: unreachable, completedTasks: completed)
    }

    func operatorTask(_ task: TaskEntry) -> V1Task {
        let info = task.info
        return V1Task(
            name: info.name, taskId: info.taskId, frameworkId: task.frameworkID, executorId: info.executor?.executorId,
            agentId: task.agentID, state: task.state, resources: task.resources.allocating(to: task.role).resources,
            statuses: task.statuses, statusUpdateState: task.statusUpdateState, labels: info.labels,
            container: info.container, user: info.command?.user ?? frameworks[task.frameworkID]?.info.user)
    }

    public func operatorExecutors() -> OperatorState.Executors {
        var list: [OperatorState.Executor] = []
        for (agentID, entries) in executors.sorted(by: { $0.key < $1.key }) {
            for entry in entries.values { list.append(OperatorState.Executor(executorInfo: entry.info, agentId: agentID)) }
        }
        return OperatorState.Executors(executors: list)
    }

    public func operatorFrameworks() -> OperatorState.Frameworks {
        OperatorState.Frameworks(frameworks: frameworks.values.sorted { $0.id < $1.id }.map(operatorFramework),
                                 completedFrameworks: completedFrameworks.map(operatorFramework))
    }

    func operatorFramework(_ framework: FrameworkEntry) -> OperatorState.Framework {
        var used = Resources()
        for task in framework.tasks.values where !task.state.isTerminal { used += task.resources.allocating(to: task.role) }
        var offered = Resources()
        for id in framework.offers { if let offer = offers[id] { offered += offer.resources.allocating(to: offer.role) } }
        return OperatorState.Framework(
            frameworkInfo: framework.info, active: framework.active, connected: framework.connected,
            recovered: framework.recovered, registeredTime: .init(framework.registeredTime),
            reregisteredTime: framework.reregisteredTime.map(OperatorState.TimeInfo.init),
            unregisteredTime: framework.unregisteredTime.map(OperatorState.TimeInfo.init),
            offers: framework.offers.sorted().compactMap { offers[$0]?.offer },
            allocatedResources: used.resources, offeredResources: offered.resources)
    }

    public func operatorAgents() -> OperatorState.Agents {
        let usage = agentUsage()
        let list = agents.values.sorted { $0.id < $1.id }.map { agent in
            operatorAgent(agent, allocated: usage.used[agent.id] ?? Resources(), offered: usage.offered[agent.id] ?? Resources())
        }
        return OperatorState.Agents(agents: list, recoveredAgents: recoveredAgents.keys.sorted().compactMap { recoveredAgents[$0] })
    }

    func operatorAgent(_ agent: AgentEntry, allocated: Resources, offered: Resources) -> OperatorState.Agent {
        var info = agent.info
        info.resources = agent.total.resources
        return OperatorState.Agent(
            agentInfo: info, active: agent.active, deactivated: agent.deactivated, version: plinthMesosVersion,
            pid: "slave(1)@\(agent.endpoint)", registeredTime: .init(agent.registeredTime),
            reregisteredTime: agent.reregisteredTime.map(OperatorState.TimeInfo.init),
            totalResources: agent.total.resources, allocatedResources: allocated.resources, offeredResources: offered.resources)
    }
}

extension Master {
    /// MARK_AGENT_GONE: stored first; the agent's tasks are then gone (TASK_GONE_BY_OPERATOR, or
    /// TASK_LOST for frameworks that are not partition-aware), and the agent, if connected, is
    /// told to shut them down. It may never register again.
    public func operatorMarkGone(_ id: AgentID) async -> OperatorOutcome {
        if goneAgents.contains(id) { return .ok }
        guard agents[id] != nil || unreachableAgents[id] != nil || recoveredAgents[id] != nil else {
            return .badRequest("Agent \(id) not found")
        }
        guard await persist([.markGone(id, time: wallClock)]) else { return .unavailable("Failed to mark the agent gone") }
        goneAgents.insert(id)
        unreachableAgents[id] = nil
        recoveredAgents[id] = nil
        storedDrains[id] = nil
        storedReservations[id] = nil
        counters.agentRemovals += 1
        if agents[id] != nil { shutDownAndRemove(id) }
        logger.info("Agent \(id) marked gone by the operator")
        return .ok
    }

    /// GET_LOGGING_LEVEL / SET_LOGGING_LEVEL: glog's verbosity, 0 by default, mapped onto the
    /// master's log level (1: debug, 2 and more: trace) and restored after `duration`.
    public var loggingLevel: Int { verbosity }

    public func setLoggingLevel(_ level: Int, for duration: Duration) {
        verbosity = max(0, level)
        logger.logLevel = verbosity == 0 ? baseLogLevel : (verbosity == 1 ? .debug : .trace)
        verbosityGeneration += 1
        let generation = verbosityGeneration
        Task { [weak self] in
            try? await Task.sleep(for: duration)
            await self?.restoreLoggingLevel(generation)
        }
    }

    private func restoreLoggingLevel(_ generation: Int) {
        guard generation == verbosityGeneration else { return }
        verbosity = 0
        logger.logLevel = baseLogLevel
    }
}
