import Fetcher
import Foundation
import Images
import Isolation

/// What the agent's containerizer is set up with, once, at start: the isolators, the cgroup
/// hierarchy, the fetcher and the image store. Preparing it is where a bad `--isolation` fails,
/// before the agent registers, so an operator sees the problem at once.
public struct ContainerRuntime: Sendable {
    public let isolation: IsolationConfig
    public let cgroups: Cgroups?
    let fetcher: Fetcher
    let images: ImageStore?
    /// Root filesystems of image containers: `<work_dir>/provisioner/containers/<id>`.
    let provisionerDirectory: String

    public static func prepare(_ config: AgentConfig) throws -> ContainerRuntime {
        let isolation = config.isolation
        var cgroups: Cgroups?
        if isolation.usesCgroups {
            let layout = CgroupLayout.detect(
                mountinfo: (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "",
                selfCgroup: (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)) ?? "",
                v2Controllers: { try? String(contentsOfFile: "\($0)/cgroup.controllers", encoding: .utf8) })
            cgroups = try Cgroups.prepare(config: isolation, layout: layout,
                                          keeping: config.recovered?.containerIDs ?? [])
        }
        if (isolation.pidNamespace || isolation.mountNamespace) && geteuid() != 0 {
            let names = isolation.isolators.filter { [.namespacesPID, .filesystemLinux, .dockerRuntime].contains($0) }
                .map(\.rawValue).sorted().joined(separator: ",")
            throw IsolationError("--isolation=\(names) creates namespaces, which only a root agent can do; run the agent as root or drop them from --isolation")
        }
        let fetcher = Fetcher(config: FetcherConfig(
            cacheDirectory: config.fetcherCacheDir ?? "\(config.workDir)/fetcher-cache",
            cacheSizeBytes: config.fetcherCacheSize))
        var images: ImageStore?
        if isolation.images, let registry = config.dockerRegistry {
            images = ImageStore(registry: registry, storeDirectory: config.dockerStoreDir ?? "\(config.workDir)/store/docker")
        }
        return ContainerRuntime(isolation: isolation, cgroups: cgroups, fetcher: fetcher, images: images,
                                provisionerDirectory: "\(config.workDir)/provisioner/containers")
    }
}
