import Foundation
import HTTPTypes
import Hummingbird
import MesosAPI
import NIOCore

/// One server-to-client RecordIO stream (a scheduler subscription or an agent's link).
/// The owner pushes encoded events; the HTTP response body drains them. `finish()` ends the
/// response; a failed write (the peer went away) is reported through `onClose`.
public final class EventStream: Sendable {
    public let id: String
    private let continuation: AsyncStream<ByteBuffer>.Continuation
    private let stream: AsyncStream<ByteBuffer>

    public init(id: String = UUID().uuidString.lowercased()) {
        self.id = id
        (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
    }

    public func send<T: Encodable>(_ event: T) {
        guard let payload = try? WireCodec.encode(event) else { return }
        sendRecord(payload)
    }

    public func sendRecord(_ payload: Data) {
        continuation.yield(ByteBuffer(bytes: RecordIO.frame(payload)))
    }

    public func finish() { continuation.finish() }

    /// The chunked response body: writes every record as it arrives and a heartbeat record every
    /// `heartbeat`; calls `onClose(true)` if the peer disconnected, `onClose(false)` when finished.
    public func responseBody(heartbeat: Data?, interval: Duration,
                             onClose: @escaping @Sendable (Bool) async -> Void) -> ResponseBody {
        let stream = self.stream
        let continuation = self.continuation
        let heartbeatTask: Task<Void, Never>? = heartbeat.map { beat in
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    if Task.isCancelled { break }
                    continuation.yield(ByteBuffer(bytes: RecordIO.frame(beat)))
                }
            }
        }
        return ResponseBody { writer in
            defer { heartbeatTask?.cancel() }
            do {
                for await buffer in stream {
                    try await writer.write(buffer)
                }
                try await writer.finish(nil)
                await onClose(false)
            } catch {
                continuation.finish()
                await onClose(true)
                throw error
            }
        }
    }
}
