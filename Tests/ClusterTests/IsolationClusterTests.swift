import Foundation
import XCTest
import Agent
import Isolation
import MesosAPI
import PlinthTestKit
import SchedulerClient

/// Containers with real cgroups and namespaces, through a master and an agent in this process.
/// Each test needs a root agent and the host's cgroup controllers; where they are missing the
/// test is skipped with the agent's own start-up error as the reason.
class ContainerTestCase: XCTestCase {
    func cluster(_ isolation: String, resources: String = "cpus:4;mem:4096;disk:1000;ports:[31000-32000]",
                 configure: @escaping (inout AgentConfig) -> Void = { _ in }) async throws -> InProcessCluster {
        try XCTSkipUnless(geteuid() == 0, "containers with cgroups and namespaces need root")
        do {
            let isolators = try IsolationConfig.parse(isolation)
            let cluster = try await InProcessCluster.start(resources: resources) { config in
                config.isolation.isolators = isolators
                config.isolation.cgroupsRoot = "plinth-test-\(getpid())"
                configure(&config)
            }
            addTeardownBlock { await cluster.stop() }
            return cluster
        } catch let error as IsolationError {
            print("Skipping: the agent refuses --isolation=\(isolation) here: \(error)")
            throw XCTSkip("--isolation=\(isolation) is unusable here: \(error)")
        }
    }

    func task(_ id: String, _ command: String, on offer: Offer, resources: String = "cpus:0.1;mem:64") throws -> TaskInfo {
        TaskInfo(name: id, taskId: TaskID(id), agentId: offer.agentId,
                 resources: try Resources.parse(resources).resources, command: CommandInfo(value: command))
    }

    // MARK: helpers

    func number(_ value: Any?) -> Double { (value as? NSNumber)?.doubleValue ?? -1 }

    /// This process's own cgroup in the v1 pids hierarchy, under which the test agent made its own.
    static func pidsCgroup() throws -> String {
        let text = try String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)
        let own = text.split(separator: "\n").first { $0.split(separator: ":").dropFirst().first == "pids" }
            .map { String($0.split(separator: ":", maxSplits: 2)[2]) } ?? "/"
        return "/sys/fs/cgroup/pids" + (own == "/" ? "" : own)
    }

    static func processes(sleeping marker: String) -> [pid_t] {
        ProcessTable.snapshot().compactMap { entry in
            let cmdline = (try? String(contentsOfFile: "/proc/\(entry.pid)/cmdline", encoding: .utf8)) ?? ""
            return cmdline == "sleep\u{0}\(marker)\u{0}" ? entry.pid : nil
        }
    }

    func get(_ cluster: InProcessCluster, _ path: String) async throws -> (Int, Data) {
        let response = try await cluster.http.get(url: "http://\(cluster.agentAddress)\(path)").get()
        let data = response.body.map { Data($0.readableBytesView) } ?? Data()
        return (Int(response.status.code), data)
    }

    func statistics(_ cluster: InProcessCluster, task: String) async throws -> [String: Any] {
        let (_, body) = try await get(cluster, "/monitor/statistics")
        let entries = try JSONSerialization.jsonObject(with: body) as? [[String: Any]] ?? []
        let entry = try XCTUnwrap(entries.first { $0["executor_id"] as? String == task })
        return entry["statistics"] as? [String: Any] ?? [:]
    }

    func cpuSeconds(_ cluster: InProcessCluster, task: String) async throws -> Double {
        let stats = try await statistics(cluster, task: task)
        return number(stats["cpus_user_time_secs"]) + number(stats["cpus_system_time_secs"])
    }

    func read(_ cluster: InProcessCluster, _ path: String) async throws -> String {
        let (_, body) = try await get(cluster, "/files/read?path=\(path)")
        return (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["data"] as? String ?? ""
    }

    func sandboxPath(_ cluster: InProcessCluster, task: String) throws -> String {
        let executor = "\(cluster.workDir)/slaves"
        let found = FileManager.default.enumerator(atPath: executor)?.compactMap { $0 as? String }
            .first { $0.contains("/executors/\(task)/runs/") && $0.hasSuffix("/stdout") }
        return "\(executor)/\(try XCTUnwrap(found).dropLast("/stdout".count))"
    }

    func stdout(_ cluster: InProcessCluster, task: String) throws -> String {
        try String(contentsOfFile: "\(try sandboxPath(cluster, task: task))/stdout", encoding: .utf8)
    }
}

