import Allocator
import HTTPSupport
import MesosAPI
import Registry

extension Master {
    /// An agent (re)registers. A known ID keeps its identity; an ID this master never saw
    /// (it restarted) is taken as given, with the tasks the agent reports. A new agent is
    /// admitted, and an unreachable one readmitted, in the registry first; nil when that failed.
    public func registerAgent(_ registration: AgentRegistration, stream: EventStream) async -> AgentID? {
        var registration = registration
        let given = registration.agentInfo.id.flatMap { $0.value.isEmpty ? nil : $0 }
        let id = given ?? newAgentID()
        registration.agentInfo.id = id
        var wasUnreachable = false
        if agents[id] == nil {
            if recoveredAgents.removeValue(forKey: id) == nil {
                wasUnreachable = unreachableAgents[id] != nil
                let operation: RegistryOperation = given == nil ? .admitAgent(registration.agentInfo)
                                                                : .markReachable(registration.agentInfo)
                guard await persist([operation]) else { return nil }
                unreachableAgents[id] = nil
            }
        }
        let known = agents[id] != nil || given != nil
        counters.count(known ? .reregister_slave : .register_slave)
        if known { counters.agentReregistrations += 1 } else { counters.agentRegistrations += 1 }
        let doomed = wasUnreachable ? withdrawUnreachableTasks(&registration) : []
        admit(registration, id: id, stream: stream)
        for framework in doomed.sorted() { _ = send(AgentEvent.shutdownFramework(framework), toAgent: id) }
        return id
    }

    private func admit(_ registration: AgentRegistration, id: AgentID, stream: EventStream) {
        let agentInfo = registration.agentInfo
        let total = applyStoredReservations(Resources((agentInfo.resources ?? []).upgraded), agent: id)
        let isNew = agents[id] == nil
        if var existing = agents[id] {
            loseUnreportedTasks(registration, agentID: id)
            existing.total = total
            existing.stream?.finish()
            existing.stream = stream
            existing.active = true
            existing.info = agentInfo
            existing.endpoint = registration.endpoint
            existing.reregisteredTime = wallClock
            existing.generation += 1
            agents[id] = existing
            allocator.removeAgent(id)
        } else {
            agents[id] = AgentEntry(id: id, info: agentInfo, endpoint: registration.endpoint, stream: stream,
                                    active: true, total: total, registeredTime: wallClock)
            if let record = storedDrains[id] {
                agents[id]?.deactivated = true
                if let state = record.state, let config = record.config {
                    agents[id]?.drain = AgentDrain(state: state == .DRAINED ? .DRAINED : .DRAINING, config: config)
                }
            }
        }
        adoptReportedTasks(registration, agentID: id)
        adoptReportedExecutors(registration, agentID: id)
        // What the agent reports is all it runs (anything else of it was just marked lost), so
        // its allocation is summed over its own reports, not over every task of the cluster:
        // a failover re-registers thousands of agents at once.
        var used: [FrameworkID: Resources] = [:]
        for report in registration.tasks {
            guard let task = frameworks[report.frameworkId]?.tasks[report.task.taskId], task.agentID == id,
                  !task.state.isTerminal else { continue }
            used[report.frameworkId, default: Resources()] += task.resources.allocating(to: task.role)
        }
        for executor in (executors[id] ?? [:]).values where frameworks[executor.frameworkID] != nil {
            used[executor.frameworkID, default: Resources()] += executor.resources.allocating(to: executor.role)
        }
        allocator.addAgent(id, total: total, allocated: used)
        if isNew { publishAgentAdded(id, allocated: used.values.reduce(Resources(), +)) }
        stream.send(AgentEvent.registered(id, master: info))
        if agents[id]?.deactivated == true { allocator.setAgentActive(id, false) }
        if let drain = agents[id]?.drain, drain.state == .DRAINING {
            var event = AgentEvent(type: .DRAIN)
            event.drainConfig = drain.config
            stream.send(event)
            killForDrain(id)
        }
        logger.info("Agent \(id) at \(registration.endpoint) registered with \(total)")
        requestAllocation()
    }

