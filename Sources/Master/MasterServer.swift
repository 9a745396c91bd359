import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Libprocess
import Logging
import MesosAPI
import MesosMetrics
import NIOCore
import WebUI

/// The master's HTTP face: routes by path, as libprocess does, including the `/master/...`
/// aliases that clients use interchangeably.
public struct MasterServer: Sendable {
    public let master: Master
    public let gate: LeaderGate
    let exposition = PrometheusExposition()
    let stateBatcher = StateBatcher()
    let native: NativeSchedulers

    public init(master: Master, gate: LeaderGate = LeaderGate()) {
        self.master = master
        self.gate = gate
        native = NativeSchedulers(master: master, pid: master.info.pid ?? "master@\(master.config.ip):\(master.config.port)",
                                  logger: Logger(label: "plinth.master.native"))
    }

    /// The Hummingbird application serving the master; `onRunning` learns the bound port.
    public func application(logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let router = MasterRouter(master: master, gate: gate, exposition: exposition, stateBatcher: stateBatcher,
                                  native: native)
        var quiet = logger
        quiet.logLevel = .warning
        return Application(
            responder: CallbackResponder<ConnectionContext> { request, context in
                let kind: EventQueue.Kind = MasterRouter.messagePaths.contains(request.uri.path) ? .message : .httpRequest
                return try await master.eventQueue.counting(kind) { try await router.route(request, channel: context.channel) }
            },
            server: .http1ClosingOnEndOfInput,
            configuration: ApplicationConfiguration(
                address: .hostname(master.config.ip, port: master.config.port),
                serverName: nil, reuseAddress: true),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: quiet)
    }
}

struct MasterRouter: Sendable {
    /// Framework and agent calls: Mesos's "messages", as opposed to HTTP requests.
    static let messagePaths: Set<String> = ["/api/v1/scheduler", "/master/api/v1/scheduler", "/internal/agent/call",
                                            "/internal/agent/subscribe"]
    let master: Master
    let gate: LeaderGate
    let exposition: PrometheusExposition
    let stateBatcher: StateBatcher
    let native: NativeSchedulers
    let operatorStateBatcher = StateBatcher()
    var scheduler: SchedulerEndpoint { SchedulerEndpoint(master: master) }
    var agents: AgentEndpoint { AgentEndpoint(master: master) }

    func route(_ request: Request, channel: any Channel) async throws -> Response {
        if request.method == .post,
           let message = LibprocessRequest.parse(path: request.uri.path, from: request.headers[.libprocessFrom],
                                                 userAgent: request.headers[.userAgent]) {
            return try await libprocess(request, from: message.from, to: message.to, name: message.name)
        }
        var path = request.uri.path
        if path.hasPrefix("/master/") { path = String(path.dropFirst("/master".count)) }
        if path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        if case .following(let leader) = gate.state, !LeaderGate.alwaysServed.contains(path) {
            // The body is read first, so the connection is left clean for the client's next request.
            var request = request
            _ = try? await request.collectBody(upTo: 64 << 20)
            return Self.toLeader(leader, request: request)
        }
        switch path {
        case "/api/v1/scheduler":
            return try await scheduler.respond(request, channel: channel)
        case "/", "/index.html":
            return Self.asset(WebAssets.index)
        case "/internal/agent/subscribe":
            return try await agents.subscribe(request, channel: channel)
        case "/internal/agent/call":
            return try await agents.call(request)
        case "/health":
            return Response(status: .ok)
        case "/version":
            return Reply.json(.object([
                ("version", .string(plinthMesosVersion)), ("build_date", "2026-11-25"),
                ("build_time", .number(master.startTime)), ("build_user", "plinth"),
            ]))
        case "/state", "/state.json":
            let master = self.master
            let batcher = stateBatcher
            let document = await batcher.stream { await master.stateDocument(cache: batcher.cache, into: $0) }
            return Reply.raw(json: document, jsonp: request.uri.queryParameters.get("jsonp"))
        case "/state-summary":
            return Reply.json(await master.stateView().stateSummaryJSON(), jsonp: request.uri.queryParameters.get("jsonp"))
        case "/tasks", "/tasks.json":
            return Reply.json(await master.stateView().tasksJSON(Self.taskQuery(request)), jsonp: request.uri.queryParameters.get("jsonp"))
        case "/frameworks":
            return Reply.json(await master.stateView().frameworksJSON(), jsonp: request.uri.queryParameters.get("jsonp"))
        case "/slaves":
            return Reply.json(await master.stateView().agentsJSON(), jsonp: request.uri.queryParameters.get("jsonp"))
        case "/weights":
            return try await OperatorEndpoint(master: master).legacyWeights(request)
        case "/quota":
            return try await OperatorEndpoint(master: master).legacyQuota(request)
        case "/flags":
            return Reply.json(.object([("flags", .object(master.config.flags.sorted { $0.key < $1.key }
                .map { ($0.key, .string($0.value)) }))]), jsonp: request.uri.queryParameters.get("jsonp"))
        case "/metrics/snapshot":
            return Reply.metricsSnapshot(await master.metricsSnapshot(elected: gate.state == .leading).sorted)
        case "/metrics":
            return Reply.prometheus(exposition.render(await master.metricsSnapshot(elected: gate.state == .leading)))
        case "/roles", "/roles.json":
            return Reply.json(.object([("roles", await master.rolesJSON())]), jsonp: request.uri.queryParameters.get("jsonp"))
        case "/files/read", "/files/read.json":
            return master.config.files?.read(request) ?? Self.noFile(request.uri.queryParameters.get("path"))
        case "/files/browse", "/files/browse.json":
            return master.config.files?.browse(request) ?? Self.noFile(request.uri.queryParameters.get("path"))
        case "/files/download", "/files/download.json":
            return master.config.files?.download(request) ?? Self.noFile(request.uri.queryParameters.get("path"))
        case "/maintenance/schedule":
            return try await OperatorEndpoint(master: master).legacyMaintenanceSchedule(request)
        case "/maintenance/status":
            return Reply.json(await master.maintenanceStatusJSON, jsonp: request.uri.queryParameters.get("jsonp"))
        case "/machine/down", "/machine/up":
            return try await OperatorEndpoint(master: master).legacyMachines(request, down: path == "/machine/down")
        case "/waiting":
            return Reply.json(await master.stateView().waitingJSON(), jsonp: request.uri.queryParameters.get("jsonp"))
        case "/redirect":
            var r = Response(status: .temporaryRedirect)
            switch gate.state {
            case .leading: r.headers[.location] = "//\(master.config.hostname):\(master.config.port)"
            case .following(let leader?): r.headers[.location] = "//\(leader)"
            case .following(nil): return Reply.text(.serviceUnavailable, "No leading master is elected")
            }
            return r
        default:
            if path.hasPrefix("/ui/") {
                return WebAssets.asset(String(path.dropFirst(4))).map(Self.asset)
                    ?? Reply.text(.notFound, "No endpoint at \(request.uri.path)")
            }
            if path == "/api/v1" || path.hasPrefix("/api/v1/") {
                return try await OperatorEndpoint(master: master, elected: gate.state == .leading, channel: channel,
                                                  stateBatcher: operatorStateBatcher)
                    .respond(request)
            }
            return Reply.text(.notFound, "No endpoint at \(request.uri.path)")
        }
    }
}

