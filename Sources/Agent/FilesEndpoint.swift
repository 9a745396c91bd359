import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird

/// `/files/read?path=&offset=&length=`, as Mesos serves sandbox files, limited to the work dir.
struct FilesEndpoint: Sendable {
    let root: String

    func read(_ request: Request) -> Response {
        guard let raw = request.uri.queryParameters.get("path") else {
            return Reply.text(.badRequest, "Expecting 'path' to be present")
        }
        let path = URL(fileURLWithPath: raw).standardizedFileURL.path
        let base = URL(fileURLWithPath: root).standardizedFileURL.path
        guard path.hasPrefix(base + "/"), let handle = FileHandle(forReadingAtPath: path) else {
            return Reply.text(.notFound, "No file at '\(raw)'")
        }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let offsetParam = request.uri.queryParameters.get("offset").flatMap(Int64.init) ?? 0
        if offsetParam < 0 { return Reply.json(.object([("offset", .int(Int64(size))), ("data", "")])) }
        let offset = min(UInt64(offsetParam), size)
        let length = request.uri.queryParameters.get("length").flatMap(Int.init) ?? Int(size - offset)
        try? handle.seek(toOffset: offset)
        let data = (try? handle.read(upToCount: max(0, min(length, 16 << 20)))) ?? Data()
        return Reply.json(.object([("offset", .int(Int64(offset))),
                                   ("data", .string(String(decoding: data, as: UTF8.self)))]))
    }
}
