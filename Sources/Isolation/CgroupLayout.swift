import Foundation

/// The cgroup controllers Plinth uses.
public enum CgroupController: String, Sendable, CaseIterable, Hashable {
    case cpu, cpuacct, memory, pids, freezer
}

/// Where each controller lives on this host. Hosts differ: a pure v2 tree at `/sys/fs/cgroup`
/// (current distributions), one v1 mount per controller, or both at once (a "hybrid" host whose
/// v2 tree has almost no controllers). A controller counts as v1 when a v1 hierarchy carries it,
/// else as v2 when the v2 root offers it; the freezer and cpuacct have no v2 file of their own,
/// v2 kills through `cgroup.kill` and accounts cpu in `cpu.stat`.
public struct CgroupLayout: Sendable, Equatable {
    public enum Version: Sendable, Equatable { case v1, v2 }

    public struct Hierarchy: Sendable, Equatable {
        public let version: Version
        /// The mount point of the hierarchy.
        public let mount: String
        /// This process's own cgroup in that hierarchy, relative to the mount (`/` at the top).
        public let own: String
    }

    public private(set) var hierarchies: [CgroupController: Hierarchy] = [:]
    /// The v2 hierarchy, when mounted, even if it offers none of our controllers.
    public private(set) var unified: Hierarchy?

    public init(hierarchies: [CgroupController: Hierarchy], unified: Hierarchy?) {
        self.hierarchies = hierarchies
        self.unified = unified
    }

    /// Reads `/proc/self/mountinfo` and `/proc/self/cgroup`, plus the v2 root's
    /// `cgroup.controllers`, all given as text so the rules are testable against any host.
    public static func detect(mountinfo: String, selfCgroup: String,
                              v2Controllers: (String) -> String?) -> CgroupLayout {
        var ownV1: [String: String] = [:]
        var ownV2: String?
        for line in selfCgroup.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { continue }
            if parts[0] == "0" && parts[1].isEmpty {
                ownV2 = parts[2]
            } else {
                for name in parts[1].split(separator: ",") { ownV1[String(name)] = parts[2] }
            }
        }
        var layout = CgroupLayout(hierarchies: [:], unified: nil)
        for line in mountinfo.split(separator: "\n") {
            guard let mount = MountEntry(line) else { continue }
            if mount.type == "cgroup2" {
                let hierarchy = Hierarchy(version: .v2, mount: mount.point, own: ownV2 ?? "/")
                layout.unified = hierarchy
                let offered = Set((v2Controllers(mount.point) ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
                for controller in [CgroupController.cpu, .memory, .pids] where offered.contains(controller.rawValue) {
                    if layout.hierarchies[controller]?.version != .v1 { layout.hierarchies[controller] = hierarchy }
                }
            } else if mount.type == "cgroup" {
                for option in mount.superOptions {
                    guard let controller = CgroupController(rawValue: option) else { continue }
                    layout.hierarchies[controller] = Hierarchy(version: .v1, mount: mount.point,
                                                               own: ownV1[option] ?? "/")
                }
            }
        }
        // On a pure v2 host the freezer and cpuacct are part of the single tree.
        if let unified = layout.unified, layout.hierarchies.values.allSatisfy({ $0.version == .v2 }),
           layout.hierarchies[.cpu] != nil {
            layout.hierarchies[.cpuacct] = unified
            layout.hierarchies[.freezer] = unified
        }
        return layout
    }

    /// The controllers in `wanted` this host cannot give us.
    public func missing(_ wanted: [CgroupController]) -> [CgroupController] {
        wanted.filter { controller in
            guard hierarchies[controller] != nil else {
                // v1 hosts without a freezer still kill through the process list.
                return controller != .freezer && controller != .cpuacct
            }
            return false
        }
    }
}

/// One line of `/proc/self/mountinfo`: only what cgroup detection needs.
struct MountEntry {
    let point: String
    let type: String
    let superOptions: [String]

    init?(_ line: Substring) {
        let halves = line.components(separatedBy: " - ")
        guard halves.count == 2 else { return nil }
        let left = halves[0].split(separator: " ")
        let right = halves[1].split(separator: " ")
        guard left.count >= 5, right.count >= 3 else { return nil }
        point = String(left[4]).replacingOccurrences(of: "\\040", with: " ")
        type = String(right[0])
        superOptions = right[2].split(separator: ",").map(String.init)
    }
}
