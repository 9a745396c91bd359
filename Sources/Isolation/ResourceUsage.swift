import Foundation

/// A container's usage at one instant: the fields of Mesos's `ResourceStatistics` that Plinth
/// measures. Optional fields are those an isolator does not know (no cgroup, no limit).
public struct ResourceUsage: Sendable, Equatable {
    public var timestamp: Double
    public var cpusUserTimeSecs: Double?
    public var cpusSystemTimeSecs: Double?
    public var cpusLimit: Double?
    public var cpusNrPeriods: UInt64?
    public var cpusNrThrottled: UInt64?
    public var cpusThrottledTimeSecs: Double?
    public var memTotalBytes: UInt64?
    public var memRSSBytes: UInt64?
    public var memCacheBytes: UInt64?
    public var memLimitBytes: UInt64?
    public var processes: UInt32?
    public var threads: UInt32?
    public var diskLimitBytes: UInt64?
    public var diskUsedBytes: UInt64?

    public init(timestamp: Double) { self.timestamp = timestamp }

    /// Mesos's JSON field names, in Mesos's order; absent values are left out.
    public var fields: [(String, Double)] {
        let all: [(String, Double?)] = [
            ("timestamp", timestamp),
            ("cpus_user_time_secs", cpusUserTimeSecs), ("cpus_system_time_secs", cpusSystemTimeSecs),
            ("cpus_limit", cpusLimit), ("cpus_nr_periods", cpusNrPeriods.map { Double($0) }),
            ("cpus_nr_throttled", cpusNrThrottled.map { Double($0) }),
            ("cpus_throttled_time_secs", cpusThrottledTimeSecs),
            ("mem_total_bytes", memTotalBytes.map { Double($0) }), ("mem_rss_bytes", memRSSBytes.map { Double($0) }),
            ("mem_cache_bytes", memCacheBytes.map { Double($0) }), ("mem_limit_bytes", memLimitBytes.map { Double($0) }),
            ("processes", processes.map { Double($0) }), ("threads", threads.map { Double($0) }),
            ("disk_limit_bytes", diskLimitBytes.map { Double($0) }), ("disk_used_bytes", diskUsedBytes.map { Double($0) }),
        ]
        return all.compactMap { name, value in value.map { (name, $0) } }
    }
}

extension ContainerCgroup {
    /// Reads the container's usage from its cgroups' own accounting.
    public func usage(now: Double) -> ResourceUsage {
        var usage = ResourceUsage(timestamp: now)
        let v1 = { (c: CgroupController) in cgroups.version(c) == .v1 }
        if let dir = path(.cpu) {
            let stat = CgroupFiles.keyValues(CgroupFiles.read("\(dir)/cpu.stat"))
            usage.cpusNrPeriods = stat["nr_periods"]
            usage.cpusNrThrottled = stat["nr_throttled"]
            if v1(.cpu) {
                usage.cpusThrottledTimeSecs = stat["throttled_time"].map { Double($0) / 1e9 }
            } else {
                usage.cpusThrottledTimeSecs = stat["throttled_usec"].map { Double($0) / 1e6 }
                usage.cpusUserTimeSecs = stat["user_usec"].map { Double($0) / 1e6 }
                usage.cpusSystemTimeSecs = stat["system_usec"].map { Double($0) / 1e6 }
            }
        }
        if let dir = path(.cpuacct), v1(.cpuacct) {
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            let stat = CgroupFiles.keyValues(CgroupFiles.read("\(dir)/cpuacct.stat"))
            usage.cpusUserTimeSecs = stat["user"].map { Double($0) / ticks }
            usage.cpusSystemTimeSecs = stat["system"].map { Double($0) / ticks }
        }
        if let dir = path(.memory) {
            let stat = CgroupFiles.keyValues(CgroupFiles.read("\(dir)/memory.stat"))
            let number = { (file: String) in
                CgroupFiles.read("\(dir)/\(file)").flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            }
            if v1(.memory) {
                usage.memTotalBytes = number("memory.usage_in_bytes")
                usage.memRSSBytes = stat["total_rss"] ?? stat["rss"]
                usage.memCacheBytes = stat["total_cache"] ?? stat["cache"]
                usage.memLimitBytes = number("memory.limit_in_bytes")
            } else {
                usage.memTotalBytes = number("memory.current")
                usage.memRSSBytes = stat["anon"]
                usage.memCacheBytes = stat["file"]
                usage.memLimitBytes = number("memory.max")
            }
        }
        let dir = directories.first
        let procs = CgroupFiles.pids(dir.flatMap { CgroupFiles.read("\($0)/cgroup.procs") })
        usage.processes = UInt32(procs.count)
        let threadFile = cgroups.layout.hierarchies.values.first?.version == .v1 ? "tasks" : "cgroup.threads"
        usage.threads = UInt32(CgroupFiles.pids(dir.flatMap { CgroupFiles.read("\($0)/\(threadFile)") }).count)
        return usage
    }
}
