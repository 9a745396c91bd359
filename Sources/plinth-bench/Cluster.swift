import Agent
import Foundation

/// A master and an agent started as separate `plinth` processes, so each one's memory can be
/// measured on its own.
struct BenchCluster {
    let master: TaskProcessHandle
    var agent: TaskProcessHandle
    let masterAddress: String
    let workDir: String
    /// How the agent was started, to start it again on the same work directory.
    var agentRequest: SpawnRequest

    static func start(binary: String, port: Int, agentResources: String, agentFlags: [String] = [],
                      under parent: String) throws -> BenchCluster {
        let dir = (parent as NSString).appendingPathComponent("plinth-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let env = ProcessInfo.processInfo.environment
        let master = try TaskProcessHandle(spawning: SpawnRequest(
            command: .executable(path: binary, arguments: [binary, "master", "--ip=127.0.0.1", "--port=\(port)",
                                                           "--work_dir=\(dir)/master"]),
            environment: env, stdoutPath: "\(dir)/master.log", stderrPath: "\(dir)/master.log"))
        let agentRequest = SpawnRequest(
            command: .executable(path: binary, arguments: [binary, "agent", "--master=127.0.0.1:\(port)",
                                                           "--ip=127.0.0.1", "--port=\(port + 1)",
                                                           "--work_dir=\(dir)/agent", "--resources=\(agentResources)"] + agentFlags),
            environment: env, stdoutPath: "\(dir)/agent.log", stderrPath: "\(dir)/agent.log")
        let agent = try TaskProcessHandle(spawning: agentRequest)
        return BenchCluster(master: master, agent: agent, masterAddress: "127.0.0.1:\(port)", workDir: dir,
                            agentRequest: agentRequest)
    }

    /// The same agent started again (after the old process is gone).
    func restartingAgent() throws -> BenchCluster {
        var restarted = self
        restarted.agent = try TaskProcessHandle(spawning: agentRequest)
        return restarted
    }

    func stop() async {
        _ = await agent.terminate(gracePeriod: .seconds(5))
        _ = await master.terminate(gracePeriod: .seconds(5))
        try? FileManager.default.removeItem(atPath: workDir)
    }

    /// Peak resident set size (VmHWM) in MB.
    static func peakRSS(_ pid: pid_t) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return 0
    }

    /// Resident set size now (VmRSS) in MB.
    static func currentRSS(_ pid: pid_t) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (line.split(separator: " ").compactMap { Double($0) }.first ?? 0) / 1024
        }
        return 0
    }

    /// User + system CPU seconds a process has used so far.
    static func cpuSeconds(_ pid: pid_t) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The `plinth` binary beside this one.
    static func siblingBinary() -> String {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent("plinth").path
    }
}
