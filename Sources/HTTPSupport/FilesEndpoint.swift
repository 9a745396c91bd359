import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Mesos's file API (`/files/read`, `/files/browse`, `/files/download`, and the operator calls
/// LIST_FILES / READ_FILE), for an agent's sandboxes and a master's log. Paths are confined to
/// `root` after every symlink is resolved, so neither `..` nor a link a task planted reaches
/// other files. `aliases` name files by the virtual paths Mesos gives them (`/master/log`).
public struct FilesEndpoint: Sendable {
    let root: String
    let aliases: [String: String]

    public init(root: String, aliases: [String: String] = [:]) {
        self.root = root
        self.aliases = aliases
    }

    enum Resolved {
        case file(String)
        case problem(HTTPResponse.Status, String)
    }

    /// The real path of `raw`, or why it is refused: 400 for `..`, 404 for anything that does
    /// not exist or resolves outside the work directory.
    func resolve(_ given: String?) -> Resolved {
        guard let given, !given.isEmpty else { return .problem(.badRequest, "Expecting 'path' to be present") }
        let raw = aliases[given] ?? given
        if raw.split(separator: "/").contains("..") {
            return .problem(.badRequest, "Path '\(raw)' must not contain '..'")
        }
        guard let real = Self.realpath(raw), let base = Self.realpath(root),
              real == base || real.hasPrefix(base.hasSuffix("/") ? base : base + "/") else {
            return .problem(.notFound, "No file or directory at '\(raw)'")
        }
        return .file(real)
    }

    public static func realpath(_ path: String) -> String? {
        guard let resolved = Glibc.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    public func read(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        switch read(path: query.get("path"), offset: query.get("offset").flatMap(Int64.init),
                    length: query.get("length").flatMap(Int.init)) {
        case .success(let json): return Reply.json(json, jsonp: query.get("jsonp"))
        case .failure(let problem): return Reply.text(problem.status, problem.message)
        }
    }

    public struct Problem: Error {
        public let status: HTTPResponse.Status
        public let message: String
    }

    /// Mesos's read: an offset of -1 asks only for the size, as the UI's tailing does.
    func read(path raw: String?, offset requestedOffset: Int64?, length requestedLength: Int?) -> Result<JSONValue, Problem> {
        readBytes(path: raw, offset: requestedOffset, length: requestedLength).map { chunk in
            guard let data = chunk.data else { return .object([("data", ""), ("offset", .int(Int64(chunk.size)))]) }
            return .object([("data", .string(String(decoding: data, as: UTF8.self))), ("offset", .int(Int64(chunk.offset)))])
        }
    }

    /// The bytes at `offset` (at most `length`, and 16 MB), with the file's size; no bytes
    /// (nil) for a negative offset, which asks only for the size.
    func readBytes(path raw: String?, offset requestedOffset: Int64?, length requestedLength: Int?)
        -> Result<(data: Data?, offset: UInt64, size: UInt64), Problem>
    {
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
        if offsetParam < 0 { return .success((nil, size, size)) }
        let offset = min(UInt64(offsetParam), size)
        let length = requestedLength.map { max(0, $0) } ?? Int(size - offset)
        try? handle.seek(toOffset: offset)
        let data = (try? handle.read(upToCount: min(length, 16 << 20))) ?? Data()
        return .success((data, offset, size))
    }

    /// The operator API's LIST_FILES: a directory's entries, or the file itself.
    public func listFilesReply(path: String) -> Response {
        switch stats(path: path) {
        case .success(let entries):
            let infos = entries.map { Self.fileInfo($0.path, $0.info) }
            return Reply.json(.object([("type", "LIST_FILES"), ("list_files", .object([("file_infos", .array(infos))]))]))
        case .failure(let problem): return Reply.text(problem.status, problem.message)
        }
    }

    /// The operator API's READ_FILE: base64 bytes and the file's size.
    public func readFileReply(path: String, offset: Int64?, length: Int?) -> Response {
        switch readBytes(path: path, offset: max(0, offset ?? 0), length: length) {
        case .success(let chunk):
            return Reply.json(.object([("type", "READ_FILE"), ("read_file", .object([
                ("size", .int(Int64(chunk.size))), ("data", .string((chunk.data ?? Data()).base64EncodedString())),
            ]))]))
        case .failure(let problem): return Reply.text(problem.status, problem.message)
        }
    }

    /// An entry in the operator API's `FileInfo` shape, where `mode` is the numeric st_mode.
    static func fileInfo(_ path: String, _ info: stat) -> JSONValue {
        .object([("path", .string(path)), ("nlink", .int(Int64(info.st_nlink))), ("size", .int(Int64(info.st_size))),
                 ("mtime", .object([("nanoseconds", .int(Int64(info.st_mtim.tv_sec) * 1_000_000_000))])),
                 ("mode", .int(Int64(info.st_mode))),
                 ("uid", .string(userName(info.st_uid))), ("gid", .string(groupName(info.st_gid)))])
    }

    public func browse(_ request: Request) -> Response {
        switch browse(path: request.uri.queryParameters.get("path")) {
        case .success(let entries): return Reply.json(.array(entries), jsonp: request.uri.queryParameters.get("jsonp"))
        case .failure(let problem): return Reply.text(problem.status, problem.message)
        }
    }

    /// Directory entries in Mesos's `/files/browse` shape (a file's own entry for a file).
    func browse(path raw: String?) -> Result<[JSONValue], Problem> {
        stats(path: raw).map { $0.map { Self.entry($0.path, $0.info) } }
    }

    private func stats(path raw: String?) -> Result<[(path: String, info: stat)], Problem> {
        let path: String
        switch resolve(raw) {
        case .problem(let status, let message): return .failure(Problem(status: status, message: message))
        case .file(let real): path = real
        }
        let shown = raw!.hasSuffix("/") ? String(raw!.dropLast()) : raw!
        var own = stat()
        if lstat(path, &own) == 0, own.st_mode & S_IFMT != S_IFDIR { return .success([(shown, own)]) }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            return .failure(Problem(status: .badRequest, message: "'\(raw ?? "")' is not a directory"))
        }
        return .success(names.sorted().compactMap { name in
            var info = stat()
            guard lstat("\(path)/\(name)", &info) == 0 else { return nil }
            return ("\(shown)/\(name)", info)
        })
    }

    private static func entry(_ path: String, _ info: stat) -> JSONValue {
        .object([
            ("gid", .string(groupName(info.st_gid))),
            ("mode", .string(modeString(info.st_mode))),
            ("mtime", .number(Double(info.st_mtim.tv_sec))),
            ("nlink", .int(Int64(info.st_nlink))),
            ("path", .string(path)),
            ("size", .int(Int64(info.st_size))),
            ("uid", .string(userName(info.st_uid))),
        ])
    }

    public func download(_ request: Request) -> Response {
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
