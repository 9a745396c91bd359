import Foundation
import MesosAPI

/// What a previous run of the agent left of its checkpointing frameworks, replayed from the
/// checkpoint log. Pure: `replay` folds records into state, with no I/O.
public struct RecoveredState: Sendable {
    struct TaskRecord: Sendable {
        var info: TaskInfo
        var frameworkID: FrameworkID
        var containerID: ContainerID
        var sandbox: String
        var executorID: ExecutorID?
        var taskGroup: String?
        var state: TaskState = .TASK_STAGING
    }

    struct ExecutorRecord: Sendable {
        /// Of type DEFAULT for the built-in default executor of task groups.
        var info: ExecutorInfo?
        var executorID: ExecutorID
        var frameworkID: FrameworkID
        var containerID: ContainerID
        var sandbox: String
        /// A native executor's libprocess name, which a restarted agent asks to register again.
        var libprocessPID: String?

        var isDefault: Bool { info == nil || info?.type == "DEFAULT" }
    }

    public let agentID: AgentID
    var frameworks: [FrameworkID: FrameworkInfo] = [:]
    var tasks: [StatusUpdateManager.Key: TaskRecord] = [:]
    var executors: [CustomExecutor.Key: ExecutorRecord] = [:]
    var processes: [ContainerID: ProcessIdentity] = [:]
    /// Update and ack records of the tasks still to recover, in log order.
    var updateHistory: [StateRecord] = []

    public var taskCount: Int { tasks.count }

    static func replay(_ records: [StateRecord], agentID: AgentID) -> RecoveredState {
        var state = RecoveredState(agentID: agentID)
        for record in records { state.apply(record) }
        state.updateHistory.removeAll { record in
            guard let fid = record.frameworkId, let tid = record.taskId ?? record.status?.taskId else { return true }
            return state.tasks[.init(framework: fid, task: tid)] == nil
        }
        let containers = Set(state.tasks.values.map(\.containerID) + state.executors.values.map(\.containerID))
        state.processes = state.processes.filter { containers.contains($0.key) }
        return state
    }

    private mutating func apply(_ record: StateRecord) {
        switch record.kind {
        case .framework:
            if let info = record.frameworkInfo, let id = info.id { frameworks[id] = info }
        case .task:
            guard let info = record.task, let fid = record.frameworkId, let container = record.containerId,
                  let sandbox = record.sandbox else { return }
            tasks[.init(framework: fid, task: info.taskId)] = TaskRecord(
                info: info, frameworkID: fid, containerID: container, sandbox: sandbox,
                executorID: record.executorId, taskGroup: record.taskGroup, state: record.state ?? .TASK_STAGING)
        case .executor:
            guard let fid = record.frameworkId, let id = record.executorId ?? record.executor?.executorId,
                  let container = record.containerId, let sandbox = record.sandbox else { return }
            executors[.init(framework: fid, executor: id)] = ExecutorRecord(
                info: record.executor, executorID: id, frameworkID: fid, containerID: container, sandbox: sandbox,
                libprocessPID: record.libprocessPID)
        case .process:
            if let container = record.containerId, let process = record.process { processes[container] = process }
        case .update:
            guard let fid = record.frameworkId, let status = record.status else { return }
            tasks[.init(framework: fid, task: status.taskId)]?.state = status.state
            updateHistory.append(record)
        case .ack:
            updateHistory.append(record)
        case .forgetTask:
            if let fid = record.frameworkId, let tid = record.taskId { tasks[.init(framework: fid, task: tid)] = nil }
        case .forgetExecutor:
            if let fid = record.frameworkId, let id = record.executorId { executors[.init(framework: fid, executor: id)] = nil }
        case .forgetFramework:
            guard let fid = record.frameworkId else { return }
            frameworks[fid] = nil
            tasks = tasks.filter { $0.key.framework != fid }
            executors = executors.filter { $0.key.framework != fid }
        }
    }

    /// The status update streams as they stood: every update in order, minus what was acknowledged.
    func statusUpdates(initialBackoff: Double, now: Double) -> StatusUpdateManager {
        var manager = StatusUpdateManager(initialBackoff: initialBackoff)
        for record in updateHistory {
            guard let fid = record.frameworkId else { continue }
            if record.kind == .update, let status = record.status {
                _ = manager.add(status, framework: fid, now: now)
            } else if record.kind == .ack, let tid = record.taskId, let uuid = record.uuid {
                _ = manager.acknowledge(framework: fid, task: tid, uuid: uuid, now: now)
            }
        }
        return manager
    }
}

extension StateRecord {
    static func framework(_ info: FrameworkInfo) -> StateRecord {
        var record = StateRecord(kind: .framework, frameworkId: info.id)
        record.frameworkInfo = info
        return record
    }

    static func task(_ task: CommandTask) -> StateRecord {
        var record = StateRecord(kind: .task, frameworkId: task.frameworkID)
        record.task = task.info
        record.containerId = task.containerID
        record.sandbox = task.sandbox
        record.executorId = task.executorID
        record.taskGroup = task.taskGroup
        return record
    }

    static func executor(framework: FrameworkID, id: ExecutorID, info: ExecutorInfo?, container: ContainerID,
                         sandbox: String, libprocessPID: String? = nil) -> StateRecord {
        var record = StateRecord(kind: .executor, frameworkId: framework)
        record.libprocessPID = libprocessPID
        record.executor = info
        record.executorId = id
        record.containerId = container
        record.sandbox = sandbox
        return record
    }

    static func process(_ container: ContainerID, _ identity: ProcessIdentity) -> StateRecord {
        var record = StateRecord(kind: .process)
        record.containerId = container
        record.process = identity
        return record
    }

    static func update(_ status: TaskStatus, framework: FrameworkID) -> StateRecord {
        var record = StateRecord(kind: .update, frameworkId: framework)
        record.status = status
        return record
    }

    static func ack(framework: FrameworkID, task: TaskID, uuid: String) -> StateRecord {
        var record = StateRecord(kind: .ack, frameworkId: framework)
        record.taskId = task
        record.uuid = uuid
        return record
    }

    static func forgetTask(framework: FrameworkID, task: TaskID) -> StateRecord {
        var record = StateRecord(kind: .forgetTask, frameworkId: framework)
        record.taskId = task
        return record
    }

    static func forgetExecutor(framework: FrameworkID, executor: ExecutorID) -> StateRecord {
        var record = StateRecord(kind: .forgetExecutor, frameworkId: framework)
        record.executorId = executor
        return record
    }
}
