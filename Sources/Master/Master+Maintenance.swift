import HTTPSupport
import MesosAPI
import Registry

/// Mesos's maintenance primitives: a schedule puts machines in DRAINING mode (their agents'
/// offers carry the unavailability), START_MAINTENANCE takes scheduled machines DOWN (their
/// agents are shut down and removed, and none may register from them), STOP_MAINTENANCE brings
/// them back UP. Every change is stored before it takes effect. Inverse offers are not sent.
extension Master {
    /// The machine an agent runs on: the hostname it announced and the IP it serves on.
    func machine(of agent: AgentEntry) -> MachineID {
        Self.machine(hostname: agent.hostname, endpoint: agent.endpoint)
    }

    static func machine(hostname: String, endpoint: String) -> MachineID {
        let ip = endpoint.split(separator: ":").dropLast().joined(separator: ":")
        return MachineID(hostname: hostname, ip: ip)
    }

    public var maintenanceSchedule: MaintenanceSchedule { maintenance.schedule }

    /// Whether an agent announcing this machine must be turned away.
    public func isDown(hostname: String, endpoint: String) -> Bool {
        maintenance.mode(of: Self.machine(hostname: hostname, endpoint: endpoint)) == .DOWN
    }

    public func updateMaintenanceSchedule(_ schedule: MaintenanceSchedule) async -> OperatorOutcome {
        let next: MaintenanceState
        do { next = try maintenance.updating(schedule).get() } catch { return .badRequest(error.message) }
        guard await persist([.setMaintenance(next)]) else { return .unavailable("Failed to store the maintenance schedule") }
        let before = maintenance
        maintenance = next
        // Offers already out do not say the agent's machine is (or no longer is) scheduled:
        // they go back, and the next round offers them again with the news.
        for agent in agents.values where before.unavailability(of: machine(of: agent)) != next.unavailability(of: machine(of: agent)) {
            rescindOffers(on: agent.id)
        }
        requestAllocation()
        logger.info("Maintenance schedule updated: \(schedule.windows.count) window(s)")
        return .ok
    }

    public func startMaintenance(_ machines: [MachineID]) async -> OperatorOutcome {
        let next: MaintenanceState
        do { next = try maintenance.starting(machines).get() } catch { return .badRequest(error.message) }
        let doomed = agents.values.filter { next.mode(of: machine(of: $0)) == .DOWN }.map(\.id).sorted()
        guard await persist([.setMaintenance(next)] + doomed.map { .removeAgent($0) }) else {
            return .unavailable("Failed to store the maintenance")
        }
        maintenance = next
        for id in doomed where agents[id] != nil { removeForMaintenance(id) }
        logger.info("Maintenance started on \(machines.map(\.description).joined(separator: ", "))")
        return .ok
    }

    public func stopMaintenance(_ machines: [MachineID]) async -> OperatorOutcome {
        let next: MaintenanceState
        do { next = try maintenance.stopping(machines).get() } catch { return .badRequest(error.message) }
        guard await persist([.setMaintenance(next)]) else { return .unavailable("Failed to store the maintenance") }
        maintenance = next
        logger.info("Maintenance stopped on \(machines.map(\.description).joined(separator: ", "))")
        return .ok
    }

    /// The agent is told to shut down what it runs, and removed: its tasks are lost (gone by
    /// operator for partition-aware frameworks).
    private func removeForMaintenance(_ id: AgentID) {
        storedDrains[id] = nil
        storedReservations[id] = nil
        counters.agentRemovals += 1
        shutDownAndRemove(id)
    }

    /// GET_MAINTENANCE_STATUS and `/master/maintenance/status`: draining machines (with the
    /// inverse offer statuses Mesos would list; none are sent here) and the machines down.
    public var maintenanceStatusJSON: JSONValue {
        .object([
            ("draining_machines", .array(maintenance.draining.map { machine in
                .object([("id", Self.machineJSON(machine)), ("statuses", .array([]))])
            })),
            ("down_machines", .array(maintenance.down.map(Self.machineJSON))),
        ])
    }

    static func machineJSON(_ machine: MachineID) -> JSONValue {
        .object([("hostname", .string(machine.hostname ?? "")), ("ip", .string(machine.ip ?? ""))])
    }
}
