import Foundation
import Isolation
import Libprocess
import HTTPSupport
import HTTPTypes
import Hummingbird
import Logging
import MesosAPI
import MesosMetrics
import NIOCore

/// The agent's HTTP face: health, version and a `/state` in Mesos's legacy shape.
public struct AgentServer: Sendable {
    public let agent: Agent
    let exposition = PrometheusExposition()
    let native: NativeExecutors

    public init(agent: Agent) {
        self.agent = agent
        native = NativeExecutors(agent: agent, logger: Logger(label: "plinth.agent.native"))
    }

    public func application(logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let agent = self.agent
        let exposition = self.exposition
        let native = self.native
        var quiet = logger
        quiet.logLevel = .warning
        return Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in
                if request.method == .post,
                   let message = LibprocessRequest.parse(path: request.uri.path, from: request.headers[.libprocessFrom],
                                                         userAgent: request.headers[.userAgent]) {
                    return try await Self.libprocess(request, message, native: native)
                }
                var path = request.uri.path
                if path.hasPrefix("/slave(1)/") { path = String(path.dropFirst("/slave(1)".count)) }
                var response = try await Self.route(path, request, agent: agent, exposition: exposition)
                // The master's web UI reads sandboxes and state straight from agents, as Mesos's
                // does (there with JSONP): these reads are open to any origin.
                if Self.readableFromAnyOrigin.contains(path) { response.headers[.accessControlAllowOrigin] = "*" }
                return response
            },
            configuration: ApplicationConfiguration(address: .hostname(agent.config.ip, port: agent.config.port),
                                                    serverName: nil, reuseAddress: true),
            onServerRunning: { channel in
                // Recovered native executors are asked back only once the agent can hear them:
                // a driver whose reconnect finds the port closed takes the agent for gone.
                Task { await native.reconnectRecovered() }
                await onRunning(channel.localAddress?.port ?? 0)
            },
            logger: quiet)
    }

    static let readableFromAnyOrigin: Set<String> = [
        "/state", "/state.json", "/files/read", "/files/read.json", "/files/browse", "/files/browse.json",
        "/monitor/statistics", "/monitor/statistics.json", "/metrics/snapshot",
    ]

    /// A libprocess message: delivered to the agent's process (`slave(1)`), answered 202 as
    /// libprocess answers a delivered message, 404 for any other process.
    private static func libprocess(_ request: Request, _ message: (from: ProcessID, to: String, name: String),
                                   native: NativeExecutors) async throws -> Response {
        var request = request
        let body = try await request.bodyData()
        guard message.to == "slave(1)" else { return Response(status: .notFound) }
        await native.receive(name: message.name, from: message.from, body: body)
        return Response(status: .accepted)
    }

    private static func route(_ path: String, _ request: Request, agent: Agent,
                              exposition: PrometheusExposition) async throws -> Response {
        switch path {
        case "/health": return Response(status: .ok)
        case "/version": return Reply.json(.object([("version", "1.11.0")]))
        case "/state", "/state.json":
            return Reply.json(await agent.stateJSON(), jsonp: request.uri.queryParameters.get("jsonp"))
        case "/flags":
            return Reply.json(.object([("flags", .object(agent.config.flags.sorted { $0.key < $1.key }
                .map { ($0.key, .string($0.value)) }))]), jsonp: request.uri.queryParameters.get("jsonp"))
        case "/metrics/snapshot": return Reply.metricsSnapshot(await agent.metricsSnapshot().sorted)
        case "/metrics": return Reply.prometheus(exposition.render(await agent.metricsSnapshot()))
        case "/files/read", "/files/read.json": return FilesEndpoint(root: agent.sandboxRoot).read(request)
        case "/files/browse", "/files/browse.json": return FilesEndpoint(root: agent.sandboxRoot).browse(request)
        case "/files/download", "/files/download.json":
            return FilesEndpoint(root: agent.sandboxRoot).download(request)
        case "/monitor/statistics", "/monitor/statistics.json":
            return Reply.json(await agent.statisticsJSON(), jsonp: request.uri.queryParameters.get("jsonp"))
        case "/api/v1": return try await AgentOperatorEndpoint(agent: agent).respond(request)
        case "/api/v1/executor": return try await ExecutorEndpoint(agent: agent).respond(request)
        default: return Reply.text(.notFound, "No endpoint at \(request.uri.path)")
        }
    }
}

extension Agent {
    public func stateJSON() -> JSONValue {
        let legacy = config.resources.legacyJSON
        let resources = JSONValue.object(legacy.keys.sorted().map { key in
            switch legacy[key]! {
            case .number(let d): return (key, .number(d))
            case .string(let s): return (key, .string(s))
            }
        })
        func taskJSON(_ t: CommandTask) -> JSONValue {
            .object([("id", .string(t.info.taskId.value)), ("name", .string(t.info.name)),
                     ("framework_id", .string(t.frameworkID.value)), ("executor_id", .string(t.executorID?.value ?? t.info.taskId.value)),
                     ("slave_id", .string(agentID?.value ?? "")), ("state", .string(t.state.rawValue)),
                     ("directory", .string(t.sandbox)), ("container_id", .string(t.containerID.value)),
                     ("resources", Self.scalarsJSON(t.info.resources)),
                     ("limits", Self.limitsJSON(t.container?.limits))])
        }
        var state: [(String, JSONValue)] = [
            ("version", "1.11.0"),
            ("start_time", .number(startTime)),
            ("id", .string(agentID?.value ?? "")),
            ("pid", .string("slave(1)@\(endpoint)")),
            ("hostname", .string(config.hostname)),
            ("resources", resources),
            ("master_hostname", .string(masterInfo?.hostname ?? "")),
            ("flags", .object([("master", .string(config.master)), ("work_dir", .string(config.workDir)),
                               ("isolation", .string(runtime.isolation.isolators.map(\.rawValue).sorted().joined(separator: ","))),
                               ("cgroups_root", .string(runtime.isolation.cgroupsRoot)),
                               ("cgroups_enable_cfs", .bool(runtime.isolation.enableCFS))])),
            ("connected", .bool(connected)),
            ("tasks", .array(tasks.values.map(taskJSON))),
            ("completed_tasks", .array(completed.map(taskJSON))),
        ]
        if let config = drainConfig {
            var drain: [(String, JSONValue)] = [("mark_gone", .bool(config.markGone ?? false))]
            if let grace = config.maxGracePeriod {
                drain.insert(("max_grace_period", .object([("nanoseconds", .int(grace.nanoseconds))])), at: 0)
            }
            state.append(("drain_config", .object(drain)))
        }
        return .object(state)
    }
}

extension Agent {
    static func scalarsJSON(_ resources: [Resource]?) -> JSONValue {
        let total = Resources(resources ?? [])
        return .object(["cpus", "mem", "disk"].map { ($0, .number(total.scalar($0))) })
    }

    /// What the isolators enforce on a container: absent limits are not enforced.
    static func limitsJSON(_ limits: ContainerLimits?) -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        if let cpus = limits?.cpus { pairs.append(("cpus", .number(cpus))) }
        if let mem = limits?.memBytes { pairs.append(("mem_bytes", .int(Int64(mem)))) }
        if let disk = limits?.diskMB { pairs.append(("disk_bytes", .int(Int64(disk * 1024 * 1024)))) }
        return .object(pairs)
    }
}
