import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import MesosAPI
import MesosProtobuf

/// `POST /api/v1` on the agent: the operator calls that concern containers and sandboxes.
/// Other calls answer 501 naming the call.
struct AgentOperatorEndpoint: Sendable {
    let agent: Agent

    struct Call: Decodable {
        struct FileCall: Decodable {
            var path: String
            var offset: Int64?
            var length: Int?
        }
        var type: String
        var listFiles: FileCall?
        var readFile: FileCall?

        enum CodingKeys: String, CodingKey {
            case type
            case listFiles = "list_files"
            case readFile = "read_file"
        }
    }

    func respond(_ request: Request) async throws -> Response {
        guard request.method == .post else { return Reply.methodNotAllowed() }
        let formats: V1Formats
        switch request.v1Formats(checkAccept: true, protobuf: true) {
        case .success(let found): formats = found
        case .failure(let error): return error.response
        }
        var request = request
        let body = try await request.bodyData()
        let call: Call
        switch Reply.decodeCall(Call.self, from: body, format: formats.body, as: .agentCall) {
        case .success(let decoded): call = decoded
        case .failure(let error): return error.response
        }
        return await answer(call).transcoded(to: formats.reply, as: .agentResponse)
    }

    /// The call's answer, in JSON.
    private func answer(_ call: Call) async -> Response {
        let files = FilesEndpoint(root: agent.sandboxRoot)
        switch call.type {
        case "GET_HEALTH":
            return Reply.json(.object([("type", "GET_HEALTH"), ("get_health", .object([("healthy", true)]))]))
        case "GET_VERSION":
            return Reply.json(.object([("type", "GET_VERSION"), ("get_version", .object([
                ("version_info", .object([("version", "1.11.0"), ("build_user", "plinth")])),
            ]))]))
        case "GET_FLAGS":
            return Reply.json(OperatorResponse(type: .GET_FLAGS, payload: FlagsPayload(agent.config.flags)))
        case "GET_STATE":
            return Reply.json(OperatorResponse(type: .GET_STATE, payload: await agent.operatorState()))
        case "GET_TASKS":
            return Reply.json(OperatorResponse(type: .GET_TASKS, payload: await agent.operatorTasks()))
        case "GET_EXECUTORS":
            return Reply.json(OperatorResponse(type: .GET_EXECUTORS, payload: await agent.operatorExecutors()))
        case "GET_FRAMEWORKS":
            return Reply.json(OperatorResponse(type: .GET_FRAMEWORKS, payload: await agent.operatorFrameworks()))
        case "GET_METRICS":
            let metrics = Reply.metricsList(await agent.metricsSnapshot().sorted)
            return Reply.json(.object([("type", "GET_METRICS"), ("get_metrics", metrics)]))
        case "GET_CONTAINERS":
            return Reply.json(await agent.containersJSON())
        case "LIST_FILES":
            guard let list = call.listFiles else { return Reply.text(.badRequest, "Expecting 'list_files' to be present") }
            return files.listFilesReply(path: list.path)
        case "READ_FILE":
            guard let read = call.readFile else { return Reply.text(.badRequest, "Expecting 'read_file' to be present") }
            return files.readFileReply(path: read.path, offset: read.offset, length: read.length)
        default:
            return Reply.text(.notImplemented, "The agent operator call \(call.type) is not supported yet")
        }
    }
}
