import Fetcher
import Foundation
import Images
import Isolation
import MesosAPI

/// Everything a task needs before its first process starts.
struct PreparedLaunch: Sendable {
    var request: SpawnRequest
    var container: TaskContainer
}

extension Agent {
    /// Builds the container in Mesos's order: sandbox, fetched URIs, image root filesystem,
    /// cgroups; each failure is a LaunchFailure with the reason a user can act on.
    func prepare(_ task: CommandTask, command: CommandInfo, user requested: String?,
                 env: [String: String]) async throws -> PreparedLaunch {
        let user: TaskUser?
        switch TaskUser.resolve(requested, switchUser: config.switchUser) {
        case .success(let resolved): user = resolved
        case .failure(let problem):
            throw LaunchFailure(reason: .REASON_CONTAINER_LAUNCH_FAILED, message: "Failed to launch the task: \(problem)")
        }
        do {
            try SandboxLayout.create(task.sandbox)
            try user?.own(sandbox: task.sandbox)
        } catch {
            throw LaunchFailure(reason: .REASON_CONTAINER_LAUNCH_FAILED, message: "Failed to launch the task: \(error)")
        }
        try checkContainerType(task.info.container)
        if let uris = command.uris, !uris.isEmpty {
            try await fetch(uris, sandbox: task.sandbox, user: user)
        }
        var container = TaskContainer(cgroup: nil, limits: ContainerLimits(task.info.resources))
        var request = SpawnRequest(command: TaskEnvironment.command(command), environment: env,
                                   workingDirectory: task.sandbox, stdoutPath: "\(task.sandbox)/stdout",
                                   stderrPath: "\(task.sandbox)/stderr")
        if let user {
            request.environment["USER"] = user.name
            request.environment["LOGNAME"] = user.name
            request.environment["HOME"] = user.home
        }
        var launch = ContainerLaunch(pidNamespace: runtime.isolation.pidNamespace,
                                     mountNamespace: runtime.isolation.mountNamespace)
        var argv: [String]
        if let image = task.info.container?.mesos?.image {
            let provisioned = try await provision(image, task: task, command: command, user: user, env: &request.environment)
            container.rootfs = provisioned.rootfs
            launch.image = provisioned.launch
            argv = provisioned.argv
        } else {
            if let user { request.command = user.wrap(request.command) }
            argv = Self.argv(request.command)
        }
        if let cgroup = runtime.cgroups?.container(task.containerID.value) {
            do {
                try cgroup.create(limits: container.limits)
            } catch {
                cgroup.remove()
                if let rootfs = container.rootfs { Rootfs.destroy(target: rootfs.target, scratch: rootfs.scratch) }
                throw LaunchFailure(reason: .REASON_CONTAINER_LAUNCH_FAILED, message: "Failed to launch the task: \(error)")
            }
            container.cgroup = cgroup
            launch.cgroupProcs = cgroup.procsFiles
        }
        if !launch.isPlain {
            argv = launch.wrap(argv)
            request.command = .executable(path: argv[0], arguments: argv)
        }
        wrapForRecovery(&request, framework: task.frameworkID, container: task.containerID)
        return PreparedLaunch(request: request, container: container)
    }

    static func argv(_ command: SpawnCommand) -> [String] {
        switch command {
        case .shell(let text): return ["/bin/sh", "-c", text]
        case .executable(let path, let arguments): return [path] + arguments.dropFirst()
        }
    }

    /// Only the Mesos containerizer runs here; a Docker containerizer task is told how to say
    /// the same with an image, since no Docker daemon is assumed.
    private func checkContainerType(_ info: ContainerInfo?) throws {
        guard let info else { return }
        switch info.type {
        case "MESOS": return
        case "DOCKER":
            let name = info.docker?.image ?? "IMAGE"
            throw LaunchFailure(reason: .REASON_CONTAINER_LAUNCH_FAILED, message:
                "The Docker containerizer is not available on this agent (no Docker daemon); run the image with the Mesos containerizer instead: ContainerInfo{type: MESOS, mesos: {image: {type: DOCKER, docker: {name: \"\(name)\"}}}} on an agent started with --isolation=filesystem/linux,docker/runtime and --docker_registry")
        default:
            throw LaunchFailure(reason: .REASON_CONTAINER_LAUNCH_FAILED,
                                message: "Unsupported container type '\(info.type)': this agent runs MESOS containers")
        }
    }

