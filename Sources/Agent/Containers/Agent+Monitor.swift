import Foundation
import HTTPSupport
import Isolation
import MesosAPI

extension Agent {
    /// Watches running containers for limits the kernel does not enforce on its own terms: an
    /// OOM kill of any process in a container (Mesos then stops the whole container), and
    /// `disk/du`'s sandbox quota. The reads happen off the actor.
    func startLimitWatch() {
        let memory = runtime.isolation.isolators.contains(.cgroupsMem) && runtime.cgroups != nil
        let disk = runtime.isolation.diskQuota && config.enforceDiskQuota
        if memory {
            background.append(Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(250))
                    guard let watched = await self?.watchedCgroups() else { return }
                    let hit = watched.filter { $0.cgroup.oomKills() > 0 }
                    for entry in hit { await self?.memoryLimitHit(entry.key, peak: entry.cgroup.memoryPeak()) }
                }
            })
        }
        if disk {
            let interval = config.diskWatchInterval
            background.append(Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    guard let watched = await self?.watchedSandboxes() else { return }
                    for entry in watched {
                        let used = DiskUsage.bytes(entry.sandbox)
                        if used > entry.limit { await self?.diskLimitHit(entry.key, used: used, limit: entry.limit) }
                    }
                }
            })
        }
    }

    private func watchedCgroups() -> [(key: StatusUpdateManager.Key, cgroup: ContainerCgroup)] {
        tasks.compactMap { key, task in
            guard task.handle != nil, !task.state.isTerminal, task.container?.limitation == nil,
                  let cgroup = task.container?.cgroup else { return nil }
            return (key, cgroup)
        }
    }

    private func watchedSandboxes() -> [(key: StatusUpdateManager.Key, sandbox: String, limit: UInt64)] {
        tasks.compactMap { key, task in
            guard task.handle != nil, !task.state.isTerminal, task.container?.limitation == nil,
                  let disk = task.container?.limits.diskMB else { return nil }
            return (key, task.sandbox, UInt64(disk * 1024 * 1024))
        }
    }

    private func memoryLimitHit(_ key: StatusUpdateManager.Key, peak: UInt64?) {
        guard let task = tasks[key] else { return }
        limitationHit(key, memoryLimitation(task, peak: peak))
    }

    private func diskLimitHit(_ key: StatusUpdateManager.Key, used: UInt64, limit: UInt64) {
        limitationHit(key, .init(reason: .REASON_CONTAINER_LIMITATION_DISK,
                                 message: "Disk usage (\(DiskUsage.format(used))) exceeds quota (\(DiskUsage.format(limit)))",
                                 resources: [.scalar("disk", Double(limit) / (1024 * 1024))]))
    }

    /// Removes a finished container's sandbox after `--gc_delay`, shortened as the disk fills
    /// as Mesos shortens it: scaled by the share of disk still free above the headroom.
    func scheduleSandboxRemoval(_ sandbox: String) {
        let usage = DiskUsage.usedFraction(config.workDir)
        let delay = config.gcDelay * max(0, 1 - config.gcDiskHeadroom - usage)
        // The executor directory holds the run's directory (and Mesos's `latest` link).
        let executorDir = sandbox.split(separator: "/", omittingEmptySubsequences: false).dropLast(2).joined(separator: "/")
        let due = ContinuousClock.now + delay
        // Kept in due order; one timer serves the whole queue rather than one sleeping task per sandbox.
        // Due times mostly grow, so the place is found from the end.
        let index = sandboxGC.lastIndex { $0.due <= due }.map { $0 + 1 } ?? 0
        sandboxGC.insert((due, executorDir), at: index)
        if index == 0 { armSandboxGC() }
    }

    private func armSandboxGC() {
        sandboxGCTimer?.cancel()
        guard let next = sandboxGC.first?.due else { return }
        sandboxGCTimer = Task { [weak self] in
            try? await Task.sleep(until: next, clock: .continuous)
            if !Task.isCancelled { await self?.collectSandboxes() }
        }
    }

    private func collectSandboxes() {
        let now = ContinuousClock.now
        let split = sandboxGC.firstIndex { $0.due > now } ?? sandboxGC.endIndex
        let expired = sandboxGC[..<split].map(\.path)
        sandboxGC.removeFirst(split)
        if !expired.isEmpty {
            Task.detached { for path in expired { try? FileManager.default.removeItem(atPath: path) } }
        }
        armSandboxGC()
    }
}

/// Sandbox disk use, as `du` counts it: allocated blocks, not apparent sizes.
enum DiskUsage {
    static func bytes(_ path: String) -> UInt64 {
        var total: UInt64 = 0
        var info = stat()
        guard lstat(path, &info) == 0 else { return 0 }
        total += UInt64(info.st_blocks) * 512
        guard (info.st_mode & S_IFMT) == S_IFDIR,
              let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else { return total }
        for entry in entries { total += bytes("\(path)/\(entry)") }
        return total
    }

    static func usedFraction(_ path: String) -> Double {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0, stats.f_blocks > 0 else { return 0 }
        return 1 - Double(stats.f_bavail) / Double(stats.f_blocks)
    }

    static func format(_ bytes: UInt64) -> String {
        let mb = Double(bytes) / (1024 * 1024)
        return mb >= 1 ? String(format: "%.1fMB", mb) : "\(bytes / 1024)KB"
    }
}
