import Foundation
import Isolation
#if canImport(Glibc)
import Glibc
#endif

/// How a checkpointing framework's task reports its exit status to an agent that was not there
/// to see it. The agent is the parent of every task, so a task that ends while the agent is
/// down leaves its status with nobody. For such tasks the first process the agent spawns is a
/// small `sh` that runs the task as its child, waits for it, writes the status to a file under
/// the agent's `meta` directory and then ends the same way the task did. It costs one resting
/// `sh` per task (well under a megabyte), where Mesos keeps a command executor (about 30 MB).
///
/// The wrapper ignores nothing: it traps the catchable termination signals with a no-op (a
/// kill reaches the task through the process group) and the task starts with every signal at
/// its default through `env --default-signal`, because `sh` would otherwise start a background
/// command with SIGINT and SIGQUIT ignored.
enum TaskWrapper {
    static let script = """
        f=$1; shift
        trap : HUP INT QUIT TERM USR1 USR2
        /usr/bin/env --default-signal -- "$@" & c=$!
        while :; do wait $c; s=$?; if [ $s -le 128 ] || ! kill -0 $c 2>/dev/null; then break; fi; done
        echo $s > "$f"
        if [ $s -gt 128 ]; then trap - HUP INT QUIT TERM USR1 USR2; kill -$((s - 128)) $$; fi
        exit $s
        """

    /// `argv` run under the wrapper, which writes the exit status to `statusFile`.
    static func wrap(_ argv: [String], statusFile: String) -> [String] {
        ["/bin/sh", "-c", script, "plinth-task", statusFile] + argv
    }

    /// The status a wrapper wrote, as `sh` encodes it: 128 + n for a death by signal n.
    static func readStatus(_ path: String) -> ExitStatus? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let code = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        return code > 128 ? .signaled(signal: code - 128) : .exited(code: code)
    }
}

/// Identifies a process across an agent restart: its pid and its start time (in clock ticks
/// since boot), so a recycled pid is never taken for the task.
struct ProcessIdentity: Sendable, Codable, Hashable {
    var pid: Int32
    var startTime: UInt64

    static func of(_ pid: pid_t) -> ProcessIdentity? {
        guard let time = startTime(pid) else { return nil }
        return ProcessIdentity(pid: pid, startTime: time)
    }

    static func startTime(_ pid: pid_t) -> UInt64? { ProcessTable.entry(pid)?.startTime }

    /// A pidfd for the process if it is still the same one, else nil. The pidfd is opened
    /// before the start time is compared, so it cannot refer to a successor.
    func open() -> Int32? {
        guard let pidfdOpen = PidFD.open else { return nil }
        let fd = pidfdOpen(pid, 0)
        guard fd >= 0 else { return nil }
        guard ProcessIdentity.startTime(pid) == startTime else {
            close(fd)
            return nil
        }
        return fd
    }
}

/// glibc's `pidfd_open`, looked up at run time (Swift cannot call the variadic `syscall`).
enum PidFD {
    typealias Open = @convention(c) (pid_t, UInt32) -> Int32
    static let open: Open? = dlsym(dlopen(nil, RTLD_NOW), "pidfd_open").map { unsafeBitCast($0, to: Open.self) }

    /// True once the process has exited.
    static func hasExited(_ fd: Int32, timeoutMs: Int32 = 0) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let rc = poll(&entry, 1, timeoutMs)
            if rc >= 0 { return rc > 0 }
            if errno != EINTR { return true }
        }
    }
}
