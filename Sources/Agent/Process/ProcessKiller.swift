#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A running task process: owns its reaper, and is the only safe way to signal it.
///
/// Signalling a bare pid races with reaping: once `waitpid` returns, the kernel may hand
/// the number (and thus the pgid) to an unrelated process. Here the reaper flips
/// `reaped` under the same lock the signallers hold, *before* calling `waitpid`, while
/// the leader is still a zombie pinning the pid; so a signal either reaches our group
/// or is not sent at all.
public final class TaskProcessHandle: @unchecked Sendable {
    /// Also the process group id.
    public let pid: pid_t

    private let lock = NSLock()
    // Guarded by `lock`.
    private var reaped = false
    private var status: ExitStatus?
    private var waiters: [UInt64: CheckedContinuation<ExitStatus?, Never>] = [:]
    private var nextWaiter: UInt64 = 0

    /// A pidfd for a process adopted after an agent restart; nil for a child.
    private let pidfd: Int32?

    /// Spawns the request and starts reaping it straight away.
    public convenience init(spawning request: SpawnRequest,
                            with spawner: ProcessSpawner = ProcessSpawner()) throws(SpawnError) {
        self.init(adopting: try spawner.spawn(request))
    }

    /// Takes ownership of a child that is its own process group leader (as
    /// `ProcessSpawner` makes it). Nothing else may wait for this pid.
    public init(adopting pid: pid_t) {
        self.pid = pid
        self.pidfd = nil
        startReaper(pid: pid, beforeReap: { [self] in
            lock.withLock { reaped = true }
        }, completion: { [self] in finish($0) })
    }

    /// Re-attaches to a task process a previous run of the agent started (`pidfd` from
    /// `ProcessIdentity.open`); its status comes from its wrapper's file.
    init(recovering pid: pid_t, pidfd: Int32, statusFile: String) {
        self.pid = pid
        self.pidfd = pidfd
        startWatcher(pidfd: pidfd, pid: pid, statusFile: statusFile, beforeReap: { [self] in
            lock.withLock { reaped = true }
        }, completion: { [self] in finish($0) })
    }

    /// The exit status once the leader has been reaped, else `nil`.
    public var exitStatus: ExitStatus? { lock.withLock { status } }

    public func waitForExit() async -> ExitStatus {
        // Without a timeout the waiter is only ever resumed with a status.
        await waitForExit(timeout: nil)!
    }

    /// `nil` if the leader is still running after `timeout`.
    public func waitForExit(timeout: Duration?) async -> ExitStatus? {
        var timer: Task<Void, Never>?
        defer { timer?.cancel() }
        return await withCheckedContinuation { continuation in
            let (id, done): (UInt64, ExitStatus?) = lock.withLock {
                if let status { return (0, status) }
                nextWaiter += 1
                waiters[nextWaiter] = continuation
                return (nextWaiter, nil)
            }
            if let done { return continuation.resume(returning: done) }
            // Armed only after registration, so an early expiry cannot be lost.
            if let timeout {
                timer = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    if !Task.isCancelled { self?.expire(id) }
                }
            }
        }
    }

    /// Signals the whole process group; `false` if the task is already reaped (or
    /// past the point where signalling it would be unsafe).
    @discardableResult
    public func signalGroup(_ signal: Int32) -> Bool {
        lock.withLock {
            guard !reaped else { return false }
            if let pidfd, PidFD.hasExited(pidfd) { return false }
            return killpg(pid, signal) == 0
        }
    }

    /// SIGTERM to the group, then SIGKILL to the group if the leader is still alive
    /// after `gracePeriod` (Mesos' `shutdown_grace_period` / kill policy). Returns the
    /// leader's status.
    @discardableResult
    public func terminate(gracePeriod: Duration) async -> ExitStatus {
        signalGroup(SIGTERM)
        // A stopped task would hold SIGTERM pending and sit out the whole grace period.
        signalGroup(SIGCONT)
        if let status = await waitForExit(timeout: gracePeriod) { return status }
        signalGroup(SIGKILL)
        return await waitForExit()
    }

    private func finish(_ exit: ExitStatus) {
        let resumed = lock.withLock {
            reaped = true
            status = exit
            defer { waiters = [:] }
            return waiters.values
        }
        resumed.forEach { $0.resume(returning: exit) }
    }

    private func expire(_ id: UInt64) {
        lock.withLock { waiters.removeValue(forKey: id) }?.resume(returning: nil)
    }
}
