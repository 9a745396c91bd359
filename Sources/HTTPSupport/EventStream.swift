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
public final class EventStream: Sendable {
    public let id: String
    private let state = Mutex(State())

    private struct State: ~Copyable {
        var pending = ByteBuffer()
        var waiter: CheckedContinuation<Void, Never>?
        var finished = false
    }

    public init(id: String = UUID().uuidString.lowercased()) {
        self.id = id
    }

    public func send<T: Encodable>(_ event: T) {
        guard let payload = try? WireCodec.encode(event) else { return }
        sendRecord(payload)
    }

    public func sendRecord(_ payload: Data) {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard !state.finished else { return nil }
            state.pending.writeString("\(payload.count)\n")
            state.pending.writeBytes(payload)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
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
        state.withLock { state in
            defer { state.pending = ByteBuffer() }
            return state.pending
        }
    }

    /// Everything written since the last call, waiting until there is something; nil once
    /// finished and drained, or when the task is cancelled (the server is stopping), so the
    /// response always ends properly.
    func nextChunk() async -> ByteBuffer? {
        while true {
            if Task.isCancelled { finish() }
            let chunk: ByteBuffer?? = state.withLock { state in
                if state.pending.readableBytes > 0 {
                    defer { state.pending = ByteBuffer() }
                    return .some(state.pending)
                }
                return state.finished ? .some(nil) : .none
            }
            if let chunk { return chunk }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state in
                        if state.pending.readableBytes > 0 || state.finished { return true }
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