final class IsolationClusterTests: ContainerTestCase {
    func testMemoryHogFailsWithTheMemoryReasonWhileItsNeighbourRuns() async throws {
        let cluster = try await cluster("cgroups/mem,cgroups/cpu")
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        // `tail` keeps a whole newline-free input in memory: 512 MiB of it.
        let hog = "head -c 536870912 /dev/zero | tail; sleep 30"
        try await connection.launch([try task("calm", "sleep 60", on: offer), try task("hog", hog, on: offer)],
                                    offers: [offer.id])
        let failed = try await updates.until(TaskID("hog")) { $0.isTerminal }
        XCTAssertEqual(failed.state, .TASK_FAILED)
        XCTAssertEqual(failed.reason, .REASON_CONTAINER_LIMITATION_MEMORY)
        XCTAssertEqual(failed.source, .SOURCE_AGENT)
        XCTAssertTrue(failed.message?.contains("Memory limit exceeded: Requested: 64MB") ?? false, failed.message ?? "")
        XCTAssertEqual(failed.limitation?.resources, [.scalar("mem", 64)])
        _ = try await updates.until(TaskID("calm")) { $0 == .TASK_RUNNING }
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertEqual(updates.latest[TaskID("calm")]?.state, .TASK_RUNNING)
        try await connection.kill(TaskID("calm"))
        let calm = try await updates.until(TaskID("calm")) { $0.isTerminal }
        XCTAssertEqual(calm.state, .TASK_KILLED)
    }

    func testCFSQuotaHoldsTwoBusyLoopsToHalfACore() async throws {
        let cluster = try await cluster("cgroups/cpu,cgroups/mem") { $0.isolation.enableCFS = true }
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        let burn = "while :; do :; done & while :; do :; done"
        try await connection.launch([try task("burn", burn, on: offer, resources: "cpus:0.5;mem:64")], offers: [offer.id])
        _ = try await updates.until(TaskID("burn")) { $0 == .TASK_RUNNING }
        try await Task.sleep(for: .milliseconds(500))
        let first = try await cpuSeconds(cluster, task: "burn")
        let start = ContinuousClock.now
        try await Task.sleep(for: .seconds(3))
        let second = try await cpuSeconds(cluster, task: "burn")
        let elapsed = ContinuousClock.now - start
        let cores = (second - first) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        print("cpus 0.5 with CFS: two busy loops used \(String(format: "%.2f", cores)) cores")
        XCTAssertGreaterThan(cores, 0.3)
        XCTAssertLessThan(cores, 0.7)
        try await connection.kill(TaskID("burn"))
        _ = try await updates.until(TaskID("burn")) { $0.isTerminal }
    }