    /// A known agent that comes back without some of its tasks restarted and lost them: each is
    /// reported lost once (TASK_GONE for partition-aware frameworks), with REASON_AGENT_RESTARTED.
    private func loseUnreportedTasks(_ registration: AgentRegistration, agentID: AgentID) {
        let reported = Set(registration.tasks.map { TaskKey(framework: $0.frameworkId, task: $0.task.taskId) })
        for key in tasksOnAgent[agentID] ?? [] where !reported.contains(key) {
            // Fields, not the framework's entry: a copy held here would make every completion
            // below copy the framework's whole task table.
            guard let task = frameworks[key.framework]?.tasks[key.task], !task.state.isTerminal else { continue }
            let state: TaskState = isPartitionAware(key.framework) ? .TASK_GONE : .TASK_LOST
            allocator.recover(framework: key.framework, agent: agentID, resources: task.resources, role: task.role,
                              refuseSeconds: 0, now: now)
            sendMasterUpdate(key.framework, taskID: key.task, agentID: agentID, state: state,
                             reason: .REASON_AGENT_RESTARTED, message: "Task was lost when agent \(agentID) restarted")
            completeTask(key.framework, key.task, finalState: state)
        }
    }

    /// Tasks an agent reports that this master does not know (it restarted, or lost them):
    /// rebuild them, and their frameworks as "recovered" ones awaiting their schedulers.
    private func adoptReportedTasks(_ registration: AgentRegistration, agentID: AgentID) {
        let infos = Dictionary(registration.frameworks.compactMap { f in f.id.map { ($0, f) } },
                               uniquingKeysWith: { a, _ in a })
        for report in registration.tasks {
            let fid = report.frameworkId
            if completedFrameworks.contains(where: { $0.id == fid }) {
                _ = send(AgentEvent.shutdownFramework(fid), toAgent: agentID)
                continue
            }
            if frameworks[fid] == nil {
                var info = infos[fid] ?? FrameworkInfo(user: "", name: "")
                info.id = fid
                frameworks[fid] = FrameworkEntry(id: fid, info: info, stream: nil, connected: false, active: false,
                                                 recovered: true, registeredTime: wallClock,
                                                 unregisteredTime: wallClock)
                allocator.addFramework(fid, roles: frameworks[fid]!.roles, active: false)
                scheduleFailover(fid)
            }
            if var task = frameworks[fid]?.tasks[report.task.taskId] {
                task.state = report.state
                frameworks[fid]?.tasks[report.task.taskId] = task
            } else {
                let taggedRole = report.task.resources?.compactMap(\.allocationInfo?.role).first
                var task = TaskEntry(info: report.task, frameworkID: fid, agentID: agentID,
                                     role: taggedRole ?? frameworks[fid]?.roles.first ?? "*",
                                     resources: (report.task.resources ?? []).normalized, state: report.state)
                task.statuses.append(TaskStatus(taskId: report.task.taskId, state: report.state, timestamp: wallClock))
                frameworks[fid]?.tasks[report.task.taskId] = task
                indexTask(TaskKey(framework: fid, task: report.task.taskId), on: agentID)
            }
        }
    }

    /// The executors the agent says it runs are what it runs: ones this master did not know (it
    /// restarted) are counted again, with the role of their tasks; ones it no longer has are
    /// forgotten, their resources free.
    private func adoptReportedExecutors(_ registration: AgentRegistration, agentID: AgentID) {
        guard let reported = registration.executors else { return }
        var entries: [ExecutorKey: ExecutorEntry] = [:]
        for report in reported where frameworks[report.frameworkId] != nil {
            let key = ExecutorKey(framework: report.frameworkId, executor: report.executor.executorId)
            if let known = executors[agentID]?[key] {
                entries[key] = known
                continue
            }
            let role = frameworks[report.frameworkId]?.tasks.values
                .first { $0.agentID == agentID && $0.info.executor?.executorId == key.executor }?.role
                ?? (report.executor.resources ?? []).compactMap(\.allocationInfo?.role).first
                ?? frameworks[report.frameworkId]?.roles.first ?? "*"
            entries[key] = ExecutorEntry(info: report.executor, frameworkID: report.frameworkId, role: role,
                                         resources: (report.executor.resources ?? []).normalized)
        }
        executors[agentID] = entries.isEmpty ? nil : entries
    }

