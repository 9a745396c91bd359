import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import MesosAPI

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
        if let problem = request.v1ContentProblem(checkAccept: true) { return problem }
        var request = request
        let body = try await request.bodyData()
        let call: Call
        switch Reply.decodeCall(Call.self, from: body) {
        case .success(let decoded): call = decoded
        case .failure(let error): return error.response
        }
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
            switch files.browse(path: list.path) {
            case .success(let entries):
                let infos = entries.map(Self.fileInfo)
                return Reply.json(.object([("type", "LIST_FILES"), ("list_files", .object([("file_infos", .array(infos))]))]))
            case .failure(let problem): return Reply.text(problem.status, problem.message)
            }
        case "READ_FILE":
            guard let read = call.readFile else { return Reply.text(.badRequest, "Expecting 'read_file' to be present") }
            switch files.read(path: read.path, offset: read.offset ?? 0, length: read.length) {
            case .success(let json):
                guard case .object(let pairs) = json,
                      case .string(let text)? = pairs.first(where: { $0.0 == "data" })?.1 else {
                    return Reply.text(.internalServerError, "Failed to read '\(read.path)'")
                }
                let size = (try? FileManager.default.attributesOfItem(atPath: read.path)[.size] as? Int) ?? 0
                return Reply.json(.object([("type", "READ_FILE"), ("read_file", .object([
                    ("size", .int(Int64(size))), ("data", .string(Data(text.utf8).base64EncodedString())),
                ]))]))
            case .failure(let problem): return Reply.text(problem.status, problem.message)
            }
        default:
            return Reply.text(.notImplemented, "The agent operator call \(call.type) is not supported yet")
        }
    }

    /// `/files/browse` entries in the operator API's `FileInfo` shape.
    static func fileInfo(_ entry: JSONValue) -> JSONValue {
        guard case .object(let pairs) = entry else { return entry }
        let value = { (key: String) in pairs.first { $0.0 == key }?.1 ?? .null }
        var mtimeNanos: Int64 = 0
        if case .number(let seconds) = value("mtime") { mtimeNanos = Int64(seconds * 1e9) }
        // FileInfo.mode is the numeric st_mode, where /files/browse shows `ls`'s letters.
        var mode: Int64 = 0
        if case .string(let path) = value("path") {
            var info = stat()
            if lstat(path, &info) == 0 { mode = Int64(info.st_mode) }
        }
        return .object([("path", value("path")), ("nlink", value("nlink")), ("size", value("size")),
                        ("mtime", .object([("nanoseconds", .int(mtimeNanos))])), ("mode", .int(mode)),
                        ("uid", value("uid")), ("gid", value("gid"))])
    }
}
