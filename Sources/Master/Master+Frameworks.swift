import Allocator
import HTTPSupport
import MesosAPI

extension Master {
    public enum SubscribeOutcome: Sendable {
        case subscribed(FrameworkID)
        /// Refusals travel inside the 200 stream as one ERROR event, as Mesos sends them.
        case refused(String)
    }

    /// SUBSCRIBE: a new framework, a failover of a connected one, or a framework coming back
    /// after a master restart (rebuilt from the FrameworkInfo it sends).
    /// A framework new to the registry is stored there before it is answered.
    public func subscribe(_ subscribe: Call.Subscribe, stream: EventStream) async -> SubscribeOutcome {
        var info = subscribe.frameworkInfo
        if let problem = Validation.checkFrameworkInfo(info, whitelist: config.roleWhitelist) {
            let outsideWhitelist = config.roleWhitelist.map { allowed in
                Validation.frameworkRoles(info).contains { $0 != "*" && !allowed.contains($0) }
            } ?? false
            noteRefusal(info, problem, reason: outsideWhitelist ? "ROLE_NOT_ALLOWED" : "REFUSED")
            return .refused(problem)
        }
        let resubscribing = info.id.map { !$0.value.isEmpty } ?? false
        counters.count(resubscribing ? .reregister_framework : .register_framework)
        if let id = info.id, !id.value.isEmpty {
            if completedFrameworks.contains(where: { $0.id == id }) { return .refused("Framework has been removed") }
            if !registeredFrameworks.contains(id) {
                guard await persist([.addFramework(info)]) else { return .refused("Failed to store the framework") }
                registeredFrameworks.insert(id)
                if completedFrameworks.contains(where: { $0.id == id }) { return .refused("Framework has been removed") }
            }
            if frameworks[id] != nil {
                resubscribe(id, info: info, stream: stream, suppressedRoles: subscribe.suppressedRoles ?? [])
            } else {
                frameworks[id] = FrameworkEntry(id: id, info: info, stream: nil, connected: false, active: false,
                                                recovered: true, registeredTime: wallClock)
                allocator.addFramework(id, roles: frameworks[id]!.roles, active: false)
                resubscribe(id, info: info, stream: stream, suppressedRoles: subscribe.suppressedRoles ?? [])
            }
            return .subscribed(id)
        }
        let id = newFrameworkID()
        info.id = id
        guard await persist([.addFramework(info)]) else { return .refused("Failed to store the framework") }
        registeredFrameworks.insert(id)
        let entry = FrameworkEntry(id: id, info: info, stream: stream, connected: true, active: true,
                                   recovered: false, registeredTime: wallClock)
        frameworks[id] = entry
        allocator.addFramework(id, roles: entry.roles, active: true,
                               suppressedRoles: Set(subscribe.suppressedRoles ?? []))
        greet(id)
        publishFramework(id, added: true)
        logger.info("Framework \(id) (\(info.name)) subscribed")
        requestAllocation()
        return .subscribed(id)
    }

    private func resubscribe(_ id: FrameworkID, info: FrameworkInfo, stream: EventStream, suppressedRoles: [String]) {
        guard var entry = frameworks[id] else { return }
        if let old = entry.stream {
            old.send(Event.error("Framework failed over"))
            old.finish()
        }
        // `user` and `checkpoint` may not change on resubscription; keep the original ones.
        var updated = info
        if !entry.recovered { updated.user = entry.info.user; updated.checkpoint = entry.info.checkpoint }
        entry.info = updated
        entry.stream = stream
        entry.connected = true
        entry.active = true
        entry.recovered = false
        entry.reregisteredTime = wallClock
        entry.unregisteredTime = nil
        entry.generation += 1
        frameworks[id] = entry
        discardOffers(of: id, rescind: false)
        allocator.updateFramework(id, roles: entry.roles, suppressedRoles: Set(suppressedRoles))
        allocator.activateFramework(id)
        greet(id)
        publishFramework(id, added: false)
        logger.info("Framework \(id) (\(info.name)) resubscribed")
        // Agents hold this framework's unacknowledged updates: ask them to send them now rather
        // than at their next retry.
        for agentID in Set(entry.tasks.values.map(\.agentID)) {
            _ = send(AgentEvent.resend(id), toAgent: agentID)
        }
        requestAllocation()
    }

    private func greet(_ id: FrameworkID) {
        let seconds = Double(config.heartbeatInterval.components.seconds)
        send(Event.subscribed(id, heartbeat: seconds, master: info), to: id)
        send(Event.heartbeat, to: id)
    }

    /// Whether the framework subscribed to this master (as opposed to being known only from
    /// agents' reports since a failover, or not at all).
    func isRegisteredFramework(_ id: FrameworkID) -> Bool {
        frameworks[id].map { !$0.recovered } ?? false
    }

