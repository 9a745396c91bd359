import Foundation
import HTTPSupport
import Isolation
import MesosAPI

extension Agent {
    /// Runs a task's health check, as Mesos's command executor does: the first check after
    /// `delay_seconds`, then one every `interval_seconds`; what to report and when to kill is
    /// `HealthPolicy`'s call.
    func startHealthChecks(_ key: StatusUpdateManager.Key, check: HealthCheck, environment: [String: String],
                           sandbox: String) {
        let probe = HealthProbe(spec: ProbeSpec(check), environment: environment, sandbox: sandbox, client: client,
                                entry: containerEntry(key))
        let started = ContinuousClock.now
        let checker = Task { [weak self] in
            var policy = HealthPolicy(check)
            try? await Task.sleep(for: .seconds(check.delay))
            while !Task.isCancelled {
                let healthy = await probe.run().success
                let elapsed = ContinuousClock.now - started
                let decision = policy.record(success: healthy, elapsed: Double(elapsed.components.seconds)
                                             + Double(elapsed.components.attoseconds) / 1e18)
                guard !Task.isCancelled, let self, await self.healthDecision(key, decision) else { return }
                try? await Task.sleep(for: .seconds(check.interval))
            }
        }
        tasks[key]?.healthChecker = checker
    }

    /// A general check (`TaskInfo.check`): its result goes to the scheduler in `check_status`
    /// whenever it changes, and never affects the task.
    func startChecks(_ key: StatusUpdateManager.Key, check: CheckInfo, environment: [String: String], sandbox: String) {
        let probe = HealthProbe(spec: ProbeSpec(check), environment: environment, sandbox: sandbox, client: client,
                                entry: containerEntry(key))
        let type = check.type ?? ""
        let checker = Task { [weak self] in
            var last: CheckStatusInfo?
            try? await Task.sleep(for: .seconds(check.delay))
            while !Task.isCancelled {
                let status = await probe.run().checkStatus(type)
                guard !Task.isCancelled, let self else { return }
                if status != last {
                    last = status
                    guard await self.checkChanged(key, status) else { return }
                }
                try? await Task.sleep(for: .seconds(check.interval))
            }
        }
        tasks[key]?.checker = checker
    }

    /// For a task in namespaces of its own, how its COMMAND checks get in.
    private func containerEntry(_ key: StatusUpdateManager.Key) -> ContainerEntry? {
        guard let task = tasks[key], let leader = task.handle?.pid else { return nil }
        let image = task.info.container?.mesos?.image != nil
        let isolation = runtime.isolation
        guard isolation.pidNamespace || isolation.mountNamespace || image else { return nil }
        return ContainerEntry(leader: leader, pidNamespace: isolation.pidNamespace, image: image)
    }

    private func checkChanged(_ key: StatusUpdateManager.Key, _ status: CheckStatusInfo) -> Bool {
        guard let task = tasks[key], task.state == .TASK_RUNNING else { return false }
        report(key, .TASK_RUNNING, reason: .REASON_TASK_CHECK_STATUS_UPDATED, checkStatus: status)
        return true
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

/// What one probe needs: the kind, its target and its time limit. Health checks and general
/// checks describe the same three kinds.
struct ProbeSpec: Sendable {
    var type: String
    var command: CommandInfo?
    var httpPort: UInt32?
    var httpPath: String?
    var tcpPort: UInt32?
    var timeout: Double

    init(_ check: HealthCheck) {
        type = check.type ?? ""
        command = check.command
        httpPort = check.http?.port
        httpPath = check.http?.path
        tcpPort = check.tcp?.port
        timeout = check.timeout
    }

    init(_ check: CheckInfo) {
        type = check.type ?? ""
        command = check.command?.command
        httpPort = check.http?.port
        httpPath = check.http?.path
        tcpPort = check.tcp?.port
        timeout = check.timeout
    }
}

/// One result: success as a health check counts it, and the detail a general check reports.
struct ProbeResult: Sendable, Equatable {
    var success: Bool
    var exitCode: Int32?
    var statusCode: UInt32?

    var checkStatus: (String) -> CheckStatusInfo {
        { type in
            switch type {
            case "COMMAND": return CheckStatusInfo(type: type, command: .init(exitCode: exitCode))
            case "HTTP": return CheckStatusInfo(type: type, http: .init(statusCode: statusCode))
            default: return CheckStatusInfo(type: type, tcp: .init(succeeded: success))
            }
        }
    }
}

/// One check attempt, bounded by its timeout.
struct HealthProbe: Sendable {
    let spec: ProbeSpec
    let environment: [String: String]
    let sandbox: String
    let client: StreamingClient
    /// Set when the task has namespaces of its own: COMMAND checks run inside them.
    var entry: ContainerEntry?

    func run() async -> ProbeResult {
        let timeout = Duration.milliseconds(Int64(spec.timeout * 1000))
        switch spec.type {
        case "COMMAND": return await command(timeout: timeout)
        case "HTTP": return await http()
        case "TCP": return ProbeResult(success: await tcp(timeout: timeout))
        default: return ProbeResult(success: false)
        }
    }

    private func command(timeout: Duration) async -> ProbeResult {
        guard let info = spec.command else { return ProbeResult(success: false) }
        var env = environment
        for variable in info.environment?.variables ?? [] { env[variable.name] = variable.value ?? "" }
        var request = SpawnRequest(command: TaskEnvironment.command(info), environment: env,
                                   workingDirectory: sandbox)
        if let entry {
            guard let argv = entry.wrap(Agent.argv(request.command)) else { return ProbeResult(success: false) }
            if entry.image { request.environment["MESOS_SANDBOX"] = ContainerLaunch.imageSandbox }
            request.command = .executable(path: argv[0], arguments: argv)
        }
        guard let handle = try? TaskProcessHandle(spawning: request) else { return ProbeResult(success: false) }
        guard let status = await handle.waitForExit(timeout: timeout) else {
            await handle.terminate(gracePeriod: .zero)
            return ProbeResult(success: false)
        }
        if case .exited(let code) = status { return ProbeResult(success: code == 0, exitCode: code) }
        return ProbeResult(success: false)
    }

    /// Mesos counts 200–399 as healthy.
    private func http() async -> ProbeResult {
        guard let port = spec.httpPort else { return ProbeResult(success: false) }
        let seconds = max(1, Int64(spec.timeout.rounded(.up)))
        guard let reply = try? await client.get(url: "http://127.0.0.1:\(port)\(spec.httpPath ?? "/")",
                                                timeout: .seconds(seconds)) else {
            return ProbeResult(success: false)
        }
        return ProbeResult(success: (200..<400).contains(reply.status), statusCode: UInt32(reply.status))
    }

    /// The task's port on loopback accepts a connection.
    private func tcp(timeout: Duration) async -> Bool {
        guard let port = spec.tcpPort else { return false }
        return await Task.detached { TCPProbe.connects(port: UInt16(truncatingIfNeeded: port), timeout: timeout) }.value
    }
}

/// Whether something listens on a loopback port (TCP checks; the benchmarks' readiness waits).
public enum TCPProbe {
    public static func connects(port: UInt16, timeout: Duration) -> Bool {
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
