import Foundation
import XCTest
import MesosAPI
import PlinthTestKit
import SchedulerClient

/// Health checks run by the agent for command tasks, against real servers the tasks start.
final class HealthCheckTests: ContainerTestCase {
    func fastCheck(_ type: String, failures: UInt32 = 2) -> HealthCheck {
        var check = HealthCheck(type: type)
        check.delaySeconds = 0.2
        check.intervalSeconds = 0.3
        check.timeoutSeconds = 1
        check.consecutiveFailures = failures
        check.gracePeriodSeconds = 10
        return check
    }

    func testHTTPCheckTurnsHealthyThenKillsTheTaskOnceTheServerBreaks() async throws {
        let cluster = try await InProcessCluster.start()
        addTeardownBlock { await cluster.stop() }
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        let port = Int.random(in: 31000...31999)
        let command = "python3 -m http.server \(port) --bind 127.0.0.1 >/dev/null 2>&1 & server=$!; "
            + "while [ ! -f break ]; do sleep 0.1; done; kill $server; sleep 600"
        var served = try task("served", command, on: offer, resources: "cpus:0.1;mem:64;ports:[\(port)-\(port)]")
        var check = fastCheck("HTTP")
        check.http = HealthCheck.HTTP(port: UInt32(port), path: "/")
        served.healthCheck = check
        try await connection.launch([served], offers: [offer.id])
        let healthy = try await updates.untilStatus(TaskID("served")) { $0.healthy == true }
        XCTAssertEqual(healthy.state, .TASK_RUNNING)
        XCTAssertEqual(healthy.reason, .REASON_TASK_HEALTH_CHECK_STATUS_UPDATED)
        FileManager.default.createFile(atPath: "\(try sandboxPath(cluster, task: "served"))/break", contents: nil)
        let end = try await updates.until(TaskID("served")) { $0.isTerminal }
        XCTAssertEqual(end.state, .TASK_KILLED)
        XCTAssertEqual(end.reason, .REASON_TASK_HEALTH_CHECK_STATUS_UPDATED)
        XCTAssertEqual(end.healthy, false)
    }

    func testTCPAndCommandChecks() async throws {
        let cluster = try await InProcessCluster.start()
        addTeardownBlock { await cluster.stop() }
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        let port = Int.random(in: 31000...31999)
        var listening = try task("listening", "exec python3 -m http.server \(port) --bind 127.0.0.1", on: offer,
                                 resources: "cpus:0.1;mem:64;ports:[\(port)-\(port)]")
        var tcp = fastCheck("TCP")
        tcp.tcp = HealthCheck.TCP(port: UInt32(port))
        listening.healthCheck = tcp
        var marked = try task("marked", "sleep 1; touch ready; sleep 600", on: offer)
        var command = fastCheck("COMMAND")
        command.command = CommandInfo(value: "test -f \"$MESOS_SANDBOX/ready\"")
        marked.healthCheck = command
        try await connection.launch([listening, marked], offers: [offer.id])
        for id in ["listening", "marked"] {
            let status = try await updates.untilStatus(TaskID(id)) { $0.healthy == true }
            XCTAssertEqual(status.healthy, true, id)
        }
        for id in ["listening", "marked"] {
            try await connection.kill(TaskID(id))
            let end = try await updates.until(TaskID(id)) { $0.isTerminal }
            XCTAssertEqual(end.state, .TASK_KILLED, id)
            XCTAssertNil(end.reason, id)
        }
    }

    func testGeneralCheckReportsEachChangeOfItsResult() async throws {
        let cluster = try await InProcessCluster.start()
        addTeardownBlock { await cluster.stop() }
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        var flipping = try task("flipping", "sleep 1; touch ready; sleep 1; rm ready; sleep 600", on: offer)
        var check = CheckInfo(type: "COMMAND")
        check.command = HealthCheck.Command(command: CommandInfo(value: "exit $(test -f ready && echo 0 || echo 3)"))
        check.delaySeconds = 0.1
        check.intervalSeconds = 0.2
        flipping.check = check
        try await connection.launch([flipping], offers: [offer.id])
        var codes: [Int32?] = []
        while codes.count < 3 {
            let status = try await updates.untilStatus(TaskID("flipping")) { $0.checkStatus != nil && $0.reason == .REASON_TASK_CHECK_STATUS_UPDATED }
            codes.append(status.checkStatus?.command?.exitCode)
            updates.latest[TaskID("flipping")] = nil
        }
        XCTAssertEqual(codes, [3, 0, 3])
        try await connection.kill(TaskID("flipping"))
        _ = try await updates.until(TaskID("flipping")) { $0.isTerminal }
    }
}
