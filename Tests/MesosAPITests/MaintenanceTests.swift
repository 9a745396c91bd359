import MesosAPI
import XCTest

/// The maintenance state machine: UP → DRAINING (scheduled) → DOWN (started) → UP (stopped),
/// with Mesos's validation of schedules and machine lists.
final class MaintenanceTests: XCTestCase {
    private let a = MachineID(hostname: "Host-A", ip: "10.0.0.1")
    private let b = MachineID(hostname: "host-b", ip: nil)
    private func window(_ machines: [MachineID], start: Int64 = 100) -> MaintenanceWindow {
        MaintenanceWindow(machineIds: machines,
                          unavailability: Unavailability(start: TimeInfo(nanoseconds: start), duration: DurationInfo(nanoseconds: 10)))
    }

    private func scheduled(_ machines: [MachineID]) throws -> MaintenanceState {
        try MaintenanceState().updating(MaintenanceSchedule(windows: [window(machines)])).get()
    }

    func testScheduledMachinesDrainAndMatchWithoutCase() throws {
        let state = try scheduled([a])
        XCTAssertEqual(state.mode(of: MachineID(hostname: "host-a", ip: "10.0.0.1")), .DRAINING)
        XCTAssertEqual(state.mode(of: MachineID(hostname: "host-a", ip: "10.0.0.2")), .UP, "both fields must match")
        XCTAssertEqual(state.unavailability(of: a)?.start.nanoseconds, 100)
        XCTAssertEqual(state.draining, [a.normalized])
    }

    func testStartTakesScheduledMachinesDownAndStopBringsThemBack() throws {
        var state = try scheduled([a, b])
        state = try state.starting([a]).get()
        XCTAssertEqual(state.mode(of: a), .DOWN)
        XCTAssertEqual(state.mode(of: b), .DRAINING)
        XCTAssertEqual(state.draining, [b.normalized])
        state = try state.stopping([a]).get()
        XCTAssertEqual(state.mode(of: a), .UP)
        XCTAssertEqual(state.schedule.windows.map(\.machineIds), [[b]], "a stopped machine leaves its window")
        state = try state.starting([b]).get().stopping([b]).get()
        XCTAssertTrue(state.isEmpty, "an emptied window goes")
    }

    func testScheduleValidation() throws {
        XCTAssertEqual(MaintenanceState().updating(MaintenanceSchedule(windows: [window([])])).failure,
                       "List of machines in the maintenance window is empty")
        XCTAssertNotNil(MaintenanceState().updating(MaintenanceSchedule(windows: [window([a]), window([a])])).failure)
        XCTAssertNotNil(MaintenanceState().updating(MaintenanceSchedule(windows: [window([MachineID(hostname: "", ip: nil)])])).failure)
        XCTAssertNotNil(MaintenanceState().updating(MaintenanceSchedule(windows: [window([MachineID(hostname: nil, ip: "300.1.1.1")])])).failure)
        XCTAssertNotNil(MaintenanceState().updating(MaintenanceSchedule(windows: [window([MachineID(hostname: nil, ip: "1.2.3.½")])])).failure,
                        "a digit that is not ASCII is refused, not a crash")
        let down = try scheduled([a]).starting([a]).get()
        XCTAssertEqual(down.updating(MaintenanceSchedule()).failure,
                       "Machine '\(a.normalized)' is deactivated and must be present in the schedule")
        XCTAssertNotNil(try down.updating(MaintenanceSchedule(windows: [window([a, b], start: 5)])).get().unavailability(of: b))
    }

    func testMachineListValidation() throws {
        let state = try scheduled([a])
        XCTAssertEqual(state.starting([]).failure, "List of machines is empty")
        XCTAssertNotNil(state.starting([b]).failure, "not scheduled")
        XCTAssertNotNil(state.starting([a, a]).failure, "twice")
        XCTAssertEqual(state.stopping([a]).failure, "Machine '\(a.normalized)' is not in DOWN mode")
    }

    func testWireShape() throws {
        let json = #"{"windows":[{"machine_ids":[{"hostname":"h","ip":"10.0.0.1"}],"unavailability":{"start":{"nanoseconds":5}}}]}"#
        let schedule = try WireCodec.decode(MaintenanceSchedule.self, from: Data(json.utf8))
        XCTAssertEqual(schedule.windows.first?.machineIds, [MachineID(hostname: "h", ip: "10.0.0.1")])
        XCTAssertNil(schedule.windows.first?.unavailability.duration)
        XCTAssertEqual(try WireCodec.decode(MaintenanceSchedule.self, from: Data("{}".utf8)).windows, [])
    }
}

private extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
