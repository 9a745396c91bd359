import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MesosAPI

/// One command task on this agent, as the agent's built-in command executor runs it.
struct CommandTask: Sendable {
    var info: TaskInfo
    var frameworkID: FrameworkID
    var containerID: ContainerID
    var sandbox: String
    var state: TaskState = .TASK_STAGING
    var handle: TaskProcessHandle?
    var killRequested = false
    var container: TaskContainer?
    /// Set for a task that a custom executor or the default executor runs; nil for a command task.
    var executorID: ExecutorID?
    /// The task group a default-executor task was launched in.
    var taskGroup: String?
    /// The loop running the task's health check, cancelled when the task ends.
    var healthChecker: Task<Void, Never>?
    var checker: Task<Void, Never>?
    var killedByHealthCheck = false
    /// The first process, for a checkpointing framework: what a restarted agent re-attaches to.
    var process: ProcessIdentity?

    var key: StatusUpdateManager.Key { .init(framework: frameworkID, task: info.taskId) }
}

/// Builds what a command task needs to start: its sandbox (Mesos's directory layout) and the
/// process request with the `MESOS_*` environment.
struct SandboxLayout: Sendable {
    let workDir: String

    func sandbox(agent: AgentID, framework: FrameworkID, executor: ExecutorID, container: ContainerID) -> String {
        "\(workDir)/slaves/\(agent.value)/frameworks/\(framework.value)/executors/\(executor.value)/runs/\(container.value)"
    }

    /// Creates the sandbox directory. Only the last levels are new for a task, so the direct
    /// `mkdir` usually succeeds and the parents are made only when missing. The spawn itself
    /// creates `stdout` and `stderr`.
    static func create(_ path: String) throws {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT, let slash = path.lastIndex(of: "/"), slash != path.startIndex else {
            throw SandboxError(path: path, errno: errno)
        }
        try create(String(path[..<slash]))
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw SandboxError(path: path, errno: errno) }
    }
}

struct SandboxError: Error, CustomStringConvertible {
    let path: String
    let errno: Int32
    var description: String { "Failed to create sandbox '\(path)': \(String(cString: strerror(errno)))" }
}

enum TaskEnvironment {
    /// The agent's own environment (Mesos executors inherit it), less Plinth's and Mesos's flag
    /// variables, plus the task's `MESOS_*` variables and its `CommandInfo.environment`.
    static func build(task: TaskInfo, framework: FrameworkInfo, agentID: AgentID, agentEndpoint: String,
                      sandbox: String) -> [String: String] {
        var env = base(framework: framework, agentID: agentID, agentEndpoint: agentEndpoint, sandbox: sandbox)
        env["MESOS_EXECUTOR_ID"] = task.taskId.value
        env["MESOS_TASK_ID"] = task.taskId.value
        for variable in task.command?.environment?.variables ?? [] {
            env[variable.name] = variable.value ?? ""
        }
        return env
    }

    /// What every process the agent starts for a framework gets, command task or executor.
    static func base(framework: FrameworkInfo, agentID: AgentID, agentEndpoint: String,
                     sandbox: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("MESOS_") && !$0.key.hasPrefix("PLINTH_") && !$0.key.hasPrefix("LIBPROCESS_")
        }
        if env["PATH"] == nil { env["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        // As Mesos's agent does: where DNS cannot name this host, a native executor binds and
        // names itself by the agent's LIBPROCESS_IP.
        if let ip = ProcessInfo.processInfo.environment["LIBPROCESS_IP"] { env["LIBPROCESS_IP"] = ip }
        env["MESOS_FRAMEWORK_ID"] = framework.id?.value ?? ""
        env["MESOS_AGENT_ID"] = agentID.value
        env["MESOS_SLAVE_ID"] = agentID.value
        env["MESOS_AGENT_ENDPOINT"] = agentEndpoint
        env["MESOS_SLAVE_PID"] = "slave(1)@\(agentEndpoint)"
        env["MESOS_AGENT_PID"] = "slave(1)@\(agentEndpoint)"
        env["MESOS_DIRECTORY"] = sandbox
        env["MESOS_SANDBOX"] = sandbox
        env["MESOS_CHECKPOINT"] = (framework.checkpoint ?? false) ? "1" : "0"
        env["MESOS_ALLOCATION_ROLE"] = framework.role ?? "*"
        env["LIBPROCESS_PORT"] = "0"
        return env
    }

    static func command(_ info: CommandInfo) -> SpawnCommand {
        if info.isShell { return .shell(info.value ?? "") }
        return .executable(path: info.value ?? "", arguments: info.arguments ?? [])
    }
}

enum StatusUUID {
    /// A version-4 UUID's 16 raw bytes in base64, as acknowledgements carry them.
    static func make() -> String {
        let u = UUID().uuid
        let bytes = [u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7, u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15]
        return Data(bytes).base64EncodedString()
    }
}
