#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// How a task's leader process ended.
public enum ExitStatus: Sendable, Hashable, CustomStringConvertible {
    case exited(code: Int32)
    case signaled(signal: Int32, coreDumped: Bool = false)
    /// No status could be collected (`errno`, usually ECHILD: something else reaped the
    /// pid, e.g. a `waitpid(-1)` elsewhere or SIGCHLD set to SIG_IGN).
    case unavailable(errno: Int32)
    /// The process ended while the agent was down and left no status behind.
    case unknown

    /// Decodes a `waitpid` status. Only termination statuses are expected (we never pass
    /// WUNTRACED/WCONTINUED), so anything with a nonzero low byte counts as a signal.
    public init(waitStatus: Int32) {
        let signal = waitStatus & 0x7f
        self = signal == 0
            ? .exited(code: (waitStatus >> 8) & 0xff)
            : .signaled(signal: signal, coreDumped: waitStatus & 0x80 != 0)
    }

    /// The raw wait status, as Mesos puts it in `Event.Failure.status`; it round-trips
    /// exactly with `init(waitStatus:)`.
    public var waitStatus: Int32? {
        switch self {
        case .exited(let code): return (code & 0xff) << 8
        case .signaled(let signal, let core): return signal | (core ? 0x80 : 0)
        case .unavailable, .unknown: return nil
        }
    }

    /// Same wording as Mesos' `WSTRINGIFY`, since schedulers show it to users.
    public var message: String {
        switch self {
        case .exited(let code):
            return "Command exited with status \(code)"
        case .signaled(let signal, let core):
            let name = strsignal(signal).map { String(cString: $0) } ?? "signal \(signal)"
            return "Command terminated with signal \(name)" + (core ? " (core dumped)" : "")
        case .unavailable(let errno):
            return "Failed to reap command: \(String(cString: strerror(errno)))"
        case .unknown:
            return "Command ended while the agent was down; its exit status is unknown"
        }
    }

    public var description: String { message }
}

/// Waits for `pid` (a child of this process) to exit, kills whatever is left of its
/// process group, and reaps it. Exactly one waiter per pid: this is the reaper.
///
/// Not cancellable on purpose: the child must be reaped whatever the caller does.
public func waitForExit(pid: pid_t) async -> ExitStatus {
    await withCheckedContinuation { continuation in
        startReaper(pid: pid, beforeReap: {}) { continuation.resume(returning: $0) }
    }
}

/// Runs the reap sequence on its own thread. `beforeReap` runs after the group has been
/// killed and just before `waitpid` frees the pid; `TaskProcessHandle` uses it to stop
/// signalling, so it can never hit a recycled pid.
func startReaper(pid: pid_t, beforeReap: @escaping @Sendable () -> Void,
                 completion: @escaping @Sendable (ExitStatus) -> Void) {
    let job = ReaperJob { completion(reap(pid: pid, beforeReap: beforeReap)) }
    if !job.startThread() {
        // Out of threads: poll instead, never blocking a cooperative-pool thread.
        Task.detached { completion(await pollingReap(pid: pid, beforeReap: beforeReap)) }
    }
}

/// Watches a process this agent did not spawn (a task adopted after an agent restart) through
/// its pidfd; when it ends, kills what is left of its group and reads the status its wrapper
/// wrote. Its real parent (init) reaps it.
func startWatcher(pidfd: Int32, pid: pid_t, statusFile: String, beforeReap: @escaping @Sendable () -> Void,
                  completion: @escaping @Sendable (ExitStatus) -> Void) {
    let finish: @Sendable () -> Void = {
        _ = killpg(pid, SIGKILL)
        beforeReap()
        close(pidfd)
        completion(TaskWrapper.readStatus(statusFile) ?? .unknown)
    }
    let job = ReaperJob {
        _ = PidFD.hasExited(pidfd, timeoutMs: -1)
        finish()
    }
    if !job.startThread() {
        Task.detached {
            while !PidFD.hasExited(pidfd) { try? await Task.sleep(for: .milliseconds(50)) }
            finish()
        }
    }
}

/// Blocking sequence. WNOWAIT leaves the leader a zombie, which keeps its pid (= pgid)
/// reserved, so the `killpg` cannot reach an unrelated group that reused the number.
private func reap(pid: pid_t, beforeReap: () -> Void) -> ExitStatus {
    var info = siginfo_t()
    while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 {
        if errno != EINTR { return .unavailable(errno: errno) }
    }
    return finishReap(pid: pid, beforeReap: beforeReap)
}

private func pollingReap(pid: pid_t, beforeReap: () -> Void) async -> ExitStatus {
    while true {
        var info = siginfo_t()
        if waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT | WNOHANG) != 0 {
            if errno != EINTR { return .unavailable(errno: errno) }
        } else if info._sifields._sigchld.si_pid == pid {
            return finishReap(pid: pid, beforeReap: beforeReap)
        }
        try? await Task.sleep(for: .milliseconds(20))
    }
}

private func finishReap(pid: pid_t, beforeReap: () -> Void) -> ExitStatus {
    // Descendants outlive the shell otherwise; ESRCH just means nothing was left.
    _ = killpg(pid, SIGKILL)
    beforeReap()
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        if errno != EINTR { return .unavailable(errno: errno) }
    }
    return ExitStatus(waitStatus: status)
}

/// A detached pthread with a small stack: the reaper only sits in `waitid`, and one
/// exists per running task, so the default 8 MiB reservation would be wasteful.
private final class ReaperJob: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }

    func startThread() -> Bool {
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attr, 256 * 1024)
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attr, { context in
            Unmanaged<ReaperJob>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, context)
        if rc != 0 { Unmanaged<ReaperJob>.fromOpaque(context).release() }
        return rc == 0
    }
}
