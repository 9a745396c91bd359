import Allocator
import MesosAPI

extension Master {
    /// A status update from an agent: record it, free the resources of a task that ended, and
    /// forward it to the framework, which acknowledges it back through us.
    public func agentUpdates(_ call: AgentCall) {
        guard agents[call.agentId] != nil else {
            counters.invalidStatusUpdates += call.updates.count
            return
        }
        for update in call.updates { agentUpdate(update, from: call.agentId) }
        for notice in call.executorNotices ?? [] { executorNotice(notice, from: call.agentId) }
    }

    /// An executor's framework message goes to its scheduler; an executor's exit frees its
    /// resources and becomes a FAILURE event, as Mesos sends for an exited executor.
    func executorNotice(_ notice: AgentCall.ExecutorNotice, from agentID: AgentID) {
        if let data = notice.data {
            send(Event.message(agent: agentID, executor: notice.executorId, data: data), to: notice.frameworkId)
        }
        guard notice.exited == true else { return }
        let key = ExecutorKey(framework: notice.frameworkId, executor: notice.executorId)
        if let entry = executors[agentID]?.removeValue(forKey: key) {
            allocator.recover(framework: entry.frameworkID, agent: agentID, resources: entry.resources,
                              role: entry.role, refuseSeconds: 0, now: now)
            requestAllocation()
        }
        // pymesos reads `status` whenever an executor is named, so it is always set.
        send(Event.failure(agent: agentID, executor: notice.executorId, status: notice.exitStatus ?? 0), to: notice.frameworkId)
    }

    func agentUpdate(_ update: AgentCall.Update, from agentID: AgentID) {
        let fid = update.frameworkId
        var status = update.status
        let draining = agents[agentID]?.drain?.state == .DRAINING
        if draining && status.state == .TASK_KILLED && status.reason == nil { status.reason = .REASON_AGENT_DRAINING }
        // Taken out of the table while it changes, so its arrays are not copied on write.
        guard var task = frameworks[fid]?.tasks.removeValue(forKey: status.taskId) else {
            // A task this master already completed: a retry whose acknowledgement was lost.
            // Pass it on so the framework acknowledges it again and the agent stops retrying;
            // with no framework left, acknowledge it here.
            if frameworks[fid] != nil {
                send(Event.update(status), to: fid)
            } else if let uuid = status.uuid {
                _ = send(AgentEvent.acknowledge(status.taskId, framework: fid, uuid: uuid), toAgent: agentID)
            }
            return
        }
        counters.validStatusUpdates += 1
        counters.count(.status_update)
        let wasTerminal = task.state.isTerminal
        let previous = task.state
        task.state = update.latestState
        if !wasTerminal && task.state.isTerminal { countTerminal(task.state) }
        if task.state != previous || status.state != task.statusUpdateState { publishTaskUpdated(task, status: status) }
        task.statusUpdateState = status.state
        if task.statuses.last?.state != status.state { task.statuses.append(status) }
        if let uuid = status.uuid { task.unacknowledged[uuid] = status.state }
        if task.frozenJSON == nil { task.freeze() }
        frameworks[fid]?.tasks[status.taskId] = task
        if !wasTerminal && task.state.isTerminal {
            allocator.recover(framework: fid, agent: task.agentID, resources: task.resources, role: task.role,
                              refuseSeconds: 0, now: now)
            requestAllocation()
        }
        send(Event.update(status), to: fid)
        if draining { checkDrained(agentID) }
    }

    func acknowledge(_ framework: FrameworkID, _ ack: Call.Acknowledge) -> CallOutcome {
        if let problem = Validation.checkUUID(ack.uuid) { return .badRequest(problem) }
        guard var task = frameworks[framework]?.tasks.removeValue(forKey: ack.taskId) else {
            // Still pass it on: the agent may be retrying an update for a task we completed.
            _ = send(AgentEvent.acknowledge(ack.taskId, framework: framework, uuid: ack.uuid), toAgent: ack.agentId)
            return .accepted
        }
        let agentID = task.agentID
        let state = task.unacknowledged.removeValue(forKey: ack.uuid)
        frameworks[framework]?.tasks[ack.taskId] = task
        if let state, state.isTerminal { completeTask(framework, ack.taskId, finalState: state) }
        _ = send(AgentEvent.acknowledge(ack.taskId, framework: framework, uuid: ack.uuid), toAgent: agentID)
        checkDrained(agentID)
        return .accepted
    }

