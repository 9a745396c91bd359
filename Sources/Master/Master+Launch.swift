import Allocator
import MesosAPI

extension Master {
    static let supportedOperations: Set<String> = ["LAUNCH", "LAUNCH_GROUP", "RESERVE", "UNRESERVE"]

    /// ACCEPT: validate the offers, then run the operations in order against the offered
    /// resources; whatever they leave unused goes back with the call's filter.
    func accept(_ framework: FrameworkID, _ accept: Call.Accept) async -> CallOutcome {
        if let op = accept.operations.first(where: { !Master.supportedOperations.contains($0.type) }) {
            return .badRequest("Offer operation \(op.type) is not supported yet; LAUNCH, LAUNCH_GROUP, RESERVE and UNRESERVE are")
        }
        let refuse = accept.filters?.refuseSeconds ?? allocator.config.defaultRefuseSeconds
        if let problem = checkOffers(accept.offerIds, framework: framework) {
            for id in accept.offerIds where offers[id]?.frameworkID == framework { removeOffer(id, refuseSeconds: 0) }
            let state: TaskState = isPartitionAware(framework) ? .TASK_DROPPED : .TASK_LOST
            for task in accept.operations.flatMap(\.launchTasks) {
                sendMasterUpdate(framework, taskID: task.taskId, agentID: task.agentId, state: state,
                                 reason: .REASON_INVALID_OFFERS, message: problem)
            }
            return .accepted
        }
        let agentID = offers[accept.offerIds[0]]!.agentID
        let role = offers[accept.offerIds[0]]!.role
        let offered = accept.offerIds.reduce(into: Resources()) { $0 += offers[$1]?.resources ?? Resources() }
        if case .failure(let problem) = planReservations(accept.operations, framework: framework, available: offered) {
            return .badRequest(problem.message)
        }
        var available = offered
        for id in accept.offerIds {
            offers[id] = nil
            frameworks[framework]?.offers.remove(id)
        }
        // The offers are spent before the registry write, so nothing else can take them meanwhile.
        let conversions = Master.conversions(in: accept.operations)
        if !conversions.isEmpty, await !storeReservations(agent: agentID, conversions) {
            allocator.recover(framework: framework, agent: agentID, resources: available, role: role,
                              refuseSeconds: 0, now: now)
            return .unavailable("Failed to store the reservations")
        }
        var reshaped = false
        for operation in accept.operations {
            switch operation.type {
            case "RESERVE", "UNRESERVE":
                for (from, to) in Master.conversions(in: [operation]) {
                    convert(agent: agentID, from: from, to: to)
                    available = available - from + to
                    reshaped = true
                }
            case "LAUNCH_GROUP":
                guard let group = operation.launchGroup else {
                    logger.warning("LAUNCH_GROUP without 'launch_group' from framework \(framework)")
                    continue
                }
                available = launchGroup(group, framework: framework, agentID: agentID, role: role, available: available)
            default:
                for task in operation.launchTasks {
                    available = launch(task, framework: framework, agentID: agentID, role: role, available: available)
                }
            }
        }
        if reshaped { reshapeAllocator(agent: agentID) }
        allocator.recover(framework: framework, agent: agentID, resources: available, role: role,
                          refuseSeconds: refuse, now: now)
        requestAllocation()
        return .accepted
    }

    /// What each RESERVE and UNRESERVE turns into what.
    static func conversions(in operations: [Offer.Operation]) -> [(from: Resources, to: Resources)] {
        operations.compactMap { operation in
            let given = (operation.reserve?.resources ?? operation.unreserve?.resources ?? []).normalized.resources
            switch operation.type {
            case "RESERVE": return (Resources(given.map(\.poppedReservation)), Resources(given))
            case "UNRESERVE": return (Resources(given), Resources(given.map(\.poppedReservation)))
            default: return nil
            }
        }
    }

    /// Validates and starts one task; returns what is left of the offered resources.
    private func launch(_ task: TaskInfo, framework: FrameworkID, agentID: AgentID, role: String,
                        available: Resources) -> Resources {
        let known = frameworks[framework]?.tasks ?? [:]
        let executorKey = task.executor.map { ExecutorKey(framework: framework, executor: $0.executorId) }
        let running = executorKey.flatMap { executors[agentID]?[$0] }
        if let problem = Validation.checkTask(task, offerAgent: agentID, offered: available,
                                              runningExecutor: running?.info, isKnownTask: { known[$0] != nil }) {
            sendMasterUpdate(framework, taskID: task.taskId, agentID: agentID, state: .TASK_ERROR,
                             reason: .REASON_TASK_INVALID, message: problem)
            return available
        }
        let used = (task.resources ?? []).normalized
        guard let info = frameworks[framework]?.info,
              send(AgentEvent.launch(task, framework: info), toAgent: agentID) else {
            let state: TaskState = isPartitionAware(framework) ? .TASK_DROPPED : .TASK_LOST
            sendMasterUpdate(framework, taskID: task.taskId, agentID: agentID, state: state,
                             reason: .REASON_AGENT_DISCONNECTED, message: "Agent \(agentID) is not connected")
            return available
        }
        var entry = TaskEntry(info: task, frameworkID: framework, agentID: agentID, role: role, resources: used,
                              state: .TASK_STAGING)
        entry.statuses.append(TaskStatus(taskId: task.taskId, state: .TASK_STAGING, timestamp: wallClock))
        entry.freeze()
        frameworks[framework]?.tasks[task.taskId] = entry
        indexTask(TaskKey(framework: framework, task: task.taskId), on: agentID)
        publishTaskAdded(entry)
        if let executor = task.executor, let executorKey, running == nil {
            let resources = (executor.resources ?? []).normalized
            executors[agentID, default: [:]][executorKey] = ExecutorEntry(info: executor, frameworkID: framework,
                                                                         role: role, resources: resources)
            return available - used - resources
        }
        return available - used
    }

    func isPartitionAware(_ framework: FrameworkID) -> Bool {
        frameworks[framework]?.info.isPartitionAware ?? false
    }

    /// An update the master makes itself: no uuid, never retried, never acknowledged.
    func sendMasterUpdate(_ framework: FrameworkID, taskID: TaskID, agentID: AgentID?, state: TaskState,
                          reason: StatusReason, message: String) {
        let status = TaskStatus(taskId: taskID, state: state, message: message, source: .SOURCE_MASTER,
                                reason: reason, agentId: agentID, timestamp: wallClock)
        send(Event.update(status), to: framework)
    }
}

extension Offer.Operation {
    var launchTasks: [TaskInfo] { (launch?.taskInfos ?? []) + (launchGroup?.taskGroup.tasks ?? []) }
}
