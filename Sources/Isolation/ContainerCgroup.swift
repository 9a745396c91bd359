import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One container's cgroups: a directory named by its container ID under each controller's base.
public struct ContainerCgroup: Sendable {
    public let id: String
    let cgroups: Cgroups

    init(id: String, cgroups: Cgroups) {
        self.id = id
        self.cgroups = cgroups
    }

    public func path(_ controller: CgroupController) -> String? {
        cgroups.bases[controller].map { "\($0)/\(id)" }
    }

    /// Distinct directories: on v2 every controller shares one.
    public var directories: [String] {
        Array(Set(cgroups.bases.values.map { "\($0)/\(id)" })).sorted()
    }

    /// The files a process writes its pid to in order to join the container, before it runs
    /// anything of the task's.
    public var procsFiles: [String] { directories.map { "\($0)/cgroup.procs" } }

    public func create(limits: ContainerLimits = ContainerLimits()) throws(IsolationError) {
        for directory in directories { try CgroupFiles.mkdirs(directory) }
        let settings = CgroupSettings.settings(for: limits, config: cgroups.config, version: cgroups.version)
        for setting in settings {
            guard let dir = path(setting.controller) else { continue }
            // v2 without swap accounting has no memory.swap.max; nothing to cap there.
            if setting.file == "memory.swap.max" && access("\(dir)/\(setting.file)", F_OK) != 0 { continue }
            try CgroupFiles.write(setting.value, to: "\(dir)/\(setting.file)")
        }
    }

    /// Every process in the container.
    public func pids() -> [pid_t] {
        for controller in [CgroupController.freezer, .pids, .memory, .cpu] {
            if let dir = path(controller) { return CgroupFiles.pids(CgroupFiles.read("\(dir)/cgroup.procs")) }
        }
        return []
    }

    /// Kills every process in the container, including daemons that left the task's process
    /// group. Freezing first (v1) or `cgroup.kill` (v2) means a fork bomb cannot outrun it.
    /// Blocking: call it off any actor.
    public func killAll(deadline: Duration = .seconds(5)) {
        let clock = ContinuousClock()
        let end = clock.now + deadline
        if let dir = path(.freezer), cgroups.version(.freezer) == .v2,
           access("\(dir)/cgroup.kill", F_OK) == 0 {
            try? CgroupFiles.write("1", to: "\(dir)/cgroup.kill")
        }
        let freezer = cgroups.version(.freezer) == .v1 ? path(.freezer) : nil
        while clock.now < end {
            let pids = pids()
            if pids.isEmpty { return }
            if let freezer { freeze(freezer, until: end) }
            for pid in pids { Glibc.kill(pid, SIGKILL) }
            if let freezer { try? CgroupFiles.write("THAWED", to: "\(freezer)/freezer.state") }
            usleep(2_000)
        }
    }

    private func freeze(_ dir: String, until end: ContinuousClock.Instant) {
        try? CgroupFiles.write("FROZEN", to: "\(dir)/freezer.state")
        while ContinuousClock.now < end {
            let state = CgroupFiles.read("\(dir)/freezer.state")?.trimmingCharacters(in: .whitespacesAndNewlines)
            if state == "FROZEN" { return }
            usleep(1_000)
        }
    }

    /// Removes the (empty) cgroups; a memory cgroup may take a moment to release its last pages.
    public func remove() {
        for directory in directories {
            for attempt in 0..<50 {
                if rmdir(directory) == 0 || errno == ENOENT { break }
                if errno != EBUSY { break }
                usleep(useconds_t(1_000 * (attempt + 1)))
            }
        }
    }

    public func destroy() {
        killAll()
        remove()
    }

    /// How many times the kernel's OOM killer struck inside this container.
    public func oomKills() -> UInt64 {
        guard let dir = path(.memory) else { return 0 }
        if cgroups.version(.memory) == .v1 {
            return CgroupFiles.keyValues(CgroupFiles.read("\(dir)/memory.oom_control"))["oom_kill"] ?? 0
        }
        return CgroupFiles.keyValues(CgroupFiles.read("\(dir)/memory.events"))["oom_kill"] ?? 0
    }

    /// The most memory the container has used, for the limitation message.
    public func memoryPeak() -> UInt64? {
        guard let dir = path(.memory) else { return nil }
        let file = cgroups.version(.memory) == .v1 ? "memory.max_usage_in_bytes" : "memory.peak"
        return CgroupFiles.read("\(dir)/\(file)").flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
