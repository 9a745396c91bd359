import Foundation
import Hummingbird
import HTTPTypes
import MesosAPI
import NIOCore
import Synchronization

/// One server-to-client RecordIO stream (a scheduler subscription or an agent's link).
/// The owner pushes events; the HTTP response body drains them. Records that pile up while a
/// write is in progress leave together in the next write, so a burst of updates costs one
/// write, not one per record. `finish()` ends the response; a failed write (the peer went
/// away) is reported through `onClose`.
/// Events are encoded by whoever drains the stream, not by the sender: the sender is usually
/// the master's actor, and an offer event for thousands of agents is megabytes of JSON that
/// would hold every other call up. Records keep their order because the drain takes them all.
public final class EventStream: Sendable {
    public let id: String
    private let state = Mutex(State())

    private struct State: ~Copyable {
        var pending: [Record] = []
        var waiter: CheckedContinuation<Void, Never>?
        var finished = false
    }

    /// Turns each JSON record into the format the client accepts (protobuf); nil for JSON.
    private let transcode: (@Sendable (Data) -> Data?)?

    public init(id: String = UUID().uuidString.lowercased(), transcode: (@Sendable (Data) -> Data?)? = nil) {
        self.id = id
        self.transcode = transcode
    }

    /// A record as queued: its payload, or the event to encode into one when drained.
    private enum Record {
        case payload(Data)
        case event(@Sendable () -> Data?)
    }

    public func send<T: Encodable & Sendable>(_ event: T) {
        enqueue(.event { try? WireCodec.encode(event) })
    }

    /// An event whose JSON `encode` writes (by hand, for the bulkiest events), when the stream
    /// is drained as `send` would.
    public func send(encoded encode: @escaping @Sendable () -> Data?) {
        enqueue(.event(encode))
    }

    public func sendRecord(_ payload: Data) {
        enqueue(.payload(payload))
    }

    private func enqueue(_ record: Record) {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard !state.finished else { return nil }
            state.pending.append(record)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// The records as RecordIO bytes, encoding the events among them here.
    private func frame(_ records: [Record]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for record in records {
            var payload: Data?
            switch record {
            case .payload(let data): payload = data
            case .event(let encode): payload = encode()
            }
            if let transcode, let json = payload { payload = transcode(json) }
            guard let payload else { continue }
            buffer.writeString("\(payload.count)\n")
            buffer.writeBytes(payload)
        }
        return buffer
    }

    public func finish() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Whatever is queued right now, without waiting: for callers that drive the master
    /// directly, such as tests.
    public func takePending() -> ByteBuffer {
        frame(state.withLock { state in
            defer { state.pending = [] }
            return state.pending
        })
    }

    /// Everything written since the last call, waiting until there is something; nil once
    /// finished and drained, or when the task is cancelled (the server is stopping), so the
    /// response always ends properly.
    public func nextChunk() async -> ByteBuffer? {
        while true {
            if Task.isCancelled { finish() }
            let records: [Record]?? = state.withLock { state in
                if !state.pending.isEmpty {
                    defer { state.pending = [] }
                    return .some(state.pending)
                }
                return state.finished ? .some(nil) : .none
            }
            if let records {
                guard let records else { return nil }
                let chunk = frame(records)
                if chunk.readableBytes > 0 { return chunk }
                continue
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state in
                        if !state.pending.isEmpty || state.finished { return true }
                        state.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                self.finish()
            }
        }
    }

    /// The chunked response body: writes records as they arrive and a heartbeat record every
    /// `interval`; calls `onClose(true)` if the peer disconnected, `onClose(false)` when finished.
    public func responseBody(heartbeat: Data?, interval: Duration,
                             onClose: @escaping @Sendable (Bool) async -> Void) -> ResponseBody {
        let heartbeatTask: Task<Void, Never>? = heartbeat.map { beat in
            Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    if Task.isCancelled { break }
                    self?.sendRecord(beat)
                }
            }
        }
        return ResponseBody { writer in
            defer { heartbeatTask?.cancel() }
            do {
                while let chunk = await self.nextChunk() {
                    try await writer.write(chunk)
                }
                try await writer.finish(nil)
                await onClose(false)
            } catch {
                self.finish()
                await onClose(true)
                throw error
            }
        }
    }
}
