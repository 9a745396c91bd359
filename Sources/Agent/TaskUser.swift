import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The user a task runs as. As Mesos does with `--switch_user` (the default), a root agent runs
/// each task as `CommandInfo.user`, else `FrameworkInfo.user`; an empty user means the agent's
/// own user (what the seed's framework sends), so nothing is switched.
struct TaskUser: Sendable, Equatable {
    let name: String
    let uid: uid_t
    let gid: gid_t
    let home: String

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// nil when the task runs as the agent's user.
    static func resolve(_ requested: String?, switchUser: Bool) -> Result<TaskUser?, Problem> {
        guard switchUser, let name = requested, !name.isEmpty else { return .success(nil) }
        guard let entry = getpwnam(name) else {
            return .failure(Problem(description: "Failed to switch to user '\(name)': no such user on this agent"))
        }
        let user = TaskUser(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid,
                            home: String(cString: entry.pointee.pw_dir))
        if user.uid == geteuid() { return .success(nil) }
        guard geteuid() == 0 else {
            return .failure(Problem(description:
                "Failed to switch to user '\(name)': the agent is not root; run it as root or with --switch_user=false"))
        }
        return .success(user)
    }

    /// The command wrapped so it execs as this user: `setpriv` changes user, group and
    /// supplementary groups and then execs it, so the task keeps its pid and process group.
    func wrap(_ command: SpawnCommand) -> SpawnCommand {
        let prefix = ["setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--init-groups", "--"]
        switch command {
        case .shell(let text):
            return .executable(path: "/usr/bin/setpriv", arguments: prefix + ["/bin/sh", "-c", text])
        case .executable(let path, let arguments):
            return .executable(path: "/usr/bin/setpriv", arguments: prefix + [path] + arguments.dropFirst())
        }
    }

    /// Gives the user its sandbox and output files, as Mesos chowns the sandbox.
    func own(sandbox: String) throws {
        for path in [sandbox, "\(sandbox)/stdout", "\(sandbox)/stderr"] {
            if path != sandbox {
                let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
                if fd >= 0 { close(fd) }
            }
            guard chown(path, uid, gid) == 0 else {
                throw Problem(description: "Failed to chown '\(path)' to user '\(name)': \(String(cString: strerror(errno)))")
            }
        }
    }
}
