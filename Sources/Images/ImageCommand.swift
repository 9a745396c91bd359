import Foundation

/// The docker/runtime isolator's launch rules: how a task's CommandInfo combines with the
/// image's Entrypoint and Cmd (Mesos `docs/isolators/docker-runtime.md`).
public enum ImageCommand {
    /// The argv to exec inside the container; `argv[0]` is the program.
    ///
    /// The rules, with "specified" meaning non-nil and non-empty:
    /// - `shell`: `/bin/sh -c value`; the image's Entrypoint/Cmd and `arguments` are ignored,
    ///   and a missing value is an error.
    /// - `value` without `shell`: the program is `value`, the image is ignored. `arguments` is
    ///   Mesos's full argv, whose first element is argv[0] (Mesos runs
    ///   `execvp(value, arguments)`), so the remaining elements follow `value`; this matches
    ///   how the agent runs a non-image command.
    /// - neither: the image decides. With an Entrypoint, the program is `Entrypoint[0]`
    ///   followed by the rest of Entrypoint, then `arguments` if any (all of them: here they
    ///   are extra arguments, not an argv) or else Cmd. Without one, `Cmd[0]` followed by
    ///   `arguments` if any or else the rest of Cmd. With neither, an error.
    public static func argv(shell: Bool, value: String?, arguments: [String],
                            config: ImageConfig) throws(ImageError) -> [String] {
        let value = value.flatMap { $0.isEmpty ? nil : $0 }
        if shell {
            guard let value else { throw ImageError("Shell specified but no command value provided") }
            return ["/bin/sh", "-c", value]
        }
        if let value {
            return [value] + arguments.dropFirst()
        }
        if let entrypoint = config.entrypoint, !entrypoint.isEmpty {
            return entrypoint + (arguments.isEmpty ? (config.cmd ?? []) : arguments)
        }
        if let cmd = config.cmd, let program = cmd.first {
            return [program] + (arguments.isEmpty ? Array(cmd.dropFirst()) : arguments)
        }
        throw ImageError("No executable is found: the task has no command value and the image has neither Entrypoint nor Cmd")
    }

    /// The container's environment: the image's `Env` first, then the task's variables, which
    /// win on a clash (Mesos's containerizer overwrites the isolator's image environment).
    /// Image entries without '=' are skipped, as Mesos does.
    public static func environment(image: [String], task: [String: String]) -> [String: String] {
        var result: [String: String] = [:]
        for entry in image {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else { continue }
            result[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        result.merge(task) { _, taskValue in taskValue }
        return result
    }
}
