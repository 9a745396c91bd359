import Foundation
import HTTPSupport
import MesosAPI

/// A framework's own executor (`TaskInfo.executor`) on this agent: one process in its own
/// container that runs every task sent to its executor ID, talking to the agent over the v1
/// executor API.
struct CustomExecutor: Sendable {
    struct Key: Hashable, Sendable {
        var framework: FrameworkID
        var executor: ExecutorID
    }

    var info: ExecutorInfo
    var frameworkID: FrameworkID
    var containerID: ContainerID
    var sandbox: String
    var handle: TaskProcessHandle?
    var container: TaskContainer?
    /// The SUBSCRIBE stream, once the executor has connected.
    var stream: EventStream?
    /// Tasks waiting for the executor to subscribe.
    var queued: [TaskInfo] = []
    var taskIDs: Set<TaskID> = []
    var shuttingDown = false
    var process: ProcessIdentity?
    /// Re-attached after an agent restart: it must subscribe again in time.
    var recovered = false
    /// Set when the executor registered through the native driver: its libprocess name.
    var libprocessPID: String?

    var key: Key { Key(framework: frameworkID, executor: info.executorId) }
}
