import NIOCore
import Synchronization

/// A document sent to several readers while it is still being written: each reader gets its
/// buffers in order as they are appended. Readers of a large `/master/state` share one build,
/// and sending can start with the parts already written (task lists kept from earlier builds)
/// while the rest is still being built.
public final class SharedDocument: Sendable {
    private struct State {
        var chunks: [ByteBuffer] = []
        var finished = false
        var waiting: [CheckedContinuation<Void, Never>] = []

        mutating func takeWaiting() -> [CheckedContinuation<Void, Never>] {
            defer { waiting = [] }
            return waiting
        }
    }
    private let state = Mutex(State())

    public init() {}

    /// Appends a buffer; empty ones are dropped (a reader would take one for the end).
    public func append(_ chunk: ByteBuffer) {
        guard chunk.readableBytes > 0 else { return }
        let waiting = state.withLock { state in
            state.chunks.append(chunk)
            return state.takeWaiting()
        }
        waiting.forEach { $0.resume() }
    }

    /// Ends the document: readers get nil after its last buffer.
    public func finish() {
        let waiting = state.withLock { state in
            state.finished = true
            return state.takeWaiting()
        }
        waiting.forEach { $0.resume() }
    }

    /// The buffer at `index`, once it is written; nil when the document ended before it.
    public func chunk(at index: Int) async -> ByteBuffer? {
        while true {
            let ready: ByteBuffer?? = state.withLock { state in
                if index < state.chunks.count { return .some(state.chunks[index]) }
                return state.finished ? .some(nil) : nil
            }
            if let ready { return ready }
            await withCheckedContinuation { continuation in
                let now = state.withLock { state in
                    guard index >= state.chunks.count, !state.finished else { return true }
                    state.waiting.append(continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        }
    }

    /// Every buffer, once the document is finished.
    public func collect() async -> [ByteBuffer] {
        var all: [ByteBuffer] = []
        while let chunk = await chunk(at: all.count) { all.append(chunk) }
        return all
    }
}
