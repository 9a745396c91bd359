import MesosAPI
import MesosMetrics

/// Mesos's agent metrics (`slave/...`), by Mesos's names: gauges from the agent's state when a
/// snapshot is asked for, and the counts of tasks that ended by how they ended.
extension Agent {

    /// A task's new state, counted when it is the first terminal one.
    func countTransition(from old: TaskState, to new: TaskState) {
        if !old.isTerminal && new.isTerminal { terminalCounts[new, default: 0] += 1 }
    }

    public func metricsSnapshot() -> MetricsSnapshot {
        var snapshot = MetricsSnapshot()
        snapshot.set("slave/uptime_secs", now)
        snapshot.set("slave/registered", connected)
        var live: [TaskState: Int] = [:]
        var used = Resources()
        for task in tasks.values where !task.state.isTerminal {
            live[task.state, default: 0] += 1
            used += Resources((task.info.resources ?? []).upgraded)
        }
        for state in TaskState.liveMetricStates { snapshot.set("slave/\(state.metricName)", live[state] ?? 0) }
        for state in TaskState.terminalMetricStates { snapshot.set("slave/\(state.metricName)", terminalCounts[state] ?? 0) }
        let total = config.resources
        for name in ["cpus", "mem", "disk", "gpus"] {
            snapshot.setUsage("slave/\(name)", total: total.scalar(name), used: used.scalar(name))
        }
        snapshot.set("slave/executors_running", executors.count + defaultExecutors.count)
        let active = Set(tasks.values.filter { !$0.state.isTerminal }.map(\.frameworkID))
        snapshot.set("slave/frameworks_active", active.count)
        snapshot.set("slave/valid_status_updates", validStatusUpdates)
        return snapshot
    }
}
