import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Usage of process groups from `/proc`, for containers without cgroups (the posix isolators):
/// a task's processes are those in its process group.
public enum ProcessTable {
    public struct Entry: Sendable, Equatable {
        public let pid: pid_t
        public let parent: pid_t
        public let group: pid_t
        public let userTicks: UInt64
        public let systemTicks: UInt64
        public let threads: UInt32
        public let rssPages: UInt64
        /// Clock ticks after boot when the process started: with the pid, what names a process
        /// for good (a pid alone may be reused).
        public let startTime: UInt64
    }

    /// Parses `/proc/<pid>/stat`; the command name may hold spaces and parentheses, so fields
    /// are counted from its last `)`.
    public static func parse(stat: String) -> Entry? {
        guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"),
              let pid = pid_t(stat[..<open].trimmingCharacters(in: .whitespaces)) else { return nil }
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        // rest[0] is the state (field 3); field n is rest[n - 3].
        guard rest.count > 21, let parent = pid_t(rest[1]), let group = pid_t(rest[2]),
              let user = UInt64(rest[11]), let system = UInt64(rest[12]),
              let threads = UInt32(rest[17]), let start = UInt64(rest[19]), let rss = UInt64(rest[21]) else { return nil }
        return Entry(pid: pid, parent: parent, group: group, userTicks: user, systemTicks: system,
                     threads: threads, rssPages: rss, startTime: start)
    }

    /// One process, if it exists.
    public static func entry(_ pid: pid_t) -> Entry? {
        CgroupFiles.read("/proc/\(pid)/stat").flatMap(parse(stat:))
    }

    public static func snapshot() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name in
            guard pid_t(name) != nil else { return nil }
            return CgroupFiles.read("/proc/\(name)/stat").flatMap(parse(stat:))
        }
    }

    /// Usage per process group, from one pass over `/proc`.
    public static func usage(groups: Set<pid_t>, now: Double) -> [pid_t: ResourceUsage] {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = UInt64(sysconf(Int32(_SC_PAGESIZE)))
        var out: [pid_t: ResourceUsage] = [:]
        for entry in snapshot() where groups.contains(entry.group) {
            var usage = out[entry.group] ?? {
                var fresh = ResourceUsage(timestamp: now)
                fresh.cpusUserTimeSecs = 0
                fresh.cpusSystemTimeSecs = 0
                fresh.memRSSBytes = 0
                fresh.processes = 0
                fresh.threads = 0
                return fresh
            }()
            usage.cpusUserTimeSecs! += Double(entry.userTicks) / ticks
            usage.cpusSystemTimeSecs! += Double(entry.systemTicks) / ticks
            usage.memRSSBytes! += entry.rssPages * page
            usage.processes! += 1
            usage.threads! += entry.threads
            out[entry.group] = usage
        }
        return out
    }
}