    func testForkBombIsContainedAndTheAgentStaysResponsive() async throws {
        let cluster = try await cluster("cgroups/pids,cgroups/mem") { $0.isolation.pidsMax = 64 }
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        let bomb = "bomb() { bomb | bomb & }; bomb 2>/dev/null; sleep 60"
        try await connection.launch([try task("bomb", bomb, on: offer)], offers: [offer.id])
        let running = try await updates.until(TaskID("bomb")) { $0 == .TASK_RUNNING }
        try await Task.sleep(for: .seconds(1))
        let start = ContinuousClock.now
        let (status, _) = try await get(cluster, "/health")
        XCTAssertEqual(status, 200)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(1))
        let stats = try await statistics(cluster, task: "bomb")
        XCTAssertLessThanOrEqual(number(stats["processes"]), 64)
        // The kernel refused forks at the limit: the bomb really went off, and was held.
        let container = try XCTUnwrap(running.containerStatus?.containerId?.value)
        let events = try String(contentsOfFile: "\(try Self.pidsCgroup())/plinth-test-\(getpid())/\(container)/pids.events", encoding: .utf8)
        XCTAssertNotEqual(events.trimmingCharacters(in: .whitespacesAndNewlines), "max 0", events)
        try await connection.kill(TaskID("bomb"))
        let end = try await updates.until(TaskID("bomb")) { $0.isTerminal }
        XCTAssertEqual(end.state, .TASK_KILLED)
    }

    func testKillLeavesNoProcessBehindEvenADaemon() async throws {
        let cluster = try await cluster("cgroups/pids")
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        let marker = "\(1000 + Int.random(in: 1...8000))"
        let command = "setsid sleep \(marker) & sleep \(marker) & sleep \(marker)"
        try await connection.launch([try task("daemons", command, on: offer)], offers: [offer.id])
        _ = try await updates.until(TaskID("daemons")) { $0 == .TASK_RUNNING }
        for _ in 0..<50 where Self.processes(sleeping: marker).count < 3 { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertEqual(Self.processes(sleeping: marker).count, 3)
        try await connection.kill(TaskID("daemons"))
        let end = try await updates.until(TaskID("daemons")) { $0.isTerminal }
        XCTAssertEqual(end.state, .TASK_KILLED)
        XCTAssertEqual(Self.processes(sleeping: marker), [], "processes left behind in /proc")
    }

    func testPIDNamespaceShowsTheTaskAsInitsChild() async throws {
        let cluster = try await cluster("namespaces/pid")
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        let command = "echo \"pid=$$ ppid=$PPID\"; ls -d /proc/[0-9]* | wc -l; test -e /proc/\(getpid()) && echo agent-visible || echo agent-hidden"
        try await connection.launch([try task("ns", command, on: offer)], offers: [offer.id])
        let end = try await updates.until(TaskID("ns")) { $0.isTerminal }
        XCTAssertEqual(end.state, .TASK_FINISHED, end.message ?? "")
        let lines = try stdout(cluster, task: "ns").split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "pid=2 ppid=1")
        XCTAssertLessThanOrEqual(Int(lines.dropFirst().first ?? "") ?? 99, 4)
        XCTAssertEqual(lines.last, "agent-hidden")
    }

    func testFailedTaskCarriesTheTailOfItsStderr() async throws {
        let cluster = try await InProcessCluster.start()
        addTeardownBlock { await cluster.stop() }
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        let command = "for i in $(seq 1 200); do echo noise $i >&2; done; echo 'cannot open config.yml' >&2; exit 3"
        try await connection.launch([try task("oops", command, on: offer)], offers: [offer.id])
        let end = try await updates.until(TaskID("oops")) { $0.isTerminal }
        XCTAssertEqual(end.state, .TASK_FAILED)
        let message = end.message ?? ""
        XCTAssertTrue(message.hasPrefix("Command exited with status 3"), message)
        XCTAssertTrue(message.hasSuffix("cannot open config.yml"), message)
        XCTAssertLessThan(message.utf8.count, 700)
    }

    func testStatisticsAndSandboxFiles() async throws {
        let cluster = try await InProcessCluster.start()
        addTeardownBlock { await cluster.stop() }
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        let command = "ln -s /etc escape; i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.05; done"
        try await connection.launch([try task("ticker", command, on: offer)], offers: [offer.id])
        _ = try await updates.until(TaskID("ticker")) { $0 == .TASK_RUNNING }
        try await Task.sleep(for: .milliseconds(300))
        let stats = try await statistics(cluster, task: "ticker")
        print("ticker statistics: \(stats)")
        XCTAssertGreaterThan(number(stats["mem_rss_bytes"]), 0)
        XCTAssertNotNil(stats["cpus_user_time_secs"])
        XCTAssertEqual(number(stats["cpus_limit"]), 0.1)
        let sandbox = try sandboxPath(cluster, task: "ticker")
        let first = try await read(cluster, "\(sandbox)/stdout")
        try await Task.sleep(for: .milliseconds(300))
        let second = try await read(cluster, "\(sandbox)/stdout")
        XCTAssertTrue(second.hasPrefix(first) && second.count > first.count, "stdout did not grow")
        let (dots, _) = try await get(cluster, "/files/read?path=\(sandbox)/../../../../../../../etc/passwd")
        XCTAssertEqual(dots, 400)
        let (link, _) = try await get(cluster, "/files/read?path=\(sandbox)/escape/passwd")
        XCTAssertEqual(link, 404)
        let (browse, listing) = try await get(cluster, "/files/browse?path=\(sandbox)")
        XCTAssertEqual(browse, 200)
        let names = (try JSONSerialization.jsonObject(with: listing) as? [[String: Any]])?.compactMap { $0["path"] as? String }
        XCTAssertEqual(names, ["\(sandbox)/escape", "\(sandbox)/stderr", "\(sandbox)/stdout"])
        try await connection.kill(TaskID("ticker"))
        _ = try await updates.until(TaskID("ticker")) { $0.isTerminal }
    }
}

/// Every task's updates as they come, so a test can wait for one task while another runs.
struct Updates {
    var reader: EventReader
    var latest: [TaskID: TaskStatus] = [:]

    init(_ reader: EventReader) { self.reader = reader }

    mutating func until(_ task: TaskID, _ done: (TaskState) -> Bool) async throws -> TaskStatus {
        try await untilStatus(task) { done($0.state) }
    }

    mutating func untilStatus(_ task: TaskID, _ done: (TaskStatus) -> Bool) async throws -> TaskStatus {
        if let status = latest[task], done(status) { return status }
        while true {
            let event = try await reader.next()
            reader.pendingOffers += event.offers?.offers ?? []
            guard let status = event.update?.status else { continue }
            latest[status.taskId] = status
            if status.taskId == task && done(status) { return status }
        }
    }
}
