import Foundation
import HTTPSupport
import Isolation
import MesosAPI

/// One running container, as the statistics endpoints describe it.
struct MonitoredContainer: Sendable {
    let taskID: TaskID
    let name: String
    let frameworkID: FrameworkID
    let containerID: ContainerID
    let source: String
    let pid: pid_t
    let sandbox: String
    let container: TaskContainer?

    /// Usage from the container's cgroups when it has them, else from its process group.
    static func usage(_ containers: [MonitoredContainer], diskDU: Bool) -> [ResourceUsage] {
        let now = Date().timeIntervalSince1970
        let posix = ProcessTable.usage(groups: Set(containers.filter { $0.container?.cgroup == nil }.map(\.pid)), now: now)
        return containers.map { entry in
            var usage = entry.container?.cgroup?.usage(now: now) ?? posix[entry.pid] ?? ResourceUsage(timestamp: now)
            let limits = entry.container?.limits
            if usage.cpusLimit == nil { usage.cpusLimit = limits?.cpus }
            if usage.memLimitBytes == nil || usage.memLimitBytes! > (1 << 60) { usage.memLimitBytes = limits?.memBytes }
            if let disk = limits?.diskMB {
                usage.diskLimitBytes = UInt64(disk * 1024 * 1024)
                if diskDU { usage.diskUsedBytes = DiskUsage.bytes(entry.sandbox) }
            }
            return usage
        }
    }
}

extension Agent {
    func monitoredContainers() -> [MonitoredContainer] {
        tasks.values.compactMap { task in
            guard let handle = task.handle, !task.state.isTerminal else { return nil }
            return MonitoredContainer(taskID: task.info.taskId, name: task.info.name, frameworkID: task.frameworkID,
                                      containerID: task.containerID, source: task.info.taskId.value,
                                      pid: handle.pid, sandbox: task.sandbox, container: task.container)
        }
    }

    /// `/monitor/statistics`: Mesos's array of `{executor_id, executor_name, framework_id,
    /// source, statistics}`, measured off the actor.
    public func statisticsJSON() async -> JSONValue {
        let containers = monitoredContainers()
        let diskDU = runtime.isolation.diskQuota
        let usages = await Task.detached { MonitoredContainer.usage(containers, diskDU: diskDU) }.value
        return .array(zip(containers, usages).map { entry, usage in
            .object([
                ("executor_id", .string(entry.taskID.value)),
                ("executor_name", .string("Command Executor (Task: \(entry.taskID.value)) (Command: \(entry.name))")),
                ("framework_id", .string(entry.frameworkID.value)),
                ("source", .string(entry.source)),
                ("statistics", Self.statisticsJSON(usage)),
            ])
        })
    }

    /// The agent operator API's GET_CONTAINERS: each container with its usage.
    public func containersJSON() async -> JSONValue {
        let containers = monitoredContainers()
        let diskDU = runtime.isolation.diskQuota
        let usages = await Task.detached { MonitoredContainer.usage(containers, diskDU: diskDU) }.value
        let list: [JSONValue] = zip(containers, usages).map { entry, usage in
            .object([
                ("framework_id", .object([("value", .string(entry.frameworkID.value))])),
                ("executor_id", .object([("value", .string(entry.taskID.value))])),
                ("executor_name", .string("Command Executor (Task: \(entry.taskID.value))")),
                ("container_id", .object([("value", .string(entry.containerID.value))])),
                ("container_status", .object([("executor_pid", .int(Int64(entry.pid)))])),
                ("resource_statistics", Self.statisticsJSON(usage)),
            ])
        }
        return .object([("type", "GET_CONTAINERS"), ("get_containers", .object([("containers", .array(list))]))])
    }

    static func statisticsJSON(_ usage: ResourceUsage) -> JSONValue {
        .object(usage.fields.map { name, value in
            let integral = name != "timestamp" && !name.hasSuffix("_secs") && name != "cpus_limit"
            return (name, integral ? .int(Int64(value)) : .number(value))
        })
    }
}
