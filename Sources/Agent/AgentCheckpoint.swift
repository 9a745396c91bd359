import Foundation
import HTTPSupport
import MesosAPI

/// What the agent keeps of itself across restarts, in Mesos's layout under `work_dir`:
/// `meta/slaves/<agent id>/slave.info` (its AgentInfo) and a `meta/slaves/latest` link. With
/// it a restarted agent comes back under the same ID, so the master knows it at once. Tasks of
/// checkpointing frameworks come back from the state log (`AgentRecovery`); the master reports
/// the others lost.
public struct AgentCheckpoint: Sendable {
    public let workDir: String

    public init(workDir: String) { self.workDir = workDir }

    var slavesDir: String { "\(workDir)/meta/slaves" }

    public struct Mismatch: Error, CustomStringConvertible {
        public let description: String
    }

    /// The ID to come back as, or nil for a fresh agent. Under `--recover=reconnect`, a restart
    /// with other resources or attributes than the checkpointed ones is refused, as Mesos does
    /// under `--reconfiguration_policy=equal`.
    public func recover(resources: Resources, attributes: [Attribute]) throws -> AgentID? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(slavesDir)/latest"),
              let data = FileManager.default.contents(atPath: "\(slavesDir)/\(target)/slave.info"),
              let info = try? WireCodec.decode(AgentInfo.self, from: data), let id = info.id else { return nil }
        let stored = Resources(info.resources ?? [])
        if stored != resources {
            throw Mismatch(description: "The agent's resources changed since it last ran (was \(stored), now \(resources)); restart it with the same --resources and --attributes, or with --recover=cleanup to start as a new agent")
        }
        if (info.attributes ?? []) != attributes {
            throw Mismatch(description: "The agent's attributes changed since it last ran; restart it with the same --attributes, or with --recover=cleanup to start as a new agent")
        }
        return id
    }

    /// Written before the agent acts as the registered agent: a temporary file renamed into
    /// place, so a crash leaves the old checkpoint or the new one, never half of one.
    public func save(_ info: AgentInfo) throws {
        guard let id = info.id else { return }
        let dir = "\(slavesDir)/\(id.value)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let temporary = "\(dir)/.slave.info.tmp"
        try WireCodec.encode(info).write(to: URL(fileURLWithPath: temporary), options: .atomic)
        if rename(temporary, "\(dir)/slave.info") != 0 { throw Mismatch(description: "Failed to checkpoint the agent's info in \(dir)") }
        let link = "\(slavesDir)/latest"
        let temporaryLink = "\(slavesDir)/.latest.tmp"
        unlink(temporaryLink)
        if symlink(id.value, temporaryLink) != 0 || rename(temporaryLink, link) != 0 {
            throw Mismatch(description: "Failed to point \(link) at \(id.value)")
        }
    }

    /// `--recover=cleanup`: forget the previous run.
    public func clear() {
        try? FileManager.default.removeItem(atPath: slavesDir)
    }

    /// Processes a previous run of the agent left in its sandboxes (it was killed, so it could
    /// not kill them): found by their working directory under the sandbox root, then killed
    /// with their process groups. Recovered tasks (`spared`) are left alone.
    public static func killOrphans(under sandboxRoot: String,
                                   sparing spared: (groups: Set<pid_t>, sandboxes: [String]) = ([], [])) -> Int {
        guard let root = FilesEndpoint.realpath(sandboxRoot) else { return 0 }
        let sparedSandboxes = spared.sandboxes.compactMap { FilesEndpoint.realpath($0) }
        var killed = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(name), pid != getpid(),
                  let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(name)/cwd"),
                  cwd.hasPrefix(root + "/") else { continue }
            let group = getpgid(pid)
            if spared.groups.contains(group) || sparedSandboxes.contains(where: { cwd == $0 || cwd.hasPrefix($0 + "/") }) {
                continue
            }
            if group > 1 && group != getpgrp() { killpg(group, SIGKILL) }
            kill(pid, SIGKILL)
            killed += 1
        }
        return killed
    }
}