    func kill(_ framework: FrameworkID, _ kill: Call.Kill) -> CallOutcome {
        guard let task = frameworks[framework]?.tasks[kill.taskId] else {
            reconcile(framework, [Call.Reconcile.Task(taskId: kill.taskId, agentId: kill.agentId)])
            return .accepted
        }
        if let agent = kill.agentId, agent != task.agentID { return .accepted }
        let grace = kill.killPolicy?.gracePeriod ?? task.info.killPolicy?.gracePeriod
        _ = send(AgentEvent.kill(kill.taskId, framework: framework, grace: grace), toAgent: task.agentID)
        return .accepted
    }

    /// SHUTDOWN of an executor: a command task's executor shares the task's ID.
    func shutdownExecutor(_ framework: FrameworkID, _ shutdown: Call.Shutdown) -> CallOutcome {
        let taskID = TaskID(shutdown.executorId.value)
        if let task = frameworks[framework]?.tasks[taskID], task.agentID == shutdown.agentId {
            _ = send(AgentEvent.kill(taskID, framework: framework, grace: nil), toAgent: task.agentID)
        }
        return .accepted
    }

    func message(_ framework: FrameworkID, _ message: Call.Message) -> CallOutcome {
        _ = send(AgentEvent.message(framework, executor: message.executorId, data: message.data),
                 toAgent: message.agentId)
        return .accepted
    }

    /// RECONCILE: answers come as master-generated updates with REASON_RECONCILIATION.
    func reconcile(_ framework: FrameworkID, _ tasks: [Call.Reconcile.Task]) {
        guard let entry = frameworks[framework] else { return }
        if tasks.isEmpty {
            for task in entry.tasks.values {
                reply(framework, task.info.taskId, task.agentID, task.reconciledState, "Latest task state")
            }
            return
        }
        let aware = entry.info.isPartitionAware
        for request in tasks {
            if let task = entry.tasks[request.taskId] {
                reply(framework, request.taskId, task.agentID, task.reconciledState, "Latest task state")
                continue
            }
            if let (state, message) = unknownTaskAnswer(agent: request.agentId, partitionAware: aware) {
                reply(framework, request.taskId, request.agentId, state, message)
            }
        }
    }

    /// What Mesos answers for a task the master does not know, by what it knows of the agent;
    /// nil (no answer) while the agent may still re-register with it.
    private func unknownTaskAnswer(agent: AgentID?, partitionAware aware: Bool) -> (TaskState, String)? {
        guard let agent else {
            return recoveredAgents.isEmpty ? (aware ? .TASK_UNKNOWN : .TASK_LOST, "Task is unknown") : nil
        }
        if agents[agent] != nil { return (aware ? .TASK_GONE : .TASK_LOST, "Task is unknown to the agent") }
        if recoveredAgents[agent] != nil { return nil }
        if unreachableAgents[agent] != nil { return (aware ? .TASK_UNREACHABLE : .TASK_LOST, "Task is on an unreachable agent") }
        if goneAgents.contains(agent) { return (aware ? .TASK_GONE_BY_OPERATOR : .TASK_LOST, "Task is on a gone agent") }
        return (aware ? .TASK_UNKNOWN : .TASK_LOST, "Task is unknown")
    }

    private func reply(_ framework: FrameworkID, _ taskID: TaskID, _ agentID: AgentID?, _ state: TaskState,
                       _ message: String) {
        sendMasterUpdate(framework, taskID: taskID, agentID: agentID, state: state,
                         reason: .REASON_RECONCILIATION, message: "Reconciliation: \(message)")
    }
}
