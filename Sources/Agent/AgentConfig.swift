import Foundation
import Isolation
import MesosAPI

public struct AgentConfig: Sendable {
    /// `host:port` of the master, or `zk://host:port,.../path` to follow the elected one.
    public var master: String
    /// The flags the agent was started with, as given or defaulted: what GET_FLAGS and `/flags` show.
    public var flags: [String: String] = [:]
    /// `--zk_session_timeout` for following the election (Mesos: 10 s).
    public var zkSessionTimeout: Duration = .seconds(10)
    public var ip: String
    public var port: Int
    /// `--advertise_ip` / `--advertise_port`: the address the master, executors and native
    /// drivers reach this agent at, when that is not the one it listens on.
    public var advertiseIP: String?
    public var advertisePort: Int?
    public var hostname: String
    public var workDir: String
    public var resources: Resources
    public var attributes: [Attribute]
    /// First retry of an unacknowledged status update (Mesos: 10 s, doubling to 10 min).
    public var statusRetryInterval: Double
    public var defaultGracePeriod: Duration
    /// `--switch_user`: run tasks as their framework's (or command's) user when the agent is root.
    public var switchUser = true
    /// The ID a restarted agent comes back under (from its checkpoint), if any.
    public var recoveredAgentID: AgentID?
    /// What the previous run checkpointed for checkpointing frameworks, to re-attach to.
    public var recovered: RecoveredState?
    /// `--executor_reregistration_timeout` (Mesos: 2 s): how long a recovered executor has to
    /// subscribe again.
    public var executorReregistrationTimeout: Duration = .seconds(2)
    /// Whether to checkpoint the agent's ID in `work_dir/meta` once registered.
    public var checkpointAgent = true
    /// `--isolation` and the cgroup flags.
    public var isolation = IsolationConfig()
    /// `--docker_registry`: a directory of `docker save` archives (`<repository>:<tag>.tar`).
    public var dockerRegistry: String?
    /// `--docker_store_dir`: where image layers are unpacked once and kept (default: under work_dir).
    public var dockerStoreDir: String?
    /// `--fetcher_cache_dir` (default: under work_dir) and `--fetcher_cache_size` (Mesos: 2 GB).
    public var fetcherCacheDir: String?
    public var fetcherCacheSize: UInt64 = 2 << 30
    /// `--container_disk_watch_interval` (Mesos: 15 s): how often `disk/du` measures sandboxes.
    public var diskWatchInterval: Duration = .seconds(15)
    /// `--enforce_container_disk_quota`: with `disk/du`, stop a container over its `disk`.
    public var enforceDiskQuota = true
    /// `--executor_registration_timeout` (Mesos: 1 min): how long a new custom executor has to subscribe.
    public var executorRegistrationTimeout: Duration = .seconds(60)
    /// `--executor_shutdown_grace_period` (Mesos: 5 s), unless the ExecutorInfo says otherwise.
    public var executorShutdownGracePeriod: Duration = .seconds(5)
    /// `--gc_delay` (Mesos: 1 week): how long a finished container's sandbox is kept.
    public var gcDelay: Duration = .seconds(7 * 24 * 3600)
    /// `--gc_disk_headroom` (Mesos: 0.1): sandboxes go sooner when free disk drops below this share.
    public var gcDiskHeadroom = 0.1

    public init(master: String, ip: String = "127.0.0.1", port: Int = 5051, hostname: String? = nil,
                workDir: String, resources: Resources, attributes: [Attribute] = [],
                statusRetryInterval: Double = 10, defaultGracePeriod: Duration = .seconds(3)) {
        self.master = master
        self.ip = ip
        self.port = port
        self.hostname = hostname ?? ip
        self.workDir = workDir
        self.resources = resources
        self.attributes = attributes
        self.statusRetryInterval = statusRetryInterval
        self.defaultGracePeriod = defaultGracePeriod
    }
}

/// What the agent offers when `--resources` does not say: Mesos's detection rules.
public enum ResourceDetection {
    public static func detect(workDir: String, given: Resources) -> Resources {
        var result = given
        let named = given.names
        if !named.contains("cpus") {
            result += Resources([.scalar("cpus", Double(ProcessInfo.processInfo.activeProcessorCount))])
        }
        if !named.contains("mem") {
            let totalMB = Double(ProcessInfo.processInfo.physicalMemory / (1024 * 1024))
            let mem = totalMB >= 2048 ? totalMB - 1024 : totalMB / 2
            result += Resources([.scalar("mem", mem.rounded(.down))])
        }
        if !named.contains("disk") {
            result += Resources([.scalar("disk", diskMB(workDir).rounded(.down))])
        }
        if !named.contains("ports") {
            result += Resources([.ranges("ports", [31000...32000])])
        }
        return result
    }

    static func diskMB(_ path: String) -> Double {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return 10 * 1024 }
        let totalMB = Double(stats.f_blocks) * Double(stats.f_frsize) / (1024 * 1024)
        return totalMB >= 10 * 1024 ? totalMB - 5 * 1024 : totalMB / 2
    }

    /// `--attributes=rack:r1;zone:z2;level:2`: scalars, ranges, sets, else text.
    public static func parseAttributes(_ text: String) -> [Attribute] {
        text.split(separator: ";").compactMap { part in
            let pieces = part.split(separator: ":", maxSplits: 1).map(String.init)
            guard pieces.count == 2 else { return nil }
            let (name, value) = (pieces[0].trimmingCharacters(in: .whitespaces),
                                 pieces[1].trimmingCharacters(in: .whitespaces))
            if let number = Double(value) { return Attribute(name: name, type: .SCALAR, scalar: Scalar(value: number)) }
            if value.hasPrefix("["), let parsed = try? Resources.parse("x:\(value)"), !parsed.ranges("x").isEmpty {
                let ranges = parsed.ranges("x").map { ValueRange(begin: $0.lowerBound, end: $0.upperBound) }
                return Attribute(name: name, type: .RANGES, ranges: Ranges(range: ranges))
            }
            if value.hasPrefix("{") {
                let items = value.dropFirst().dropLast().split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                return Attribute(name: name, type: .SET, set: ValueSet(item: items))
            }
            return Attribute(name: name, type: .TEXT, text: Text(value: value))
        }
    }
}