    /// The subscription broke: keep the framework for its failover timeout.
    public func frameworkStreamClosed(_ id: FrameworkID, streamID: String) {
        guard var entry = frameworks[id], entry.stream?.id == streamID else { return }
        entry.stream = nil
        entry.connected = false
        entry.active = false
        entry.unregisteredTime = wallClock
        frameworks[id] = entry
        stopOffering(id, rescind: false)
        logger.info("Framework \(id) disconnected; failover timeout \(entry.failoverTimeout)s")
        scheduleFailover(id)
    }

    /// A native driver aborted (DeactivateFrameworkMessage): the framework stays connected but
    /// inactive, its offers rescinded, until it subscribes again or its link breaks.
    public func deactivateFramework(_ id: FrameworkID, streamID: String) {
        guard var entry = frameworks[id], entry.stream?.id == streamID, entry.active else { return }
        entry.active = false
        frameworks[id] = entry
        stopOffering(id, rescind: true)
        logger.info("Framework \(id) deactivated by its driver")
    }

    /// An inactive framework gets no offers; those it holds go back (rescinded when it is still
    /// there to be told).
    private func stopOffering(_ id: FrameworkID, rescind: Bool) {
        allocator.deactivateFramework(id)
        discardOffers(of: id, rescind: rescind)
        publishFramework(id, added: false)
    }

    /// `slave(1)@` this, for a native driver.
    func agentEndpoint(_ id: AgentID) -> String? { agents[id]?.endpoint }

    func scheduleFailover(_ id: FrameworkID) {
        guard let entry = frameworks[id] else { return }
        let generation = entry.generation
        let timeout = min(entry.failoverTimeout, 365 * 24 * 3600)
        Task { [weak self] in
            if timeout > 0 { try? await Task.sleep(for: .seconds(timeout)) }
            await self?.failoverExpired(id, generation: generation)
        }
    }

    private func failoverExpired(_ id: FrameworkID, generation: Int) async {
        guard let entry = frameworks[id], !entry.connected, entry.generation == generation else { return }
        logger.info("Framework \(id) did not come back within its failover timeout; removing it")
        _ = await tearDown(id)
    }

    /// Removes a framework from the registry, then from the master.
    func tearDown(_ id: FrameworkID) async -> Bool {
        if registeredFrameworks.contains(id) {
            guard await persist([.removeFramework(id)]) else { return false }
            registeredFrameworks.remove(id)
        }
        removeFramework(id)
        return true
    }

    /// TEARDOWN or an expired failover: kill its tasks, drop its offers, move it to completed.
    func removeFramework(_ id: FrameworkID) {
        guard var entry = frameworks.removeValue(forKey: id) else { return }
        discardOffers(of: id, rescind: false)
        var agentsWithTasks = Set<AgentID>()
        for (_, task) in entry.tasks {
            unindexTask(TaskKey(framework: id, task: task.info.taskId), on: task.agentID)
            agentsWithTasks.insert(task.agentID)
            var done = task
            if !task.state.isTerminal {
                countTerminal(.TASK_KILLED)
                done.state = .TASK_KILLED
                publishTaskUpdated(done, status: TaskStatus(taskId: task.info.taskId, state: .TASK_KILLED,
                                                            message: "Framework removed", source: .SOURCE_MASTER,
                                                            reason: .REASON_FRAMEWORK_REMOVED, timestamp: wallClock))
                done.statuses.append(TaskStatus(taskId: task.info.taskId, state: .TASK_KILLED,
                                                message: "Framework removed", source: .SOURCE_MASTER,
                                                reason: .REASON_FRAMEWORK_REMOVED, timestamp: wallClock))
                allocator.recover(framework: id, agent: task.agentID, resources: task.resources, role: task.role,
                                  refuseSeconds: 0, now: now)
            }
            if done.frozenJSON == nil { done.freeze() }
            entry.completedTasks.append(done)
        }
        entry.tasks = [:]
        // Executors outlive their tasks: an agent running one of the framework's executors is
        // told too, so the executor is shut down.
        for (agentID, entries) in executors where entries.keys.contains(where: { $0.framework == id }) {
            agentsWithTasks.insert(agentID)
        }
        for agentID in agentsWithTasks { _ = send(AgentEvent.shutdownFramework(id), toAgent: agentID) }
        entry.stream?.finish()
        entry.stream = nil
        entry.connected = false
        entry.active = false
        entry.unregisteredTime = wallClock
        allocator.removeFramework(id)
        publish("FRAMEWORK_REMOVED", FrameworkRemoved(frameworkInfo: entry.info))
        completedFrameworks.append(entry)
        if completedFrameworks.count > config.maxCompletedFrameworks { completedFrameworks.removeFirst() }
        requestAllocation()
    }

    /// Drops a framework's outstanding offers and returns their resources to the pool.
    func discardOffers(of id: FrameworkID, rescind: Bool) {
        guard let ids = frameworks[id]?.offers else { return }
        for offerID in ids {
            guard let offer = offers.removeValue(forKey: offerID) else { continue }
            allocator.recover(framework: id, agent: offer.agentID, resources: offer.resources, role: offer.role,
                              refuseSeconds: 0, now: now)
            if rescind { send(Event.rescind(offerID), to: id) }
        }
        frameworks[id]?.offers = []
    }
}