    public var activeAgentCount: Int { agents.values.filter(\.active).count }

    public func isGone(_ id: AgentID?) -> Bool { id.map { goneAgents.contains($0) } ?? false }

    /// The agent's link broke: stop offering its resources; if it does not come back in time,
    /// its tasks are lost.
    public func agentStreamClosed(_ id: AgentID, streamID: String) {
        guard var agent = agents[id], agent.stream?.id == streamID else { return }
        agent.stream = nil
        agent.active = false
        agent.generation += 1
        agents[id] = agent
        for (offerID, offer) in offers where offer.agentID == id {
            removeOffer(offerID, refuseSeconds: 0)
            send(Event.rescind(offerID), to: offer.frameworkID)
        }
        allocator.removeAgent(id)
        logger.info("Agent \(id) disconnected")
        let generation = agent.generation
        let timeout = config.agentRemovalTimeout
        Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.agentRemovalExpired(id, generation: generation)
        }
    }

    /// Marked unreachable in the registry first; if the agent came back meanwhile, it is
    /// readmitted at once.
    private func agentRemovalExpired(_ id: AgentID, generation: Int) async {
        func stillGone() -> Bool {
            guard let agent = agents[id] else { return false }
            return !agent.active && agent.generation == generation
        }
        guard stillGone(), await markUnreachable(id, stillMissing: stillGone) else { return }
        removeAgent(id, partitionAwareState: .TASK_UNREACHABLE)
        logger.info("Agent \(id) marked unreachable")
    }

    /// Marks an agent unreachable, in the registry first, if it is still missing after the rate
    /// limit's wait and after the write; one that came back meanwhile is readmitted in the
    /// registry at once. True when it was marked.
    private func markUnreachable(_ id: AgentID, stillMissing: () -> Bool) async -> Bool {
        await waitForRemovalSlot()
        guard stillMissing() else { return false }
        let time = wallClock
        guard await persist([.markUnreachable(id, time: time)]) else { return false }
        guard stillMissing() else {
            if let info = agents[id]?.info { _ = await persist([.markReachable(info)]) }
            return false
        }
        unreachableAgents[id] = time
        counters.agentsMarkedUnreachable += 1
        return true
    }

    /// `--agent_removal_rate_limit`: one removal per interval, in the order they were asked for.
    func waitForRemovalSlot() async {
        guard let interval = config.agentRemovalInterval else { return }
        let slot = max(ContinuousClock.now, nextRemovalSlot)
        nextRemovalSlot = slot + interval
        try? await Task.sleep(until: slot, clock: .continuous)
    }

    /// After a recovery: agents that do not re-register within `--agent_reregister_timeout` are
    /// marked unreachable, unless so many are missing that the fault is more likely elsewhere.
    func awaitRecoveredAgents() {
        let admitted = recoveredAgents.count
        let timeout = config.agentReregisterTimeout
        background.append(Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.recoveredAgentsTimedOut(admitted: admitted)
        })
    }

    private func recoveredAgentsTimedOut(admitted: Int) async {
        let missing = recoveredAgents.keys.sorted()
        guard !missing.isEmpty else { return }
        let fraction = Double(missing.count) / Double(max(admitted, 1))
        if fraction > config.recoveryAgentRemovalLimit {
            logger.error("\(missing.count) of \(admitted) admitted agents did not re-register after recovery, more than --recovery_agent_removal_limit allows: none is marked unreachable")
            return
        }
        for id in missing where await markUnreachable(id, stillMissing: { recoveredAgents[id] != nil }) {
            recoveredAgents[id] = nil
            logger.info("Agent \(id) did not re-register after recovery; marked unreachable")
        }
    }

    /// An agent back from unreachable: its tasks of frameworks that are not partition-aware were
    /// reported lost, so they are shut down rather than taken back, as in Mesos. Returns those
    /// frameworks, with their tasks taken out of the registration.
    private func withdrawUnreachableTasks(_ registration: inout AgentRegistration) -> Set<FrameworkID> {
        let infos = Dictionary(registration.frameworks.compactMap { f in f.id.map { ($0, f) } },
                               uniquingKeysWith: { a, _ in a })
        var doomed = Set<FrameworkID>()
        for report in registration.tasks {
            let info = frameworks[report.frameworkId]?.info ?? infos[report.frameworkId]
            if info?.isPartitionAware != true { doomed.insert(report.frameworkId) }
        }
        registration.tasks.removeAll { doomed.contains($0.frameworkId) }
        registration.executors?.removeAll { doomed.contains($0.frameworkId) }
        return doomed
    }

    /// An operator takes a connected agent out (MARK_AGENT_GONE, START_MAINTENANCE): it is told to
    /// shut down every framework it runs, its link ends, and it is removed; its tasks are gone
    /// (lost for frameworks that are not partition-aware).
    func shutDownAndRemove(_ id: AgentID) {
        let running = Set((tasksOnAgent[id] ?? []).map(\.framework))
        for framework in running.sorted() { _ = send(AgentEvent.shutdownFramework(framework), toAgent: id) }
        agents[id]?.stream?.finish()
        removeAgent(id, partitionAwareState: .TASK_GONE_BY_OPERATOR)
    }

    func removeAgent(_ id: AgentID, partitionAwareState: TaskState) {
        agents.removeValue(forKey: id)
        publish("AGENT_REMOVED", AgentRemoved(agentId: id))
        executors[id] = nil
        allocator.removeAgent(id)
        for key in tasksOnAgent[id] ?? [] {
            guard let task = frameworks[key.framework]?.tasks[key.task] else { continue }
            let state: TaskState = isPartitionAware(key.framework) ? partitionAwareState : .TASK_LOST
            if !task.state.isTerminal {
                sendMasterUpdate(key.framework, taskID: key.task, agentID: id, state: state, reason: .REASON_AGENT_REMOVED,
                                 message: "Agent \(id) was removed")
            }
            completeTask(key.framework, key.task, finalState: task.state.isTerminal ? task.state : state)
        }
        logger.info("Agent \(id) removed")
    }

    /// Moves a task to its framework's completed list.
    func completeTask(_ framework: FrameworkID, _ taskID: TaskID, finalState: TaskState) {
        guard var task = frameworks[framework]?.tasks.removeValue(forKey: taskID) else { return }
        unindexTask(TaskKey(framework: framework, task: taskID), on: task.agentID)
        let changed = !task.state.isTerminal && finalState.isTerminal
        if changed { countTerminal(finalState) }
        task.state = finalState
        if changed {
            let status = task.statuses.last.flatMap { $0.state == finalState ? $0 : nil }
                ?? TaskStatus(taskId: taskID, state: finalState, source: .SOURCE_MASTER, agentId: task.agentID, timestamp: wallClock)
            publishTaskUpdated(task, status: status)
        }
        task.unacknowledged = [:]
        if task.frozenJSON == nil { task.freeze() }
        frameworks[framework]?.completedTasks.append(task)
        if let count = frameworks[framework]?.completedTasks.count, count > config.maxCompletedTasksPerFramework {
            _ = frameworks[framework]?.completedTasks.popFirst()
        }
    }

    func indexTask(_ key: TaskKey, on agent: AgentID) {
        tasksOnAgent[agent, default: []].insert(key)
    }

    func unindexTask(_ key: TaskKey, on agent: AgentID) {
        tasksOnAgent[agent]?.remove(key)
        if tasksOnAgent[agent]?.isEmpty == true { tasksOnAgent[agent] = nil }
    }
}
