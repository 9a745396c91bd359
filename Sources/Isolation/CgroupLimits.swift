/// What a container may use, from its task's resources.
public struct ContainerLimits: Sendable, Equatable {
    public var cpus: Double?
    public var memMB: Double?
    public var diskMB: Double?

    public init(cpus: Double? = nil, memMB: Double? = nil, diskMB: Double? = nil) {
        self.cpus = cpus
        self.memMB = memMB
        self.diskMB = diskMB
    }

    public var memBytes: UInt64? {
        memMB.map { UInt64(max($0, CgroupSettings.minMemoryMB) * 1024 * 1024) }
    }
}

/// One value written to one cgroup file.
public struct CgroupSetting: Sendable, Equatable {
    public let controller: CgroupController
    public let file: String
    public let value: String
}

/// Turns limits into cgroup file writes, with Mesos's floors and v1/v2 spellings. Pure, so the
/// arithmetic is tested without a cgroup in sight.
public enum CgroupSettings {
    /// Mesos's floors: a container never gets less than this, whatever its task asked for.
    public static let minCPUShares = 2
    public static let minMemoryMB = 32.0
    public static let cfsPeriodMicros = 100_000
    public static let minCFSQuotaMicros = 1_000

    public static func shares(cpus: Double) -> Int { max(minCPUShares, Int(cpus * 1024)) }

    /// cgroup v2's weight (1...10000) for v1 shares (2...262144), the mapping the kernel's own
    /// documentation and container runtimes use.
    public static func weight(shares: Int) -> Int { 1 + ((max(2, min(shares, 262_144)) - 2) * 9999) / 262_142 }

    public static func quota(cpus: Double) -> Int { max(minCFSQuotaMicros, Int(cpus * Double(cfsPeriodMicros))) }

    public static func settings(for limits: ContainerLimits, config: IsolationConfig,
                                version: (CgroupController) -> CgroupLayout.Version?) -> [CgroupSetting] {
        var out: [CgroupSetting] = []
        let isolators = config.isolators
        if isolators.contains(.cgroupsCPU), let cpus = limits.cpus, let v = version(.cpu) {
            let shares = shares(cpus: cpus)
            if v == .v1 {
                out.append(.init(controller: .cpu, file: "cpu.shares", value: "\(shares)"))
                if config.enableCFS {
                    out.append(.init(controller: .cpu, file: "cpu.cfs_period_us", value: "\(cfsPeriodMicros)"))
                    out.append(.init(controller: .cpu, file: "cpu.cfs_quota_us", value: "\(quota(cpus: cpus))"))
                }
            } else {
                out.append(.init(controller: .cpu, file: "cpu.weight", value: "\(weight(shares: shares))"))
                if config.enableCFS {
                    out.append(.init(controller: .cpu, file: "cpu.max", value: "\(quota(cpus: cpus)) \(cfsPeriodMicros)"))
                }
            }
        }
        if isolators.contains(.cgroupsMem), let bytes = limits.memBytes, let v = version(.memory) {
            if v == .v1 {
                out.append(.init(controller: .memory, file: "memory.soft_limit_in_bytes", value: "\(bytes)"))
                out.append(.init(controller: .memory, file: "memory.limit_in_bytes", value: "\(bytes)"))
            } else {
                out.append(.init(controller: .memory, file: "memory.max", value: "\(bytes)"))
                out.append(.init(controller: .memory, file: "memory.swap.max", value: "0"))
            }
        }
        if isolators.contains(.cgroupsPids), version(.pids) != nil {
            out.append(.init(controller: .pids, file: "pids.max", value: "\(config.pidsMax)"))
        }
        return out
    }
}