    private func fetch(_ uris: [CommandInfo.URI], sandbox: String, user: TaskUser?) async throws {
        let items = uris.map {
            FetchURI(value: $0.value, executable: $0.executable ?? false, extract: $0.extract ?? true,
                     cache: $0.cache ?? false, outputFile: $0.outputFile)
        }
        do {
            try await runtime.fetcher.fetch(items, into: sandbox, owner: user.map { (uid: $0.uid, gid: $0.gid) })
        } catch {
            throw LaunchFailure(reason: .REASON_FETCHER_FAILED, message: "\(error)")
        }
    }

    private struct ProvisionedLaunch {
        let rootfs: (target: String, scratch: String)
        let launch: ContainerLaunch.Image
        let argv: [String]
    }

    /// Pulls the image from the local registry and mounts the container's root filesystem.
    private func provision(_ image: ContainerInfo.Image, task: CommandTask, command: CommandInfo,
                           user: TaskUser?, env: inout [String: String]) async throws -> ProvisionedLaunch {
        let prepareFailed = { (message: String) in LaunchFailure(reason: .REASON_CONTAINER_PREPARE_FAILED, message: message) }
        guard image.type == "DOCKER", let name = image.docker?.name else {
            throw prepareFailed("Unsupported image type '\(image.type)': this agent provisions DOCKER images")
        }
        guard let store = runtime.images else {
            throw prepareFailed("Failed to prepare image '\(name)': this agent runs no container images; start it with --isolation=filesystem/linux,docker/runtime and --docker_registry=DIR")
        }
        let pulled: ProvisionedImage
        do {
            pulled = try await store.pull(name)
        } catch {
            throw prepareFailed("Failed to prepare image '\(name)': \(error)")
        }
        let argv: [String]
        do {
            argv = try ImageCommand.argv(shell: command.isShell, value: command.value,
                                         arguments: command.arguments ?? [], config: pulled.config)
        } catch {
            throw prepareFailed("Failed to prepare image '\(name)': \(error)")
        }
        let base = "\(runtime.provisionerDirectory)/\(task.containerID.value)"
        let rootfs = (target: "\(base)/rootfs", scratch: "\(base)/scratch")
        let layers = pulled.layerPaths
        do {
            _ = try await Task.detached { try Rootfs.provision(layers: layers, target: rootfs.target, scratch: rootfs.scratch) }.value
        } catch {
            Rootfs.destroy(target: rootfs.target, scratch: rootfs.scratch)
            throw prepareFailed("Failed to provision the root filesystem of image '\(name)': \(error)")
        }
        // The host's own variables (its PATH above all) mean nothing inside the image.
        let own = Set((command.environment?.variables ?? []).map(\.name) + ["USER", "LOGNAME", "HOME"])
        let taskEnv = env.filter { $0.key.hasPrefix("MESOS_") || $0.key.hasPrefix("LIBPROCESS_") || own.contains($0.key) }
        env = ImageCommand.environment(image: pulled.config.env, task: taskEnv)
        env["MESOS_SANDBOX"] = ContainerLaunch.imageSandbox
        let workingDirectory = pulled.config.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? ContainerLaunch.imageSandbox
        let launch = ContainerLaunch.Image(rootfs: rootfs.target, sandbox: task.sandbox,
                                           workingDirectory: workingDirectory,
                                           user: user.map { (uid: $0.uid, gid: $0.gid) })
        return ProvisionedLaunch(rootfs: rootfs, launch: launch, argv: argv)
    }
}
