import Foundation
import HTTPTypes
import Hummingbird
import MesosAPI
import NIOCore

/// Response shapes shared by the master and agent: libprocess-style plain-text errors, compact
/// JSON, and bare 202s.
public enum Reply {
    public static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: message)))
    }

    public static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        do {
            return raw(json: try WireCodec.encode(value), status: status)
        } catch {
            return text(.internalServerError, "Failed to encode response: \(error)")
        }
    }

    public static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        raw(json: value.serialized(), status: status)
    }

    /// With `?jsonp=callback`, the JSON wrapped as `callback(...);` (JavaScript), as Mesos serves it.
    public static func json(_ value: JSONValue, jsonp: String?) -> Response {
        raw(json: value.serialized(), jsonp: jsonp)
    }

    /// A document built once and sent to many readers, as buffers in turn: shared, not copied.
    public static func raw(json buffers: [ByteBuffer], jsonp: String?) -> Response {
        var headers = HTTPFields()
        guard let callback = jsonp, !callback.isEmpty else {
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: ResponseBody(contentsOf: buffers))
        }
        headers[.contentType] = "text/javascript"
        let wrapped = [ByteBuffer(string: "\(callback)(")] + buffers + [ByteBuffer(string: ");")]
        return Response(status: .ok, headers: headers, body: ResponseBody(contentsOf: wrapped))
    }

    /// A document still being written (`SharedDocument`), sent as its buffers come: its length
    /// is not known yet, so it goes out chunked.
    public static func raw(json document: SharedDocument, jsonp: String?) -> Response {
        var headers = HTTPFields()
        let callback = jsonp.flatMap { $0.isEmpty ? nil : $0 }
        headers[.contentType] = callback == nil ? "application/json" : "text/javascript"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            if let callback { try await writer.write(ByteBuffer(string: "\(callback)(")) }
            var index = 0
            while let chunk = await document.chunk(at: index) {
                try await writer.write(chunk)
                index += 1
            }
            if callback != nil { try await writer.write(ByteBuffer(string: ");")) }
            try await writer.finish(nil)
        })
    }

    public static func raw(json data: Data, jsonp: String?) -> Response {
        guard let callback = jsonp, !callback.isEmpty else { return raw(json: data) }
        var headers = HTTPFields()
        headers[.contentType] = "text/javascript"
        var body = ByteBuffer(string: "\(callback)(")
        body.writeBytes(data)
        body.writeString(");")
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    /// Decodes a v1 call body, or gives the 400 Mesos sends for it: unparseable JSON, or JSON
    /// that does not fit the call (naming the field).
    public static func decodeCall<T: Decodable>(_ type: T.Type, from body: Data) -> Result<T, ResponseError> {
        do {
            return .success(try WireCodec.decode(type, from: body))
        } catch {
            let detail = WireCodec.describe(error)
            let message = detail.hasPrefix("Failed to parse body")
                ? detail : "Failed to convert JSON into Call protobuf: \(detail)"
            return .failure(ResponseError(response: text(.badRequest, message)))
        }
    }

    public static func raw(json data: Data, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    public static func accepted() -> Response {
        var headers = HTTPFields()
        headers[.contentLength] = "0"
        return Response(status: .accepted, headers: headers, body: ResponseBody())
    }

    public static func methodNotAllowed(allow: String = "POST") -> Response {
        var r = text(.methodNotAllowed, "Expecting one of { '\(allow)' }, but received a different method")
        r.headers[.allow] = allow
        return r
    }
}

/// The two media types of the v1 APIs.
public enum WireFormat: Sendable, Equatable {
    case json, protobuf

    public var mediaType: String {
        switch self {
        case .json: "application/json"
        case .protobuf: "application/x-protobuf"
        }
    }
}

/// What a v1 request's body is, and what its answer must be.
public struct V1Formats: Sendable, Equatable {
    public var body: WireFormat
    public var reply: WireFormat
}

/// A ready error response, carried through `Result`.
public struct ResponseError: Error {
    public let response: Response
    public init(response: Response) { self.response = response }
}

public extension HTTPField.Name {
    static let mesosStreamID = HTTPField.Name("Mesos-Stream-Id")!
    /// The sender of a libprocess message (`id@ip:port`).
    static let libprocessFrom = HTTPField.Name("Libprocess-From")!
}

public extension Request {
    /// The whole body, bounded so a hostile client cannot exhaust memory.
    mutating func bodyData(limit: Int = 16 << 20) async throws -> Data {
        let buffer = try await collectBody(upTo: limit)
        return Data(buffer.readableBytesView)
    }

    /// Checks the Content-Type and Accept rules of the v1 API for an endpoint that takes JSON
    /// only; nil when the request may proceed.
    func v1ContentProblem(checkAccept: Bool) -> Response? {
        if case .failure(let error) = v1Formats(checkAccept: checkAccept, protobuf: false) { return error.response }
        return nil
    }

    /// The format of the body and the one to answer in, by the v1 API's rules: Content-Type
    /// must name JSON or protobuf; the answer is JSON when Accept allows it (or is absent),
    /// else protobuf when it allows that, else 406. An endpoint that does not serve protobuf
    /// yet refuses it with 415.
    func v1Formats(checkAccept: Bool, protobuf: Bool) -> Result<V1Formats, ResponseError> {
        guard let contentType = headers[.contentType] else {
            return .failure(ResponseError(response: Reply.text(.badRequest, "Expecting 'Content-Type' to be present")))
        }
        let mediaType = contentType.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        let body: WireFormat
        switch mediaType {
        case WireFormat.json.mediaType: body = .json
        case WireFormat.protobuf.mediaType where protobuf: body = .protobuf
        case WireFormat.protobuf.mediaType:
            return .failure(ResponseError(response: Reply.text(
                .unsupportedMediaType, "Protobuf requests are not supported here yet; send 'application/json'")))
        default:
            return .failure(ResponseError(response: Reply.text(
                .unsupportedMediaType, "Expecting 'Content-Type' of application/json or application/x-protobuf")))
        }
        guard let accept = headers[.accept], checkAccept else { return .success(V1Formats(body: body, reply: .json)) }
        if Request.accepts(accept, .json) { return .success(V1Formats(body: body, reply: .json)) }
        if protobuf, Request.accepts(accept, .protobuf) { return .success(V1Formats(body: body, reply: .protobuf)) }
        let allowed = protobuf ? "application/json or application/x-protobuf" : "application/json"
        return .failure(ResponseError(response: Reply.text(.notAcceptable, "Expecting 'Accept' to allow \(allowed)")))
    }

    static func accepts(_ accept: String, _ format: WireFormat) -> Bool {
        accept.split(separator: ",").contains { part in
            let type = part.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            return type == format.mediaType || type == "*/*" || type == "application/*"
        }
    }
}
