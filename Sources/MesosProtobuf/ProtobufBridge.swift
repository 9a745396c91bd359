import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import NIOCore
import SwiftProtobuf

/// Protobuf bodies on the v1 APIs, by way of the JSON the rest of Plinth speaks.
///
/// Plinth's wire types are its hand-written Codable structs; the generated protobuf messages
/// are used only here, at the edge, to turn a binary body into the same JSON a JSON client
/// would have sent, and an outgoing JSON record into binary. The JSON in between follows the
/// mapping Mesos uses (proto field names, enums as names, 64-bit integers as numbers, unknown
/// fields ignored), so there is one mapping to keep right, not a second codec per type.
public enum ProtobufBridge {
    /// The message a body holds: which generated type reads or writes it.
    public enum Message: Sendable {
        case schedulerCall, schedulerEvent
        case executorCall, executorEvent
        case masterCall, masterResponse, masterEvent
        case agentCall, agentResponse

        var type: any SwiftProtobuf.Message.Type {
            switch self {
            case .schedulerCall: Mesos_V1_Scheduler_Call.self
            case .schedulerEvent: Mesos_V1_Scheduler_Event.self
            case .executorCall: Mesos_V1_Executor_Call.self
            case .executorEvent: Mesos_V1_Executor_Event.self
            case .masterCall: Mesos_V1_Master_Call.self
            case .masterResponse: Mesos_V1_Master_Response.self
            case .masterEvent: Mesos_V1_Master_Event.self
            case .agentCall: Mesos_V1_Agent_Call.self
            case .agentResponse: Mesos_V1_Agent_Response.self
            }
        }
    }

    /// A binary message as JSON. Throws for bytes that are not a valid message of that type
    /// (including one missing a required field), as Mesos refuses them.
    public static func json(fromProtobuf data: Data, as message: Message) throws -> Data {
        let decoded = try message.type.init(serializedBytes: data, extensions: nil, partial: false, options: .init())
        return try decoded.jsonUTF8Data(options: jsonOptions)
    }

    /// A JSON record as binary. Fields the .proto files do not define are left out.
    public static func protobuf(fromJSON data: Data, as message: Message) throws -> Data {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        let decoded = try message.type.init(jsonUTF8Data: data, extensions: nil, options: options)
        return try decoded.serializedData(partial: true)
    }

    /// What an event stream applies to each JSON record for a client that accepts `format`:
    /// nothing for JSON; for protobuf, the conversion (a record that fails it is dropped, as a
    /// record the client could not read would only break its stream).
    public static func transcoder(for format: WireFormat, as message: Message) -> (@Sendable (Data) -> Data?)? {
        guard format == .protobuf else { return nil }
        return { try? protobuf(fromJSON: $0, as: message) }
    }

    private static let jsonOptions: JSONEncodingOptions = {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        options.alwaysPrintInt64sAsNumbers = true
        return options
    }()
}

extension Reply {
    /// A v1 call body in either format, or the 400 Mesos sends for it. A protobuf body is read
    /// as the JSON it stands for, so both formats meet the same rules and messages afterwards.
    public static func decodeCall<T: Decodable>(_ type: T.Type, from body: Data, format: WireFormat,
                                                as message: ProtobufBridge.Message) -> Result<T, ResponseError> {
        guard format == .protobuf else { return decodeCall(type, from: body) }
        let json: Data
        do {
            json = try ProtobufBridge.json(fromProtobuf: body, as: message)
        } catch {
            return .failure(ResponseError(response: text(.badRequest, "Failed to parse body into Call protobuf: \(error)")))
        }
        return decodeCall(type, from: json)
    }
}

extension Response {
    /// This answer in the format the client accepts: a JSON body of a 200 is read whole and
    /// converted; anything else (an error's text, an empty 200, a stream) is left as it is.
    public func transcoded(to format: WireFormat, as message: ProtobufBridge.Message) async -> Response {
        guard format == .protobuf, status == .ok, headers[.contentType] == WireFormat.json.mediaType else { return self }
        let sink = BodySink()
        do {
            try await body.write(BodyCollector(sink: sink))
            let converted = try ProtobufBridge.protobuf(fromJSON: Data(sink.buffer.readableBytesView), as: message)
            var headers = HTTPFields()
            headers[.contentType] = format.mediaType
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(data: converted)))
        } catch {
            return Reply.text(.internalServerError, "Failed to encode the response as protobuf: \(error)")
        }
    }
}

/// Where `BodyCollector` puts a response body; read after the body is written, by one task.
private final class BodySink: @unchecked Sendable {
    var buffer = ByteBuffer()
}

private struct BodyCollector: ResponseBodyWriter {
    let sink: BodySink

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        sink.buffer.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
