import Allocator
import HTTPSupport
import MesosAPI
import Registry

/// Operator deactivation and draining of agents, as Mesos 1.11 does them: a deactivated agent
/// keeps its tasks but gets no offers; a draining one also has every task killed (each with its
/// own kill grace, capped by `max_grace_period`) and becomes DRAINED once all of them are
/// terminal and acknowledged. Only REACTIVATE_AGENT undoes either, and not while draining.
extension Master {
    public func operatorDeactivate(_ id: AgentID) async -> OperatorOutcome {
        guard agents[id] != nil else { return .badRequest("Unknown agent \(id)") }
        let record = storedDrains[id] ?? DrainRecord()
        guard await persist([.setDrain(id, record)]) else { return .unavailable("Failed to store the deactivation") }
        storedDrains[id] = record
        guard agents[id] != nil else { return .badRequest("Unknown agent \(id)") }
        deactivate(id)
        logger.info("Agent \(id) deactivated by the operator")
        return .ok
    }

    public func operatorDrain(_ call: OperatorCall.DrainAgent) async -> OperatorOutcome {
        let id = call.agentId
        guard agents[id] != nil else { return .badRequest("Unknown agent \(id)") }
        if let grace = call.maxGracePeriod, grace.seconds < 0 || grace.nanos < 0 {
            return .badRequest("DRAIN_AGENT's 'max_grace_period' must not be negative")
        }
        if agents[id]?.drain?.config.markGone == true {
            return .conflict("Agent \(id) is already being drained and marked gone")
        }
        let config = DrainConfig(maxGracePeriod: call.maxGracePeriod.map { DurationInfo(seconds: $0.timeInterval) },
                                 markGone: call.markGone)
        let record = DrainRecord(state: .DRAINING, config: config)
        guard await persist([.setDrain(id, record)]) else { return .unavailable("Failed to store the drain") }
        storedDrains[id] = record
        guard agents[id] != nil else { return .badRequest("Unknown agent \(id)") }
        deactivate(id)
        agents[id]?.drain = AgentDrain(state: .DRAINING, config: config)
        var event = AgentEvent(type: .DRAIN)
        event.drainConfig = config
        _ = send(event, toAgent: id)
        killForDrain(id)
        logger.info("Agent \(id) draining")
        checkDrained(id)
        return .ok
    }

    public func operatorReactivate(_ id: AgentID) async -> OperatorOutcome {
        func refusal() -> OperatorOutcome? {
            guard agents[id] != nil else { return .conflict("Agent \(id) is not registered (it may have been removed)") }
            if agents[id]?.drain?.state == .DRAINING {
                return .badRequest("Agent \(id) is still draining; it can be reactivated once DRAINED")
            }
            return nil
        }
        if let refusal = refusal() { return refusal }
        guard await persist([.setDrain(id, nil)]) else { return .unavailable("Failed to store the reactivation") }
        storedDrains[id] = nil
        if let refusal = refusal() { return refusal }
        if agents[id]?.drain != nil { _ = send(AgentEvent(type: .DRAIN), toAgent: id) }
        agents[id]?.deactivated = false
        agents[id]?.drain = nil
        allocator.setAgentActive(id, true)
        logger.info("Agent \(id) reactivated")
        requestAllocation()
        return .ok
    }

    private func deactivate(_ id: AgentID) {
        agents[id]?.deactivated = true
        allocator.setAgentActive(id, false)
        for (offerID, offer) in offers where offer.agentID == id {
            removeOffer(offerID, refuseSeconds: 0)
            send(Event.rescind(offerID), to: offer.frameworkID)
        }
    }

    /// Kills every live task on a draining agent; also used when it re-registers mid-drain.
    func killForDrain(_ id: AgentID) {
        guard let drain = agents[id]?.drain, drain.state == .DRAINING else { return }
        for framework in frameworks.values {
            for task in framework.tasks.values where task.agentID == id && !task.state.isTerminal {
                var grace = task.info.killPolicy?.gracePeriod
                if let cap = drain.config.maxGracePeriod, grace.map({ $0.nanoseconds > cap.nanoseconds }) ?? true {
                    grace = cap
                }
                _ = send(AgentEvent.kill(task.info.taskId, framework: framework.id, grace: grace), toAgent: id)
            }
        }
    }

    /// DRAINED once nothing on the agent is live or awaits acknowledgement; with `mark_gone`
    /// the agent is then removed for good.
    func checkDrained(_ id: AgentID) {
        guard let drain = agents[id]?.drain, drain.state == .DRAINING else { return }
        for framework in frameworks.values {
            for task in framework.tasks.values where task.agentID == id {
                if !task.state.isTerminal || !task.unacknowledged.isEmpty { return }
            }
        }
        guard drainsCompleting.insert(id).inserted else { return }
        Task { await self.completeDrain(id, config: drain.config) }
    }

    /// Records DRAINED (or, with `mark_gone`, the agent's removal for good) before acting on it.
    private func completeDrain(_ id: AgentID, config: DrainConfig) async {
        defer { drainsCompleting.remove(id) }
        let markGone = config.markGone == true
        let time = wallClock
        let record = DrainRecord(state: .DRAINED, config: config)
        guard await persist([markGone ? .markGone(id, time: time) : .setDrain(id, record)]) else { return }
        guard agents[id]?.drain?.state == .DRAINING else { return }
        agents[id]?.drain?.state = .DRAINED
        logger.info("Agent \(id) drained")
        if markGone {
            storedDrains[id] = nil
            goneAgents.insert(id)
            counters.agentRemovals += 1
            agents[id]?.stream?.finish()
            removeAgent(id, partitionAwareState: .TASK_GONE_BY_OPERATOR)
            logger.info("Agent \(id) marked gone after draining")
        } else {
            storedDrains[id] = record
        }
    }

    static func drainJSON(_ drain: AgentDrain) -> JSONValue {
        var config: [(String, JSONValue)] = [("mark_gone", .bool(drain.config.markGone ?? false))]
        if let grace = drain.config.maxGracePeriod {
            config.insert(("max_grace_period", .object([("nanoseconds", .int(grace.nanoseconds))])), at: 0)
        }
        return .object([("state", .string(drain.state.rawValue)), ("config", .object(config))])
    }
}
