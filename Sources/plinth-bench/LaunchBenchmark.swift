import Agent
import ArgumentParser
import AsyncHTTPClient
import Foundation
import HTTPSupport
import MesosAPI
import SchedulerClient

/// `plinth-bench launch`: end-to-end task throughput through the v1 API, against this machine's
/// raw rate of spawning and reaping the same command serially.
struct LaunchBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch", abstract: "Launch N trivial tasks through a master and an agent.")

    @Option(name: .customLong("tasks")) var tasks: Int = 1000
    @Option(name: .customLong("command")) var command: String = "true"
    @Option(name: .customLong("port")) var port: Int = 15050
    @Option(name: .customLong("agent-resources")) var agentResources = "cpus:8;mem:8192;disk:10000;ports:[31000-32000]"
    @Option(name: .customLong("task-resources")) var taskResources = "cpus:0.1;mem:32"
    @Option(name: .customLong("plinth"), help: "The plinth binary (default: the one beside this benchmark).")
    var plinth: String?
    @Option(name: .customLong("work_dir"),
            help: "Where the master's and agent's work directories go (default: $TMPDIR). Sandboxes are created here, so the file system matters.")
    var workDir: String?
    @Option(name: .customLong("isolation"),
            help: "The agent's --isolation. When given, the benchmark then starts as many long-running containers, kills them all and reports how long destroying them took.")
    var isolation: String?
    @Option(name: .customLong("cgroups_enable_cfs")) var enableCFS: String?
    @Option(name: .customLong("protocol"), help: "json (the v1 HTTP API) or native (libprocess messages, as libmesos's driver).")
    var wire: String = "json"

    func run() async throws {
        guard ["json", "native"].contains(wire) else { throw ValidationError("--protocol must be json or native") }
        let raw = measureRawSpawnRate(command: command, count: min(tasks, 1000))
        say("raw: \(fmt(raw)) spawns/s (\(min(tasks, 1000)) serial spawns of '\(command)')")
        var flags = isolation.map { ["--isolation=\($0)"] } ?? []
        if let enableCFS { flags.append("--cgroups_enable_cfs=\(enableCFS)") }
        let cluster = try BenchCluster.start(binary: plinth ?? BenchCluster.siblingBinary(), port: port,
                                             agentResources: agentResources, agentFlags: flags,
                                             under: workDir ?? NSTemporaryDirectory())
        say("work dir: \(cluster.workDir)")
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let probe = MasterProbe(master: cluster.masterAddress, client: StreamingClient(http: http))
            guard try await probe.activeAgent(after: 0, timeout: .seconds(10)) != nil else {
                throw BenchError("the agent did not register within 10 s")
            }
            let result = try await LaunchRun(tasks: tasks, command: command,
                                             resources: try Resources.parse(taskResources), native: wire == "native")
                .run(master: cluster.masterAddress, http: http)
            let masterRSS = BenchCluster.peakRSS(cluster.master.pid)
            let agentRSS = BenchCluster.peakRSS(cluster.agent.pid)
            let rate = Double(result.finished) / result.seconds
            say("tasks: \(result.finished) finished, \(result.failed) not finished, in \(fmt(result.seconds)) s")
            say("accept-to-running latency: p50=\(fmt(result.p50 * 1000)) ms p99=\(fmt(result.p99 * 1000)) ms")
            say("peak RSS: master \(fmt(masterRSS)) MB, agent \(fmt(agentRSS)) MB")
            say("CPU: master \(fmt(BenchCluster.cpuSeconds(cluster.master.pid))) s, agent \(fmt(BenchCluster.cpuSeconds(cluster.agent.pid))) s, benchmark \(fmt(BenchCluster.cpuSeconds(getpid()))) s (the benchmark's includes the raw spawns)")
            say("launch: \(fmt(rate)) tasks/s end-to-end, \(fmt(raw)) spawns/s raw, ratio=\(String(format: "%.3f", rate / raw))")
            if isolation != nil {
                // Each long-running container asks for an equal slice of the same agent, so all
                // of them run at once (cgroup limits have floors of their own).
                let agent = try Resources.parse(agentResources)
                let slice = Resources([.scalar("cpus", (agent.scalar("cpus") / Double(tasks) * 1000).rounded(.down) / 1000),
                                       .scalar("mem", (agent.scalar("mem") / Double(tasks)).rounded(.down))])
                let destroy = try await DestroyRun(tasks: tasks, resources: slice)
                    .run(master: cluster.masterAddress, http: http) {
                        say("running: \(tasks) containers, agent RSS \(fmt(BenchCluster.currentRSS(cluster.agent.pid))) MB")
                    }
                say("destroy: \(destroy.killed) containers in \(String(format: "%.2f", destroy.seconds)) s")
            }
        } catch {
            say("benchmark failed: \(error)")
        }
        try? await http.shutdown()
        await cluster.stop()
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
