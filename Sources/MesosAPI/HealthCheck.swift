/// `HealthCheck`: how the agent decides whether a running task is healthy. Defaults are
/// Mesos's: first check after 15 s, then every 10 s, each given 20 s, failures ignored for the
/// first 10 s until the task is first healthy, killed after 3 failures in a row.
public struct HealthCheck: Codable, Hashable, Sendable {
    public struct HTTP: Codable, Hashable, Sendable {
        public var port: UInt32
        public var path: String?
        public var scheme: String?
        public init(port: UInt32, path: String? = nil) { self.port = port; self.path = path }
    }
    public struct TCP: Codable, Hashable, Sendable {
        public var port: UInt32
        public init(port: UInt32) { self.port = port }
    }
    public struct Command: Codable, Hashable, Sendable {
        public var command: CommandInfo
        public init(command: CommandInfo) { self.command = command }
    }

    /// `COMMAND`, `HTTP` or `TCP`.
    public var type: String?
    public var delaySeconds: Double?
    public var intervalSeconds: Double?
    public var timeoutSeconds: Double?
    public var consecutiveFailures: UInt32?
    public var gracePeriodSeconds: Double?
    public var command: CommandInfo?
    public var http: HTTP?
    public var tcp: TCP?

    public init(type: String) { self.type = type }

    public var delay: Double { delaySeconds ?? 15 }
    public var interval: Double { intervalSeconds ?? 10 }
    public var timeout: Double { timeoutSeconds ?? 20 }
    public var maxFailures: UInt32 { consecutiveFailures ?? 3 }
    public var gracePeriod: Double { gracePeriodSeconds ?? 10 }

    enum CodingKeys: String, CodingKey {
        case type
        case delaySeconds = "delay_seconds"
        case intervalSeconds = "interval_seconds"
        case timeoutSeconds = "timeout_seconds"
        case consecutiveFailures = "consecutive_failures"
        case gracePeriodSeconds = "grace_period_seconds"
        case command
        case http
        case tcp
    }
}

/// The health verdicts of one task over time: when to tell the scheduler, and when to kill.
/// Pure: the checker feeds it results with the time since the task started.
public struct HealthPolicy: Sendable, Equatable {
    public enum Decision: Sendable, Equatable {
        case none
        case report(healthy: Bool)
        /// Report unhealthy, then kill the task: it failed `consecutive_failures` checks in a row.
        case kill
    }

    let maxFailures: UInt32
    let gracePeriod: Double
    public private(set) var failures: UInt32 = 0
    public private(set) var everHealthy = false
    var lastReported: Bool?

    public init(_ check: HealthCheck) {
        maxFailures = check.maxFailures
        gracePeriod = check.gracePeriod
    }

    /// Mesos forwards the first healthy result, every change back to healthy, and every
    /// unhealthy one; failures in the grace period before the first success do not count.
    public mutating func record(success: Bool, elapsed: Double) -> Decision {
        if success {
            failures = 0
            everHealthy = true
            defer { lastReported = true }
            return lastReported == true ? .none : .report(healthy: true)
        }
        if !everHealthy && elapsed < gracePeriod { return .none }
        failures += 1
        lastReported = false
        return maxFailures > 0 && failures >= maxFailures ? .kill : .report(healthy: false)
    }
}

/// `CheckInfo`: a general check whose result is reported, never acted on. Defaults as Mesos's:
/// first after 15 s, then every 10 s, each given 20 s.
public struct CheckInfo: Codable, Hashable, Sendable {
    /// `COMMAND`, `HTTP` or `TCP`.
    public var type: String?
    public var command: HealthCheck.Command?
    public var http: HealthCheck.HTTP?
    public var tcp: HealthCheck.TCP?
    public var delaySeconds: Double?
    public var intervalSeconds: Double?
    public var timeoutSeconds: Double?

    public init(type: String) { self.type = type }

    public var delay: Double { delaySeconds ?? 15 }
    public var interval: Double { intervalSeconds ?? 10 }
    public var timeout: Double { timeoutSeconds ?? 20 }

    enum CodingKeys: String, CodingKey {
        case type
        case command
        case http
        case tcp
        case delaySeconds = "delay_seconds"
        case intervalSeconds = "interval_seconds"
        case timeoutSeconds = "timeout_seconds"
    }
}

/// `CheckStatusInfo`: the last result of a general check, as status updates carry it.
public struct CheckStatusInfo: Codable, Hashable, Sendable {
    public struct Command: Codable, Hashable, Sendable { public var exitCode: Int32?
        public init(exitCode: Int32?) { self.exitCode = exitCode }
        enum CodingKeys: String, CodingKey { case exitCode = "exit_code" }
    }
    public struct HTTP: Codable, Hashable, Sendable { public var statusCode: UInt32?
        public init(statusCode: UInt32?) { self.statusCode = statusCode }
        enum CodingKeys: String, CodingKey { case statusCode = "status_code" }
    }
    public struct TCP: Codable, Hashable, Sendable { public var succeeded: Bool?
        public init(succeeded: Bool?) { self.succeeded = succeeded }
    }
    public var type: String?
    public var command: Command?
    public var http: HTTP?
    public var tcp: TCP?

    public init(type: String?, command: Command? = nil, http: HTTP? = nil, tcp: TCP? = nil) {
        self.type = type; self.command = command; self.http = http; self.tcp = tcp
    }
}
