import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import NIOCore

/// The sandbox file API (`/files/read`, `/files/browse`, `/files/download`, and the operator
/// calls LIST_FILES / READ_FILE). Paths are confined to the agent's work directory after
/// every symlink is resolved, so neither `..` nor a link a task planted reaches other files.
struct FilesEndpoint: Sendable {
    let root: String

    enum Resolved {
        case file(String)
        case problem(HTTPResponse.Status, String)
    }

    /// The real path of `raw`, or why it is refused: 400 for `..`, 404 for anything that does
    /// not exist or resolves outside the work directory.
    func resolve(_ raw: String?) -> Resolved {
        guard let raw, !raw.isEmpty else { return .problem(.badRequest, "Expecting 'path' to be present") }
        if raw.split(separator: "/").contains("..") {
            return .problem(.badRequest, "Path '\(raw)' must not contain '..'")
        }
        guard let real = Self.realpath(raw), let base = Self.realpath(root),
              real == base || real.hasPrefix(base.hasSuffix("/") ? base : base + "/") else {
            return .problem(.notFound, "No file or directory at '\(raw)'")
        }
        return .file(real)
    }

    static func realpath(_ path: String) -> String? {
        guard let resolved = Glibc.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    func read(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        switch read(path: query.get("path"), offset: query.get("offset").flatMap(Int64.init),
                    length: query.get("length").flatMap(Int.init)) {
        case .success(let json): return Reply.json(json, jsonp: query.get("jsonp"))
        case .failure(let problem): return Reply.text(problem.status, problem.message)
        }
    }

    struct Problem: Error {
        let status: HTTPResponse.Status
        let message: String
    }

    /// Mesos's read: an offset of -1 asks only for the size, as the UI's tailing does.
    func read(path raw: String?, offset requestedOffset: Int64?, length requestedLength: Int?) -> Result<JSONValue, Problem> {
        let path: String
        switch resolve(raw) {
        case .problem(let status, let message): return .failure(Problem(status: status, message: message))
        case .file(let real): path = real
        }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            return .failure(Problem(status: .badRequest, message: "Cannot read '\(raw ?? "")': it is a directory"))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(Problem(status: .notFound, message: "No file at '\(raw ?? "")'"))
        }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let offsetParam = requestedOffset ?? 0
        if offsetParam < 0 { return .success(.object([("data", ""), ("offset", .int(Int64(size)))])) }
        let offset = min(UInt64(offsetParam), size)
        let length = requestedLength.map { max(0, $0) } ?? Int(size - offset)
        try? handle.seek(toOffset: offset)
        let data = (try? handle.read(upToCount: min(length, 16 << 20))) ?? Data()
        return .success(.object([("data", .string(String(decoding: data, as: UTF8.self))),
                                 ("offset", .int(Int64(offset)))]))
    }

    func browse(_ request: Request) -> Response {
        switch browse(path: request.uri.queryParameters.get("path")) {
        case .success(let entries): return Reply.json(.array(entries), jsonp: request.uri.queryParameters.get("jsonp"))
        case .failure(let problem): return Reply.text(problem.status, problem.message)
        }
    }

    /// Directory entries in Mesos's `/files/browse` shape.
    func browse(path raw: String?) -> Result<[JSONValue], Problem> {
        let path: String
        switch resolve(raw) {
        case .problem(let status, let message): return .failure(Problem(status: status, message: message))
        case .file(let real): path = real
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            return .failure(Problem(status: .badRequest, message: "'\(raw ?? "")' is not a directory"))
        }
        let shown = raw!.hasSuffix("/") ? String(raw!.dropLast()) : raw!
        return .success(names.sorted().compactMap { name in
            var info = stat()
            guard lstat("\(path)/\(name)", &info) == 0 else { return nil }
            return .object([
                ("gid", .string(Self.groupName(info.st_gid))),
                ("mode", .string(Self.modeString(info.st_mode))),
                ("mtime", .number(Double(info.st_mtim.tv_sec))),
                ("nlink", .int(Int64(info.st_nlink))),
                ("path", .string("\(shown)/\(name)")),
                ("size", .int(Int64(info.st_size))),
                ("uid", .string(Self.userName(info.st_uid))),
            ])
        })
    }

    func download(_ request: Request) -> Response {
        let raw = request.uri.queryParameters.get("path")
        let path: String
        switch resolve(raw) {
        case .problem(let status, let message): return Reply.text(status, message)
        case .file(let real): path = real
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return Reply.text(.badRequest, "Cannot download '\(raw ?? "")': not a readable file")
        }
        let name = URL(fileURLWithPath: path).lastPathComponent
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        headers[.contentDisposition] = "attachment; filename=\(name)"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func modeString(_ mode: mode_t) -> String {
        let type: Character
        switch mode & S_IFMT {
        case S_IFDIR: type = "d"
        case S_IFLNK: type = "l"
        default: type = "-"
        }
        let bits: [(mode_t, Character)] = [(0o400, "r"), (0o200, "w"), (0o100, "x"), (0o040, "r"), (0o020, "w"),
                                           (0o010, "x"), (0o004, "r"), (0o002, "w"), (0o001, "x")]
        return String([type] + bits.map { mode & $0.0 != 0 ? $0.1 : "-" })
    }

    static func userName(_ uid: uid_t) -> String {
        getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? "\(uid)"
    }

    static func groupName(_ gid: gid_t) -> String {
        getgrgid(gid).map { String(cString: $0.pointee.gr_name) } ?? "\(gid)"
    }
}
