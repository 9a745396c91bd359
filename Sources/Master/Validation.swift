import Foundation
import MesosAPI

/// The master's input checks, as pure functions: each returns nil when the input is valid and
/// otherwise a message a person can act on. They run before any state changes, so a rejected
/// call leaves nothing half-applied.
public enum Validation {
    /// IDs become directory names in sandboxes, hence the path-safety rules.
    public static func checkID(_ value: String, kind: String) -> String? {
        if value.isEmpty { return "\(kind) must not be empty" }
        if value.utf8.count > 255 { return "\(kind) '\(value.prefix(32))...' is longer than 255 bytes" }
        if value == "." || value == ".." { return "\(kind) '\(value)' is not allowed" }
        if value.contains("/") || value.contains("\\") {
            return "\(kind) '\(value)' contains a path separator ('/' or '\\')"
        }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "\(kind) '\(value)' contains control characters"
        }
        return nil
    }

    public static func checkFrameworkInfo(_ info: FrameworkInfo, whitelist: Set<String>? = nil) -> String? {
        if let id = info.id, let problem = checkID(id.value, kind: "Framework ID") { return problem }
        let multiRole = info.hasCapability("MULTI_ROLE")
        if !multiRole, let roles = info.roles, !roles.isEmpty {
            return "'FrameworkInfo.roles' may only be set with the MULTI_ROLE capability"
        }
        if multiRole, info.role != nil {
            return "'FrameworkInfo.role' must not be set with the MULTI_ROLE capability; use 'roles'"
        }
        let roles = frameworkRoles(info)
        if Set(roles).count != roles.count { return "'FrameworkInfo.roles' contains duplicate roles" }
        for role in roles {
            if let problem = RoleName.check(role) { return problem }
            if let whitelist, role != "*", !whitelist.contains(role) {
                return "Role '\(role)' is not present in the master's --roles"
            }
        }
        if let timeout = info.failoverTimeout, !(timeout.isFinite && timeout >= 0) {
            return "'FrameworkInfo.failover_timeout' must be a non-negative number of seconds"
        }
        return nil
    }

    public static func frameworkRoles(_ info: FrameworkInfo) -> [String] {
        if info.hasCapability("MULTI_ROLE") { return info.roles ?? [] }
        return [info.role ?? "*"]
    }

    /// A task inside ACCEPT, checked in Mesos's order; `offered` is what the accepted offers still
    /// hold after earlier operations of the same call.
    /// `runningExecutor` is the ExecutorInfo of an executor with the task's executor ID already
    /// on the agent: the task joins it, so its info must match and its resources are not needed again.
    public static func checkTask(_ task: TaskInfo, offerAgent: AgentID, offered: Resources,
                                 runningExecutor: ExecutorInfo? = nil,
                                 isKnownTask: (TaskID) -> Bool) -> String? {
        if let problem = checkID(task.taskId.value, kind: "Task ID") { return problem }
        if isKnownTask(task.taskId) { return "Task has duplicate ID: \(task.taskId.value)" }
        if task.agentId != offerAgent {
            return "Agent \(task.agentId.value) is invalid: the offer is for agent \(offerAgent.value)"
        }
        if let grace = task.killPolicy?.gracePeriod, grace.nanoseconds < 0 {
            return "Task's 'kill_policy.grace_period' must be non-negative"
        }
        if let max = task.maxCompletionTime, max.nanoseconds < 0 {
            return "Task's 'max_completion_time' must be non-negative"
        }
        if let check = task.healthCheck, let problem = checkHealthCheck(check) { return "Task's 'health_check' is invalid: \(problem)" }
        if let check = task.check, let problem = checkCheck(check) { return "Task's 'check' is invalid: \(problem)" }
        let resources = task.resources ?? []
        if resources.isEmpty { return "Task \(task.taskId.value) uses no resources" }
        if let problem = checkResources(resources) { return "Task uses invalid resources: \(problem)" }
        if (task.command == nil) == (task.executor == nil) {
            return "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present"
        }
        if let command = task.command, let problem = checkCommand(command) { return problem }
        if let executor = task.executor {
            if let problem = checkID(executor.executorId.value, kind: "Executor ID") { return problem }
            if executor.command == nil { return "Executor of type CUSTOM must have 'command' set" }
            if let type = executor.type, type != "CUSTOM" {
                return "Executor of type \(type) is not supported; use a CUSTOM executor or a command task"
            }
            if let problem = checkResources(executor.resources ?? []) { return "Executor uses invalid resources: \(problem)" }
            if let running = runningExecutor, running.command != executor.command || running.resources != executor.resources {
                return "ExecutorInfo is not compatible with ExecutorInfo of the running executor \(executor.executorId.value)"
            }
        }
        var needed = resources.normalized
        if let executor = task.executor, runningExecutor == nil {
            needed += (executor.resources ?? []).normalized
        }
        if !offered.contains(needed) {
            return "Task uses more resources \(needed) than available \(offered)"
        }
        return nil
    }

    /// Mesos's health check rules: a type with its matching part, an HTTP path from the root, a
    /// scheme it can speak, and no negative durations.
    static func checkHealthCheck(_ check: HealthCheck) -> String? {
        if let scheme = check.http?.scheme, scheme != "http" { return "Unsupported HTTP health check scheme: '\(scheme)'" }
        return checkProbe("health check", type: check.type, command: check.command, http: check.http,
                          hasTCP: check.tcp != nil,
                          durations: [check.delaySeconds, check.intervalSeconds, check.timeoutSeconds, check.gracePeriodSeconds])
    }

    /// `CheckInfo`: the same rules as a health check's.
    static func checkCheck(_ check: CheckInfo) -> String? {
        checkProbe("check", type: check.type, command: check.command?.command, http: check.http, hasTCP: check.tcp != nil,
                   durations: [check.delaySeconds, check.intervalSeconds, check.timeoutSeconds])
    }

    private static func checkProbe(_ kind: String, type: String?, command: CommandInfo?, http: HealthCheck.HTTP?,
                                   hasTCP: Bool, durations: [Double?]) -> String? {
        switch type {
        case "COMMAND"?:
            guard let command else { return "Expecting 'command' to be set for COMMAND \(kind)" }
            if let problem = checkCommand(command) { return problem }
        case "HTTP"?:
            guard let http else { return "Expecting 'http' to be set for HTTP \(kind)" }
            if let path = http.path, !path.hasPrefix("/") { return "The path '\(path)' of HTTP \(kind) must start with '/'" }
        case "TCP"?:
            if !hasTCP { return "Expecting 'tcp' to be set for TCP \(kind)" }
        case let other?:
            return "Unsupported \(kind) type \(other)"
        case nil:
            return "The \(kind) must specify 'type'"
        }
        if durations.contains(where: { ($0 ?? 0) < 0 }) { return "Expecting the \(kind)'s durations to be non-negative" }
        return nil
    }

    /// RESERVE: dynamic reservations, each for one of the framework's roles (or a role below
    /// one), whose source — the resources minus their newest reservation — is on offer.
    /// Returns the source to take from the offer, or the problem.
    public static func checkReserve(_ resources: [Resource], roles: [String], principal: String?,
                                    offered: Resources) -> Result<Resources, ReservationProblem> {
        if let problem = checkReservationTargets(resources, call: "RESERVE") { return .failure(.init(problem)) }
        for resource in resources {
            guard let newest = resource.reservations?.last, let role = newest.role else { continue }
            if !roles.contains(where: { RoleName.isInSubtree(role, of: $0) }) {
                return .failure(.init("A reservation for role '\(role)' is not allowed: the framework's roles are \(roles)"))
            }
            if let principal, let given = newest.principal, given != principal {
                return .failure(.init("A reservation's principal '\(given)' differs from the framework's principal '\(principal)'"))
            }
        }
        let source = Resources(resources.map(\.poppedReservation))
        guard offered.contains(source) else {
            return .failure(.init("The resources to reserve (\(source)) are not in the offer (\(offered))"))
        }
        return .success(source)
    }

    /// What any reservation request must be, from a framework or an operator: valid resources,
    /// each with a newest reservation that is dynamic and for a valid role other than `*`.
    public static func checkReservationTargets(_ resources: [Resource], call: String) -> String? {
        if resources.isEmpty { return "\(call) must name the resources to reserve" }
        if let problem = checkResources(resources) { return "Invalid resources to reserve: \(problem)" }
        for resource in resources {
            guard let newest = resource.reservations?.last, newest.type == .DYNAMIC, let role = newest.role else {
                return "Resource '\(resource.name)' to reserve has no dynamic reservation"
            }
            if let problem = RoleName.check(role) { return problem }
            if role == "*" { return "Resources cannot be reserved for the default role '*'" }
        }
        return nil
    }

    /// UNRESERVE: dynamically reserved resources that are on offer.
    public static func checkUnreserve(_ resources: [Resource], offered: Resources) -> String? {
        if resources.isEmpty { return "UNRESERVE must name the resources to unreserve" }
        for resource in resources where !resource.isDynamicallyReserved {
            return "Resource '\(resource.name)' to unreserve is not dynamically reserved"
        }
        guard offered.contains(Resources(resources)) else {
            return "The resources to unreserve (\(Resources(resources))) are not in the offer (\(offered))"
        }
        return nil
    }

    public static func checkResources(_ resources: [Resource]) -> String? {
        Resources.validate(resources)
    }

    public static func checkCommand(_ command: CommandInfo) -> String? {
        if command.isShell, (command.value ?? "").isEmpty {
            return "Command of a shell task must have a non-empty 'value'"
        }
        if !command.isShell, (command.value ?? "").isEmpty {
            return "Command with 'shell: false' must name the executable in 'value'"
        }
        for variable in command.environment?.variables ?? [] {
            switch variable.type ?? "VALUE" {
            case "VALUE":
                if variable.value == nil {
                    return "Environment variable '\(variable.name)' of type 'VALUE' must have a value set"
                }
            case "SECRET":
                return "Environment variable '\(variable.name)': secrets are not supported yet"
            default:
                return "Environment variable '\(variable.name)' has an unknown type"
            }
        }
        return nil
    }

    /// Acknowledgement UUIDs must be 16 bytes carrying a valid UUID version nibble.
    public static func checkUUID(_ base64: String) -> String? {
        guard let bytes = decodeBase64(base64), bytes.count == 16 else { return "Not a valid UUID" }
        let version = bytes[6] >> 4
        guard (1...5).contains(version) else { return "Not a valid UUID" }
        return nil
    }

    public static func decodeBase64(_ text: String) -> [UInt8]? {
        var trimmed = text.filter { !$0.isWhitespace }
        if let eq = trimmed.firstIndex(of: "=") { trimmed = String(trimmed[..<eq]) }
        while trimmed.count % 4 != 0 { trimmed += "=" }
        return Data(base64Encoded: trimmed).map(Array.init)
    }
}

public struct ReservationProblem: Error, Equatable {
    public let message: String
    init(_ message: String) { self.message = message }
}

extension Resource {
    /// The resource as it was before its newest reservation.
    public var poppedReservation: Resource {
        var r = self
        r.reservations?.removeLast()
        if r.reservations?.isEmpty ?? false { r.reservations = nil }
        return r
    }
}
