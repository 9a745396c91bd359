import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Logging
import MesosAPI
import NIOCore

/// The agent's HTTP face: health, version and a `/state` in Mesos's legacy shape.
public struct AgentServer: Sendable {
    public let agent: Agent

    public init(agent: Agent) { self.agent = agent }

    public func application(logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let agent = self.agent
        var quiet = logger
        quiet.logLevel = .warning
        return Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in
                var path = request.uri.path
                if path.hasPrefix("/slave(1)/") { path = String(path.dropFirst("/slave(1)".count)) }
                switch path {
                case "/health": return Response(status: .ok)
                case "/version": return Reply.json(.object([("version", "1.11.0")]))
                case "/state", "/state.json": return Reply.json(await agent.stateJSON())
                case "/files/read": return FilesEndpoint(root: agent.config.workDir).read(request)
                default: return Reply.text(.notFound, "No endpoint at \(request.uri.path)")
                }
            },
            configuration: ApplicationConfiguration(address: .hostname(agent.config.ip, port: agent.config.port),
                                                    serverName: nil, reuseAddress: true),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: quiet)
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
                     ("framework_id", .string(t.frameworkID.value)), ("executor_id", .string(t.info.taskId.value)),
                     ("slave_id", .string(agentID?.value ?? "")), ("state", .string(t.state.rawValue)),
                     ("directory", .string(t.sandbox))])
        }
        return .object([
            ("version", "1.11.0"),
            ("start_time", .number(startTime)),
            ("id", .string(agentID?.value ?? "")),
            ("pid", .string("slave(1)@\(endpoint)")),
            ("hostname", .string(config.hostname)),
            ("resources", resources),
            ("master_hostname", .string(masterInfo?.hostname ?? "")),
            ("flags", .object([("master", .string(config.master)), ("work_dir", .string(config.workDir))])),
            ("connected", .bool(connected)),
            ("tasks", .array(tasks.values.map(taskJSON))),
            ("completed_tasks", .array(completed.map(taskJSON))),
        ])
    }
}
