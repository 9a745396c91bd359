import Foundation
import Images
import Isolation
import MesosAPI

/// What the agent made for one task's container, kept so it can be measured and torn down.
struct TaskContainer: Sendable {
    var cgroup: ContainerCgroup?
    var limits: ContainerLimits
    /// With an image: the mounted root filesystem and its scratch directory.
    var rootfs: (target: String, scratch: String)?
    /// Set when an isolator stopped the container for going over a limit.
    var limitation: Limitation?

    struct Limitation: Sendable {
        let reason: StatusReason
        let message: String
        /// What was exceeded, as `TaskStatus.limitation` reports it.
        let resources: [Resource]
    }

    /// A plain container (no cgroups, no root filesystem) is gone with its process group.
    var needsTeardown: Bool { cgroup != nil || rootfs != nil }

    /// For a container whose task never ran: nothing waits for the result.
    func teardownInBackground() {
        let container = self
        Task.detached { _ = container.teardown() }
    }

    /// Kills whatever is left in the container and releases its cgroups and root filesystem,
    /// returning how often the OOM killer struck and the peak memory. Blocking: runs off the actor.
    func teardown() -> (oomKills: UInt64, memoryPeak: UInt64?) {
        var result: (UInt64, UInt64?) = (0, nil)
        if let cgroup {
            cgroup.killAll()
            result = (cgroup.oomKills(), cgroup.memoryPeak())
            cgroup.remove()
        }
        if let rootfs { Rootfs.destroy(target: rootfs.target, scratch: rootfs.scratch) }
        return result
    }
}

/// A launch that failed before the task ran: the reason and message its TASK_FAILED carries.
struct LaunchFailure: Error {
    let reason: StatusReason
    let message: String
}

extension ContainerLimits {
    init(_ resources: [Resource]?) {
        let total = Resources(resources ?? [])
        let scalar = { (name: String) -> Double? in
            let value = total.scalar(name)
            return value > 0 ? value : nil
        }
        self.init(cpus: scalar("cpus"), memMB: scalar("mem"), diskMB: scalar("disk"))
    }
}

/// The last bytes of a task's stderr, for the message of its TASK_FAILED: a user sees why it
/// failed without opening the sandbox.
enum StderrTail {
    static let limit = 512

    static func read(_ sandbox: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: "\(sandbox)/stderr") else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        guard size > 0 else { return nil }
        try? handle.seek(toOffset: size > UInt64(limit) ? size - UInt64(limit) : 0)
        guard let data = try? handle.readToEnd() else { return nil }
        var text = String(decoding: data, as: UTF8.self)
        if size > UInt64(limit), let newline = text.firstIndex(of: "\n"), text.index(after: newline) < text.endIndex {
            text = String(text[text.index(after: newline)...])
        }
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    static func append(to message: String, sandbox: String) -> String {
        guard let tail = read(sandbox) else { return message }
        return "\(message). Last lines of stderr:\n\(tail)"
    }
}
