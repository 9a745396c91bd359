import Foundation
import Isolation

/// How a COMMAND check gets into its task's container, as Mesos runs it: in the task's mount
/// and pid namespaces and, with an image, its root filesystem and working directory. The way in
/// is `nsenter` aimed at a process of the task's that lives in those namespaces.
struct ContainerEntry: Sendable {
    /// The task's first process, whose process group every process of the task shares.
    let leader: pid_t
    let pidNamespace: Bool
    let image: Bool

    /// `argv` wrapped to run inside the container, or nil when no process of the task is inside.
    func wrap(_ argv: [String]) -> [String]? {
        guard let target = target() else { return nil }
        var nsenter = ["/usr/bin/nsenter", "--target", "\(target)", "--mount"]
        if pidNamespace { nsenter.append("--pid") }
        if image { nsenter += ["--root", "--wd"] }
        return nsenter + ["--"] + argv
    }

    /// A process of the task's group that is inside: in another mount namespace than the
    /// agent's, with a pid namespace in another pid namespace too, and with an image already in
    /// the image's root (the container's init sets the root up and stays outside it).
    private func target() -> pid_t? {
        let own = (mount: link(getpid(), "ns/mnt"), pid: link(getpid(), "ns/pid"))
        let members = ProcessTable.snapshot().filter { $0.group == leader }.map(\.pid).sorted()
        return members.first { pid in
            let mount = link(pid, "ns/mnt")
            guard mount != nil, mount != own.mount else { return false }
            if pidNamespace && link(pid, "ns/pid") == own.pid { return false }
            return !image || (link(pid, "root").map { $0 != "/" } ?? false)
        }
    }

    private func link(_ pid: pid_t, _ name: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/\(name)")
    }
}
