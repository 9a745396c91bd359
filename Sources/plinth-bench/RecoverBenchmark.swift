import Agent
import ArgumentParser
import AsyncHTTPClient
import Foundation
import HTTPSupport
import MesosAPI
import SchedulerClient

/// `plinth-bench recover`: an agent with N running tasks of a checkpointing framework is killed
/// with SIGKILL and started again; how long until the master has it back with every task, and
/// how many tasks survived with their processes.
struct RecoverBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover", abstract: "Kill -9 an agent running N tasks, restart it, and time its recovery.")

    @Option(name: .customLong("tasks")) var tasks: Int = 1000
    @Option(name: .customLong("port")) var port: Int = 15150
    @Option(name: .customLong("agent-resources")) var agentResources = "cpus:64;mem:65536;disk:10000;ports:[31000-32000]"
    @Option(name: .customLong("task-resources")) var taskResources = "cpus:0.01;mem:1"
    @Option(name: .customLong("plinth"), help: "The plinth binary (default: the one beside this benchmark).")
    var plinth: String?
    @Option(name: .customLong("work_dir"), help: "Where the master's and agent's work directories go (default: $TMPDIR).")
    var workDir: String?

    func run() async throws {
        var cluster = try BenchCluster.start(binary: plinth ?? BenchCluster.siblingBinary(), port: port,
                                             agentResources: agentResources, under: workDir ?? NSTemporaryDirectory())
        say("work dir: \(cluster.workDir)")
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let probe = MasterProbe(master: cluster.masterAddress, client: StreamingClient(http: http))
        var line = "recover: tasks=\(tasks) recovered=0 lost=\(tasks) restart_to_reregistered_ms=-1"
        var leftovers: [pid_t] = []
        do {
            guard let agentID = try await probe.activeAgent(after: 0, timeout: .seconds(20)) else {
                throw BenchError("the agent did not register")
            }
            let client = SchedulerClient(master: cluster.masterAddress, http: http)
            var info = FrameworkInfo(user: "", name: "plinth-bench-recover")
            info.checkpoint = true
            let run = RecoverRun(tasks: tasks, resources: try Resources.parse(taskResources))
            let connection = try await client.subscribe(info)
            let pids = try await run.launchAll(connection)
            leftovers = Array(pids.values)
            say("running: \(pids.count) tasks, agent RSS \(fmt(BenchCluster.currentRSS(cluster.agent.pid))) MB")
            // Let the last acknowledgements reach the agent, so the restart has no updates to resend.
            try await Task.sleep(for: .milliseconds(500))

            kill(cluster.agent.pid, SIGKILL)
            _ = await cluster.agent.waitForExit()
            let killedAt = Date().timeIntervalSince1970
            let clock = ContinuousClock()
            let restart = clock.now
            cluster = try cluster.restartingAgent()
            guard try await probe.activeAgent(after: killedAt, timeout: .seconds(30)) == agentID else {
                throw BenchError("the agent did not re-register under its ID \(agentID)")
            }
            let elapsed = clock.now - restart
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            // Updates a failed recovery would cause (lost, failed) have a moment to arrive.
            try await Task.sleep(for: .seconds(1))
            let running = try await probe.runningTasks(on: agentID)
            let alive = pids.filter { running.contains($0.key) && ProcessAlive.check($0.value) }.count
            let lost = await run.endedCount()
            say("agent restarted: RSS \(fmt(BenchCluster.currentRSS(cluster.agent.pid))) MB, CPU \(fmt(BenchCluster.cpuSeconds(cluster.agent.pid))) s")
            line = "recover: tasks=\(tasks) recovered=\(alive) lost=\(lost) restart_to_reregistered_ms=\(Int(ms.rounded()))"
            try? await connection.teardown()
            run.stop()
        } catch {
            say("benchmark failed: \(error)")
        }
        try? await http.shutdown()
        await cluster.stop()
        // A stopped agent leaves a checkpointing framework's tasks running, as it should.
        for pid in leftovers { killpg(pid, SIGKILL) }
        say(line)
    }
}

/// The framework side: launches every task, acknowledges every update, and counts tasks that
/// end (a recovered task does not).
final class RecoverRun: @unchecked Sendable {
    let tasks: Int
    let resources: Resources
    private let lock = NSLock()
    private var ended = Set<TaskID>()
    private var consumer: Task<Void, Never>?

    init(tasks: Int, resources: Resources) {
        self.tasks = tasks
        self.resources = resources
    }

    /// Returns each task's pid once all run; events keep being consumed afterwards.
    func launchAll(_ connection: SchedulerConnection) async throws -> [TaskID: pid_t] {
        let (stream, continuation) = AsyncStream<[TaskID: pid_t]>.makeStream()
        consumer = Task { [self] in
            var launched = 0
            var pids: [TaskID: pid_t] = [:]
            do {
                for try await event in connection.events {
                    switch event.type {
                    case .OFFERS:
                        launched += try await launchLongRunning(event.offers?.offers ?? [], on: connection,
                                                                each: resources, command: "sleep 100000", prefix: "r",
                                                                from: launched, upTo: tasks).count
                    case .UPDATE:
                        guard let status = event.update?.status else { continue }
                        Task { try? await connection.acknowledge(status) }
                        if status.state == .TASK_RUNNING, let pid = status.containerStatus?.executorPid, pids.count < tasks {
                            pids[status.taskId] = pid_t(pid)
                            if pids.count == tasks { continuation.yield(pids) }
                        }
                        if status.state.isTerminal { lock.withLock { _ = ended.insert(status.taskId) } }
                    default:
                        continue
                    }
                }
            } catch {}
            continuation.finish()
        }
        for await pids in stream { return pids }
        throw BenchError("the master closed the stream before every task ran")
    }

    func endedCount() async -> Int { lock.withLock { ended.count } }

    func stop() { consumer?.cancel() }
}

/// Reads the master's view over HTTP, as an operator would.
struct MasterProbe {
    let master: String
    let client: StreamingClient

    /// The ID of an active agent that (re)registered after `time`, once there is one.
    func activeAgent(after time: Double, timeout: Duration) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let reply = try? await client.get(url: "http://\(master)/master/slaves"),
               let json = try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any],
               let agents = json["slaves"] as? [[String: Any]] {
                for agent in agents where agent["active"] as? Bool == true {
                    let registered = (agent["reregistered_time"] as? Double) ?? (agent["registered_time"] as? Double) ?? 0
                    if registered >= time, let id = agent["id"] as? String { return id }
                }
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    func runningTasks(on agent: String) async throws -> Set<TaskID> {
        let reply = try await client.get(url: "http://\(master)/master/state")
        guard let json = try JSONSerialization.jsonObject(with: reply.body) as? [String: Any],
              let frameworks = json["frameworks"] as? [[String: Any]] else { return [] }
        var running = Set<TaskID>()
        for framework in frameworks {
            for task in framework["tasks"] as? [[String: Any]] ?? []
            where task["state"] as? String == "TASK_RUNNING" && task["slave_id"] as? String == agent {
                if let id = task["id"] as? String { running.insert(TaskID(id)) }
            }
        }
        return running
    }
}

enum ProcessAlive {
    static func check(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 }
}
