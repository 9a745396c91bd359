import Foundation
import HTTPSupport
import MesosAPI

extension Agent {
    /// Runs a task's health check, as Mesos's command executor does: the first check after
    /// `delay_seconds`, then one every `interval_seconds`; what to report and when to kill is
    /// `HealthPolicy`'s call.
    func startHealthChecks(_ key: StatusUpdateManager.Key, check: HealthCheck, environment: [String: String],
                           sandbox: String) {
        let probe = HealthProbe(check: check, environment: environment, sandbox: sandbox, client: client)
        let started = ContinuousClock.now
        let checker = Task { [weak self] in
            var policy = HealthPolicy(check)
            try? await Task.sleep(for: .seconds(check.delay))
            while !Task.isCancelled {
                let healthy = await probe.run()
                let elapsed = ContinuousClock.now - started
                let decision = policy.record(success: healthy, elapsed: Double(elapsed.components.seconds)
                                             + Double(elapsed.components.attoseconds) / 1e18)
                guard !Task.isCancelled, let self, await self.healthDecision(key, decision) else { return }
                try? await Task.sleep(for: .seconds(check.interval))
            }
        }
        tasks[key]?.healthChecker = checker
    }

    /// Applies one verdict; false once there is nothing left to check.
    private func healthDecision(_ key: StatusUpdateManager.Key, _ decision: HealthPolicy.Decision) -> Bool {
        guard let task = tasks[key], task.state == .TASK_RUNNING, !task.killRequested else { return false }
        switch decision {
        case .none:
            return true
        case .report(let healthy):
            report(key, .TASK_RUNNING, reason: .REASON_TASK_HEALTH_CHECK_STATUS_UPDATED, healthy: healthy)
            return true
        case .kill:
            report(key, .TASK_RUNNING, reason: .REASON_TASK_HEALTH_CHECK_STATUS_UPDATED, healthy: false)
            tasks[key]?.killedByHealthCheck = true
            logger.info("Task \(key.task.value) failed its health check \(task.info.healthCheck?.maxFailures ?? 0) times in a row; killing it")
            kill(key, grace: nil)
            return false
        }
    }
}

/// One health check attempt, bounded by the check's timeout.
struct HealthProbe: Sendable {
    let check: HealthCheck
    let environment: [String: String]
    let sandbox: String
    let client: StreamingClient

    func run() async -> Bool {
        let timeout = Duration.milliseconds(Int64(check.timeout * 1000))
        switch check.type {
        case "COMMAND": return await command(timeout: timeout)
        case "HTTP": return await http(timeout: timeout)
        case "TCP": return await tcp(timeout: timeout)
        default: return false
        }
    }

    private func command(timeout: Duration) async -> Bool {
        guard let info = check.command else { return false }
        var env = environment
        for variable in info.environment?.variables ?? [] { env[variable.name] = variable.value ?? "" }
        let request = SpawnRequest(command: TaskEnvironment.command(info), environment: env,
                                   workingDirectory: sandbox)
        guard let handle = try? TaskProcessHandle(spawning: request) else { return false }
        guard let status = await handle.waitForExit(timeout: timeout) else {
            await handle.terminate(gracePeriod: .zero)
            return false
        }
        return status == .exited(code: 0)
    }

    /// Mesos counts 200–399 as healthy.
    private func http(timeout: Duration) async -> Bool {
        guard let http = check.http else { return false }
        let path = http.path ?? "/"
        let seconds = max(1, Int64(check.timeout.rounded(.up)))
        guard let reply = try? await client.get(url: "http://127.0.0.1:\(http.port)\(path)", timeout: .seconds(seconds)) else {
            return false
        }
        return (200..<400).contains(reply.status)
    }

    /// The task's port on loopback accepts a connection.
    private func tcp(timeout: Duration) async -> Bool {
        guard let port = check.tcp?.port else { return false }
        return await Task.detached { TCPProbe.connects(port: UInt16(truncatingIfNeeded: port), timeout: timeout) }.value
    }
}

enum TCPProbe {
    static func connects(port: UInt16, timeout: Duration) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
