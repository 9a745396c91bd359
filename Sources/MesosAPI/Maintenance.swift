/// `mesos.v1.MachineID`: a machine as the operator names it. Both fields take part in matching
/// an agent, the hostname without regard to case; a missing one is the empty string.
public struct MachineID: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var hostname: String?
    public var ip: String?

    public init(hostname: String?, ip: String?) {
        self.hostname = hostname; self.ip = ip
    }

    /// The form machines are compared in.
    public var normalized: MachineID {
        MachineID(hostname: (hostname ?? "").lowercased(), ip: ip ?? "")
    }

    public var description: String { "\(hostname ?? "")/\(ip ?? "")" }

    public static func < (a: MachineID, b: MachineID) -> Bool { a.description < b.description }
}

/// `mesos.v1.Unavailability`: from `start` for `duration` (open-ended without one).
public struct Unavailability: Codable, Hashable, Sendable {
    public var start: TimeInfo
    public var duration: DurationInfo?

    public init(start: TimeInfo, duration: DurationInfo?) {
        self.start = start; self.duration = duration
    }
}

/// `mesos.v1.maintenance.Window` and `Schedule`.
public struct MaintenanceWindow: Codable, Hashable, Sendable {
    public var machineIds: [MachineID]
    public var unavailability: Unavailability

    public init(machineIds: [MachineID], unavailability: Unavailability) {
        self.machineIds = machineIds; self.unavailability = unavailability
    }

    enum CodingKeys: String, CodingKey {
        case machineIds = "machine_ids"
        case unavailability
    }
}

public struct MaintenanceSchedule: Codable, Hashable, Sendable {
    public var windows: [MaintenanceWindow]

    public init(windows: [MaintenanceWindow] = []) { self.windows = windows }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        windows = try c.decodeIfPresent([MaintenanceWindow].self, forKey: .windows) ?? []
    }

    enum CodingKeys: String, CodingKey { case windows }
}

/// The cluster's maintenance: the schedule, and which of its machines the operator took down.
/// Scheduled machines that are not down are draining. A value with Mesos's validation rules,
/// so the master only stores what these checks let through.
public struct MaintenanceState: Codable, Hashable, Sendable {
    public enum Mode: String, Sendable { case UP, DRAINING, DOWN }

    public var schedule = MaintenanceSchedule()
    /// Normalized IDs of the machines in DOWN mode.
    public var down: [MachineID] = []

    public init() {}

    public var isEmpty: Bool { schedule.windows.isEmpty && down.isEmpty }

    public func mode(of machine: MachineID) -> Mode {
        let id = machine.normalized
        if down.contains(id) { return .DOWN }
        return unavailability(of: id) == nil ? .UP : .DRAINING
    }

    /// The window a scheduled machine is in.
    public func unavailability(of machine: MachineID) -> Unavailability? {
        let id = machine.normalized
        return schedule.windows.first { $0.machineIds.contains { $0.normalized == id } }?.unavailability
    }

    public var draining: [MachineID] {
        scheduled.filter { !down.contains($0) }
    }

    private var scheduled: [MachineID] {
        schedule.windows.flatMap { $0.machineIds.map(\.normalized) }
    }

    /// UPDATE_MAINTENANCE_SCHEDULE: replaces the schedule. Machines that are down must stay in it.
    public func updating(_ schedule: MaintenanceSchedule) -> Result<MaintenanceState, MaintenanceError> {
        var seen: Set<MachineID> = []
        for window in schedule.windows {
            if window.machineIds.isEmpty { return .failure("List of machines in the maintenance window is empty") }
            if let duration = window.unavailability.duration, duration.nanoseconds < 0 {
                return .failure("Unavailability duration is negative")
            }
            for machine in window.machineIds {
                if let problem = Self.problem(machine) { return .failure(MaintenanceError(problem)) }
                if !seen.insert(machine.normalized).inserted {
                    return .failure("Machine '\(machine)' appears more than once in the schedule")
                }
            }
        }
        if let missing = down.first(where: { !seen.contains($0) }) {
            return .failure("Machine '\(missing)' is deactivated and must be present in the schedule")
        }
        var next = self
        next.schedule = schedule
        return .success(next)
    }

    /// START_MAINTENANCE: scheduled machines go DOWN.
    public func starting(_ machines: [MachineID]) -> Result<MaintenanceState, MaintenanceError> {
        if let problem = Self.checkList(machines) { return .failure(problem) }
        let scheduled = Set(self.scheduled)
        if let unknown = machines.first(where: { !scheduled.contains($0.normalized) }) {
            return .failure("Machine '\(unknown)' is not part of a maintenance schedule")
        }
        var next = self
        next.down = Array(Set(down).union(machines.map(\.normalized))).sorted()
        return .success(next)
    }

    /// STOP_MAINTENANCE: machines that are down come back UP and leave the schedule (windows
    /// left without machines go too).
    public func stopping(_ machines: [MachineID]) -> Result<MaintenanceState, MaintenanceError> {
        if let problem = Self.checkList(machines) { return .failure(problem) }
        let ids = Set(machines.map(\.normalized))
        if let notDown = ids.sorted().first(where: { !down.contains($0) }) {
            return .failure("Machine '\(notDown)' is not in DOWN mode")
        }
        var next = self
        next.down.removeAll { ids.contains($0) }
        next.schedule.windows = schedule.windows.compactMap { window in
            var window = window
            window.machineIds.removeAll { ids.contains($0.normalized) }
            return window.machineIds.isEmpty ? nil : window
        }
        return .success(next)
    }

    private static func checkList(_ machines: [MachineID]) -> MaintenanceError? {
        if machines.isEmpty { return "List of machines is empty" }
        var seen: Set<MachineID> = []
        for machine in machines {
            if let problem = problem(machine) { return MaintenanceError(problem) }
            if !seen.insert(machine.normalized).inserted { return "Machine '\(machine)' appears more than once" }
        }
        return nil
    }

    private static func problem(_ machine: MachineID) -> String? {
        if (machine.hostname ?? "").isEmpty && (machine.ip ?? "").isEmpty {
            return "A machine needs at least a hostname or an IP"
        }
        if let ip = machine.ip, !ip.isEmpty, !isIPv4(ip) { return "Machine IP '\(ip)' is not a valid IPv4 address" }
        return nil
    }

    private static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        // ASCII digits only: `isNumber` also holds for "½", which `UInt8` cannot parse.
        return parts.count == 4 && parts.allSatisfy { part in
            part.count <= 3 && part.allSatisfy { $0.isASCII && $0.isNumber } && UInt8(part) != nil
        }
    }
}

public struct MaintenanceError: Error, Equatable, Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public init(stringLiteral value: String) { message = value }
    public var description: String { message }
}
