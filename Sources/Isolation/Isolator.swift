/// One isolator named in `--isolation`, with Mesos's names so existing agent flags keep working.
public enum Isolator: String, Sendable, CaseIterable, Hashable {
    case posixCPU = "posix/cpu"
    case posixMem = "posix/mem"
    case posixDisk = "posix/disk"
    case diskDU = "disk/du"
    case cgroupsCPU = "cgroups/cpu"
    case cgroupsMem = "cgroups/mem"
    case cgroupsPids = "cgroups/pids"
    case namespacesPID = "namespaces/pid"
    case filesystemPosix = "filesystem/posix"
    case filesystemLinux = "filesystem/linux"
    case dockerRuntime = "docker/runtime"

    /// The cgroup controllers an isolator needs; empty for the others.
    public var controllers: [CgroupController] {
        switch self {
        case .cgroupsCPU: return [.cpu, .cpuacct]
        case .cgroupsMem: return [.memory]
        case .cgroupsPids: return [.pids]
        default: return []
        }
    }
}

/// The parsed `--isolation` flag. Mesos's default, `posix/cpu,posix/mem`, accounts for usage
/// without enforcing anything; it is ours too, so an agent runs anywhere, root or not.
public struct IsolationConfig: Sendable, Equatable {
    public static let defaultFlag = "posix/cpu,posix/mem"

    public var isolators: Set<Isolator>
    /// `--cgroups_root`: the cgroup under which each container gets its own.
    public var cgroupsRoot: String
    /// `--cgroups_enable_cfs`: a hard CPU cap (CFS quota) besides the proportional weight.
    public var enableCFS: Bool
    /// `--cgroups_pids_max`: processes and threads one container may have under `cgroups/pids`.
    public var pidsMax: Int

    public init(isolators: Set<Isolator> = [.posixCPU, .posixMem], cgroupsRoot: String = "mesos",
                enableCFS: Bool = false, pidsMax: Int = 4096) {
        self.isolators = isolators
        self.cgroupsRoot = cgroupsRoot
        self.enableCFS = enableCFS
        self.pidsMax = pidsMax
    }

    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// Parses a comma-separated list; `cgroups/all` stands for every cgroups isolator, and
    /// `posix/disk` is Mesos's older name for `disk/du`.
    public static func parse(_ flag: String) throws(Invalid) -> Set<Isolator> {
        var result = Set<Isolator>()
        for raw in flag.split(separator: ",") {
            let name = raw.trimmingCharacters(in: .whitespaces)
            if name.isEmpty { continue }
            if name == "cgroups/all" {
                result.formUnion([.cgroupsCPU, .cgroupsMem, .cgroupsPids])
            } else if name == "posix/disk" {
                result.insert(.diskDU)
            } else if let isolator = Isolator(rawValue: name) {
                result.insert(isolator)
            } else {
                let known = Isolator.allCases.map(\.rawValue).joined(separator: ", ")
                throw Invalid(description: "Unknown or unsupported isolator '\(name)' in --isolation (known: \(known), cgroups/all)")
            }
        }
        if result.contains(.dockerRuntime) && !result.contains(.filesystemLinux) {
            throw Invalid(description: "The 'docker/runtime' isolator requires 'filesystem/linux' in --isolation")
        }
        return result
    }

    public var controllers: [CgroupController] {
        let wanted = Set(isolators.flatMap(\.controllers))
        guard !wanted.isEmpty else { return [] }
        // The freezer lets a v1 container be killed whole, even while it forks.
        return CgroupController.allCases.filter { wanted.contains($0) || $0 == .freezer }
    }

    public var usesCgroups: Bool { !controllers.isEmpty }
    public var pidNamespace: Bool { isolators.contains(.namespacesPID) }
    public var mountNamespace: Bool { isolators.contains(.filesystemLinux) }
    public var images: Bool { isolators.contains(.dockerRuntime) }
    public var diskQuota: Bool { isolators.contains(.diskDU) }
}
