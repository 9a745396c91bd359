import Allocator
import MesosAPI
import MesosMetrics

/// What the master counts as it goes, for the cumulative metrics; the gauges are computed from
/// its state when a snapshot is asked for.
struct MasterCounters {
    var terminalTasks: [TaskState: Int] = [:]
    /// Mesos's `master/messages_*`, indexed by `MasterMessage`: counted on hot paths, so no hashing.
    var messages = [Int](repeating: 0, count: MasterMessage.allCases.count)
    var validStatusUpdates = 0
    var invalidStatusUpdates = 0
    var agentRegistrations = 0
    var agentReregistrations = 0
    var agentsMarkedUnreachable = 0
    var agentRemovals = 0
    var allocationRuns = 0
    var allocationTimer = TimerWindow()

    mutating func count(_ message: MasterMessage) { messages[message.index] += 1 }
}

/// The messages Mesos counts under `master/messages_<raw value>`, by the name Mesos gives the
/// message a call or an agent's report stands for.
enum MasterMessage: String, CaseIterable {
    case launch_tasks, decline_offers, revive_offers, suppress_offers, kill_task, status_update_acknowledgement
    case reconcile_tasks, framework_to_executor, unregister_framework, shutdown_executor, register_framework
    case reregister_framework, register_slave, reregister_slave, status_update

    var index: Int { Self.allCases.firstIndex(of: self)! }

    init?(_ call: Call.Kind) {
        switch call {
        case .ACCEPT: self = .launch_tasks
        case .DECLINE: self = .decline_offers
        case .REVIVE: self = .revive_offers
        case .SUPPRESS: self = .suppress_offers
        case .KILL: self = .kill_task
        case .ACKNOWLEDGE: self = .status_update_acknowledgement
        case .RECONCILE: self = .reconcile_tasks
        case .MESSAGE: self = .framework_to_executor
        case .TEARDOWN: self = .unregister_framework
        case .SHUTDOWN: self = .shutdown_executor
        default: return nil
        }
    }
}

extension Master {
    static let terminalStates = TaskState.terminalMetricStates
    static let liveStates = TaskState.liveMetricStates + [.TASK_UNREACHABLE]
    /// A task reached a terminal state for the first time.
    func countTerminal(_ state: TaskState) {
        counters.terminalTasks[state, default: 0] += 1
    }

    /// Mesos's master and allocator metrics, by Mesos's names. `elected` comes from the
    /// election, which the master itself does not follow.
    public func metricsSnapshot(elected: Bool) -> MetricsSnapshot {
        var snapshot = MetricsSnapshot()
        snapshot.set("master/uptime_secs", now)
        snapshot.set("master/elected", elected)
        agentMetrics(&snapshot)
        frameworkMetrics(&snapshot)
        taskMetrics(&snapshot)
        resourceMetrics(&snapshot)
        snapshot.set("master/outstanding_offers", offers.count)
        snapshot.set("master/event_queue_messages", eventQueue.pendingMessages)
        snapshot.set("master/event_queue_http_requests", eventQueue.pendingHTTPRequests)
        snapshot.set("master/event_queue_dispatches", allocationPending ? 1 : 0)
        for message in MasterMessage.allCases {
            snapshot.set("master/messages_\(message.rawValue)", counters.messages[message.index])
        }
        snapshot.set("master/valid_status_updates", counters.validStatusUpdates)
        snapshot.set("master/invalid_status_updates", counters.invalidStatusUpdates)
        snapshot.set("allocator/mesos/allocation_runs", counters.allocationRuns)
        counters.allocationTimer.write("allocator/mesos/allocation_run_ms", into: &snapshot)
        return snapshot
    }

    private func agentMetrics(_ snapshot: inout MetricsSnapshot) {
        let registered = agents.values
        snapshot.set("master/slaves_connected", registered.filter(\.active).count)
        snapshot.set("master/slaves_disconnected", registered.filter { !$0.active }.count)
        snapshot.set("master/slaves_active", registered.filter { $0.active && !$0.deactivated }.count)
        snapshot.set("master/slaves_inactive", registered.filter(\.deactivated).count)
        snapshot.set("master/slaves_unreachable", unreachableAgents.count)
        snapshot.set("master/slave_registrations", counters.agentRegistrations)
        snapshot.set("master/slave_reregistrations", counters.agentReregistrations)
        snapshot.set("master/slave_removals", counters.agentRemovals)
        snapshot.set("master/slave_unreachable_completed", counters.agentsMarkedUnreachable)
        snapshot.set("master/recovery_slave_removals", 0)
    }

    private func frameworkMetrics(_ snapshot: inout MetricsSnapshot) {
        let all = frameworks.values
        snapshot.set("master/frameworks_connected", all.filter(\.connected).count)
        snapshot.set("master/frameworks_disconnected", all.filter { !$0.connected }.count)
        snapshot.set("master/frameworks_active", all.filter(\.active).count)
        snapshot.set("master/frameworks_inactive", all.filter { !$0.active }.count)
    }

    private func taskMetrics(_ snapshot: inout MetricsSnapshot) {
        var live: [TaskState: Int] = [:]
        for framework in frameworks.values {
            for task in framework.tasks.values where !task.state.isTerminal { live[task.state, default: 0] += 1 }
        }
        for state in Self.liveStates { snapshot.set("master/\(state.metricName)", live[state] ?? 0) }
        for state in Self.terminalStates {
            snapshot.set("master/\(state.metricName)", counters.terminalTasks[state] ?? 0)
        }
    }

    private func resourceMetrics(_ snapshot: inout MetricsSnapshot) {
        // Used over the same agents as the total, so a disconnected agent's tasks cannot push
        // a `*_percent` gauge past 1.
        var total = Resources()
        for agent in agents.values where agent.active { total += agent.total }
        var used = Resources()
        for framework in frameworks.values {
            for task in framework.tasks.values where !task.state.isTerminal && agents[task.agentID]?.active == true {
                used += task.resources
            }
        }
        for (agent, entries) in executors where agents[agent]?.active == true {
            for entry in entries.values { used += entry.resources }
        }
        for name in ["cpus", "mem", "disk", "gpus"] {
            snapshot.setUsage("master/\(name)", total: total.scalar(name), used: used.scalar(name))
            snapshot.set("allocator/mesos/resources/\(name)/total", total.scalar(name))
        }
        for (role, held) in allocator.allocationsByRole {
            let share = ["cpus", "mem", "disk", "gpus"].map { name -> Double in
                let whole = total.scalar(name)
                return whole > 0 ? held.scalar(name) / whole : 0
            }.max() ?? 0
            snapshot.set("allocator/mesos/roles/\(role)/shares/dominant", share)
        }
    }
}
