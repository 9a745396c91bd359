import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The agent's cgroup hierarchy: one directory per controller (`<mount><own cgroup>/<root>`)
/// under which every container gets a cgroup named by its container ID. Relative to the
/// agent's own cgroup, because that is where a process is sure to be allowed to create some.
public struct Cgroups: Sendable {
    public let layout: CgroupLayout
    public let config: IsolationConfig
    public let bases: [CgroupController: String]

    /// Checks that every controller the isolators need is there and writable, creates the
    /// hierarchy, and removes containers a previous run of the agent left behind.
    public static func prepare(config: IsolationConfig, layout: CgroupLayout, keeping kept: Set<String> = [],
                               isRoot: Bool = geteuid() == 0) throws(IsolationError) -> Cgroups {
        let wanted = config.controllers
        let names = config.isolators.filter { !$0.controllers.isEmpty }.map(\.rawValue).sorted().joined(separator: ",")
        guard isRoot else {
            throw IsolationError("--isolation=\(names) needs cgroups, which only a root agent can manage; run the agent as root or use --isolation=posix/cpu,posix/mem")
        }
        let missing = layout.missing(wanted)
        guard missing.isEmpty else {
            let list = missing.map(\.rawValue).joined(separator: ", ")
            throw IsolationError("--isolation=\(names) needs the cgroup controller(s) \(list), which this host does not offer (no cgroup v1 mount carries them and the v2 tree does not enable them); use --isolation=posix/cpu,posix/mem")
        }
        var bases: [CgroupController: String] = [:]
        for controller in wanted {
            guard let hierarchy = layout.hierarchies[controller] else { continue }
            let own = hierarchy.own == "/" ? "" : hierarchy.own
            bases[controller] = "\(hierarchy.mount)\(own)/\(config.cgroupsRoot)"
        }
        let cgroups = Cgroups(layout: layout, config: config, bases: bases)
        try cgroups.createBases()
        cgroups.removeLeftovers(keeping: kept)
        return cgroups
    }

    private func createBases() throws(IsolationError) {
        for (controller, base) in bases {
            try CgroupFiles.mkdirs(base)
            if layout.hierarchies[controller]?.version == .v2 {
                try enableV2(controller, at: base)
            }
        }
        let probe = ContainerCgroup(id: ".probe-\(getpid())", cgroups: self)
        try probe.create()
        probe.remove()
    }

    /// v2 only hands a controller to children whose parents enable it in `subtree_control`,
    /// from the tree's root down to our base.
    private func enableV2(_ controller: CgroupController, at base: String) throws(IsolationError) {
        guard controller == .cpu || controller == .memory || controller == .pids,
              let mount = layout.hierarchies[controller]?.mount else { return }
        var path = mount
        let components = base.dropFirst(mount.count).split(separator: "/")
        var levels = [path]
        for component in components {
            path += "/\(component)"
            levels.append(path)
        }
        for level in levels {
            let enabled = CgroupFiles.read("\(level)/cgroup.subtree_control") ?? ""
            if enabled.split(separator: " ").contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines) == controller.rawValue }) { continue }
            do {
                try CgroupFiles.write("+\(controller.rawValue)", to: "\(level)/cgroup.subtree_control")
            } catch {
                throw IsolationError("Failed to enable the \(controller.rawValue) controller for child cgroups of '\(level)' (cgroup v2 allows it only in a cgroup without processes of its own): \(error)")
            }
        }
    }

    /// Containers of an earlier run that the agent does not recover are killed and removed.
    private func removeLeftovers(keeping kept: Set<String>) {
        var ids = Set<String>()
        for base in Set(bases.values) {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] {
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: "\(base)/\(entry)", isDirectory: &isDir), isDir.boolValue {
                    ids.insert(entry)
                }
            }
        }
        for id in ids.subtracting(kept) {
            let container = ContainerCgroup(id: id, cgroups: self)
            container.killAll()
            container.remove()
        }
    }

    public func container(_ id: String) -> ContainerCgroup { ContainerCgroup(id: id, cgroups: self) }

    /// Removes the hierarchy's directories once the agent stops; a base still holding a
    /// container stays.
    public func removeBases() {
        for base in Set(bases.values) { rmdir(base) }
    }

    func version(_ controller: CgroupController) -> CgroupLayout.Version? {
        bases[controller] == nil ? nil : layout.hierarchies[controller]?.version
    }
}
