import Agent
import ArgumentParser
import Foundation
import Isolation

/// The agent's containerizer flags, shared by `agent` and `dev`, with Mesos's names.
struct ContainerOptions: ParsableArguments {
    @Option(name: .customLong("isolation"),
            help: "Isolators, comma-separated (default posix/cpu,posix/mem): posix/cpu, posix/mem, disk/du, cgroups/cpu, cgroups/mem, cgroups/pids (or cgroups/all), namespaces/pid, filesystem/linux, docker/runtime.")
    var isolation: String?
    @Option(name: .customLong("cgroups_root"), help: "The cgroup, under the agent's own, holding each container's (default mesos).")
    var cgroupsRoot: String?
    @Option(name: .customLong("cgroups_enable_cfs"), help: "Cap each container's CPU at its cpus with a CFS quota (default false).")
    var cgroupsEnableCFS: String?
    @Option(name: .customLong("cgroups_pids_max"), help: "Processes and threads one container may have under cgroups/pids (default 4096).")
    var cgroupsPidsMax: Int?
    @Option(name: .customLong("image_providers"), help: "Image providers; only 'docker' (default docker).")
    var imageProviders: String?
    @Option(name: .customLong("docker_registry"), help: "A local directory of `docker save` archives named <repository>:<tag>.tar.")
    var dockerRegistry: String?
    @Option(name: .customLong("docker_store_dir"), help: "Where image layers are unpacked and kept (default <work_dir>/store/docker).")
    var dockerStoreDir: String?
    @Option(name: .customLong("fetcher_cache_dir"), help: "The fetcher's cache (default <work_dir>/fetcher-cache).")
    var fetcherCacheDir: String?
    @Option(name: .customLong("fetcher_cache_size"), help: "The fetcher cache's size, e.g. 2GB (default 2GB).")
    var fetcherCacheSize: String?
    @Option(name: .customLong("container_disk_watch_interval"), help: "How often disk/du measures sandboxes (default 15secs).")
    var diskWatchInterval: String?
    @Option(name: .customLong("enforce_container_disk_quota"), help: "With disk/du, stop a container over its disk (default true).")
    var enforceDiskQuota: String?
    @Option(name: .customLong("executor_registration_timeout"),
            help: "How long a new custom executor has to subscribe (default 1mins).")
    var executorRegistrationTimeout: String?
    @Option(name: .customLong("executor_reregistration_timeout"),
            help: "How long a recovered executor has to subscribe again after an agent restart (default 2secs).")
    var executorReregistrationTimeout: String?
    @Option(name: .customLong("executor_shutdown_grace_period"),
            help: "How long an executor told to shut down has before it is killed (default 5secs).")
    var executorShutdownGracePeriod: String?
    @Option(name: .customLong("gc_delay"), help: "How long finished sandboxes are kept (default 1weeks).")
    var gcDelay: String?
    @Option(name: .customLong("gc_disk_headroom"), help: "Free-disk share below which sandboxes are removed sooner (default 0.1).")
    var gcDiskHeadroom: Double?

    func apply(to config: inout AgentConfig) throws {
        var isolation = IsolationConfig()
        do {
            isolation.isolators = try IsolationConfig.parse(Flags.resolve(self.isolation, "isolation",
                                                                          default: IsolationConfig.defaultFlag))
        } catch {
            throw CLIError("\(error)")
        }
        isolation.cgroupsRoot = Flags.resolve(cgroupsRoot, "cgroups_root", default: "mesos")
        isolation.enableCFS = try Self.bool(Flags.resolve(cgroupsEnableCFS, "cgroups_enable_cfs"), "cgroups_enable_cfs") ?? false
        if let max = try cgroupsPidsMax ?? Flags.env("cgroups_pids_max").map({ try Int($0).orThrow("Invalid --cgroups_pids_max") }) {
            isolation.pidsMax = max
        }
        config.isolation = isolation
        let providers = Flags.resolve(imageProviders, "image_providers", default: "docker")
        if !providers.split(separator: ",").allSatisfy({ $0.lowercased() == "docker" }) {
            throw CLIError("Unsupported --image_providers '\(providers)': only docker is supported")
        }
        config.dockerRegistry = Flags.resolve(dockerRegistry, "docker_registry")
        config.dockerStoreDir = Flags.resolve(dockerStoreDir, "docker_store_dir")
        config.fetcherCacheDir = Flags.resolve(fetcherCacheDir, "fetcher_cache_dir")
        if let size = Flags.resolve(fetcherCacheSize, "fetcher_cache_size") { config.fetcherCacheSize = try Self.bytes(size) }
        if let interval = Flags.resolve(diskWatchInterval, "container_disk_watch_interval") {
            config.diskWatchInterval = try Flags.duration(interval)
        }
        if let enforce = try Self.bool(Flags.resolve(enforceDiskQuota, "enforce_container_disk_quota"), "enforce_container_disk_quota") {
            config.enforceDiskQuota = enforce
        }
        if let delay = Flags.resolve(gcDelay, "gc_delay") { config.gcDelay = try Flags.duration(delay) }
        if let timeout = Flags.resolve(executorRegistrationTimeout, "executor_registration_timeout") {
            config.executorRegistrationTimeout = try Flags.duration(timeout)
        }
        if let timeout = Flags.resolve(executorReregistrationTimeout, "executor_reregistration_timeout") {
            config.executorReregistrationTimeout = try Flags.duration(timeout)
        }
        if let grace = Flags.resolve(executorShutdownGracePeriod, "executor_shutdown_grace_period") {
            config.executorShutdownGracePeriod = try Flags.duration(grace)
        }
        if let headroom = try gcDiskHeadroom ?? Flags.env("gc_disk_headroom").map({ try Double($0).orThrow("Invalid --gc_disk_headroom") }) {
            guard (0...1).contains(headroom) else { throw CLIError("Invalid --gc_disk_headroom \(headroom): expected 0 to 1") }
            config.gcDiskHeadroom = headroom
        }
    }

    static func bool(_ text: String?, _ flag: String) throws -> Bool? {
        switch text?.lowercased() {
        case nil: return nil
        case "true", "1": return true
        case "false", "0": return false
        case let other?: throw CLIError("Invalid --\(flag) '\(other)': expected true or false")
        }
    }

    /// Mesos byte sizes: `512B`, `64KB`, `100MB`, `2GB`, `1TB`, or a plain number of bytes.
    static func bytes(_ text: String) throws -> UInt64 {
        let units: [(String, Double)] = [("TB", 1_099_511_627_776), ("GB", 1_073_741_824), ("MB", 1_048_576), ("KB", 1024), ("B", 1)]
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            if let number = Double(trimmed.dropLast(suffix.count)), number >= 0 { return UInt64(number * factor) }
        }
        if let number = UInt64(trimmed) { return number }
        throw CLIError("Invalid size '\(text)': expected e.g. 512MB or 2GB")
    }
}