extension StateView {
    public func frameworksJSON() -> JSONValue {
        .object([
            ("frameworks", .array(frameworks.values.sorted { $0.id < $1.id }.map(frameworkJSON))),
            ("completed_frameworks", .array(completedFrameworks.map(frameworkJSON))),
            ("unregistered_frameworks", .array([])),
        ])
    }

    public func agentsJSON() -> JSONValue {
        .object([
            ("slaves", agentsJSONList()),
            ("recovered_slaves", .array([])),
        ])
    }
}

extension MasterRouter {
    /// `limit`, `offset`, `order` (asc or des), `framework_id` and `task_id`, as Mesos's `/tasks` takes them.
    static func taskQuery(_ request: Request) -> StateView.TaskQuery {
        let parameters = request.uri.queryParameters
        var query = StateView.TaskQuery()
        if let limit = parameters.get("limit").flatMap({ Int($0) }) { query.limit = limit }
        if let offset = parameters.get("offset").flatMap({ Int($0) }) { query.offset = offset }
        query.ascending = parameters.get("order") == "asc"
        query.frameworkID = parameters.get("framework_id").map { FrameworkID($0) }
        query.taskID = parameters.get("task_id").map { TaskID($0) }
        return query
    }

    /// A master that does not lead sends every client to the one that does (307, as Mesos's
    /// masters do), or answers 503 while none is elected.
    /// A UI file. `no-cache` makes a browser revalidate, so a new master's UI is picked up at once.
    static func asset(_ asset: WebAssets.Asset) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = asset.contentType
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    /// Without `--log_dir` the master has no files to serve, as a Mesos master without one.
    static func noFile(_ path: String?) -> Response {
        Reply.text(.notFound, "No file or directory at '\(path ?? "")'")
    }

    static func toLeader(_ leader: String?, request: Request) -> Response {
        guard let leader else {
            var response = Reply.text(.serviceUnavailable, "No leading master is elected")
            response.headers[.connection] = "close"
            return response
        }
        var response = Response(status: .temporaryRedirect)
        response.headers[.connection] = "close"
        let query = request.uri.query.map { "?\($0)" } ?? ""
        response.headers[.location] = "http://\(leader)\(request.uri.path)\(query)"
        return response
    }
}

extension MasterRouter {
    /// A libprocess message: delivered to the master's process (`master`), answered 202 as
    /// libprocess answers a delivered message, 404 for any other process.
    func libprocess(_ request: Request, from: ProcessID, to: String, name: String) async throws -> Response {
        var request = request
        let body = try await request.bodyData()
        guard to == "master" else { return Response(status: .notFound) }
        guard gate.state == .leading else {
            // As Mesos's: a master that does not lead drops every message. A driver finds the
            // leader through its detector (the json.info_ znodes), not through the master it reached.
            await native.dropNotLeading(name: name, from: from)
            return Response(status: .accepted)
        }
        await native.receive(name: name, from: from, body: body)
        return Response(status: .accepted)
    }
}
