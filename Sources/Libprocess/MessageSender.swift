import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Sends libprocess messages, in order per receiver: each is an HTTP POST to
/// `/<receiver id>/<name>` carrying the sender's name in `Libprocess-From` (and, as libprocess
/// itself does, in `User-Agent: libprocess/<sender>`), answered 202 by the receiver. A
/// receiver's messages leave one at a time, in the order `send` was called (it queues at once,
/// without suspending); different receivers do not wait for each other. When a receiver cannot
/// be reached its queue is dropped and `unreachable` is told, as libprocess reports a broken link.
public final class MessageSender: Sendable {
    private struct State {
        var queues: [ProcessID: [LibprocessMessage]] = [:]
    }

    private let from: String
    private let http: HTTPClient
    private let logger: Logger
    private let unreachable: @Sendable (ProcessID) async -> Void
    private let state = Mutex(State())

    public init(from: String, http: HTTPClient = .shared, logger: Logger,
                unreachable: @escaping @Sendable (ProcessID) async -> Void) {
        self.from = from
        self.http = http
        self.logger = logger
        self.unreachable = unreachable
    }

    public func send(_ message: LibprocessMessage, to peer: ProcessID) {
        let start: Bool = state.withLock { state in
            let idle = state.queues[peer] == nil
            state.queues[peer, default: []].append(message)
            return idle
        }
        if start { Task { await self.drain(peer) } }
    }

    /// Sends the peer's queue until it is empty; the queue's presence marks a drain under way.
    private func drain(_ peer: ProcessID) async {
        while let message = next(peer) {
            do {
                try await post(message, to: peer)
            } catch {
                let dropped = state.withLock { $0.queues.removeValue(forKey: peer)?.count ?? 0 }
                logger.info("Libprocess peer \(peer) unreachable (\(error)); dropped \(dropped) queued messages")
                await unreachable(peer)
                return
            }
        }
    }

    private func next(_ peer: ProcessID) -> LibprocessMessage? {
        state.withLock { state in
            guard var queue = state.queues[peer], !queue.isEmpty else {
                state.queues[peer] = nil
                return nil
            }
            let first = queue.removeFirst()
            // An emptied queue stays (empty) until the next look, so a send meanwhile joins it.
            state.queues[peer] = queue
            return first
        }
    }

    private func post(_ message: LibprocessMessage, to peer: ProcessID) async throws {
        var request = HTTPClientRequest(url: "http://\(peer.host):\(peer.port)/\(peer.id)/\(message.name)")
        request.method = .POST
        request.headers.add(name: "Libprocess-From", value: from)
        request.headers.add(name: "User-Agent", value: "libprocess/\(from)")
        request.body = .bytes(ByteBuffer(bytes: message.body))
        let response = try await http.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 16)
        if response.status != .accepted {
            logger.info("Libprocess peer \(peer) answered \(response.status.code) to \(message.name)")
        }
    }
}

/// How the HTTP layer recognises a libprocess message: a POST that carries `Libprocess-From`
/// (or `User-Agent: libprocess/<sender>`) to `/<receiver id>/<message name>`.
public enum LibprocessRequest {
    public static func parse(path: String, from header: String?, userAgent: String?) -> (from: ProcessID, to: String, name: String)? {
        let sender: ProcessID?
        if let header {
            sender = ProcessID(header)
        } else if let userAgent, userAgent.hasPrefix("libprocess/") {
            sender = ProcessID(userAgent.dropFirst("libprocess/".count))
        } else {
            return nil
        }
        guard let sender, path.hasPrefix("/") else { return nil }
        let parts = path.dropFirst().split(separator: "/", maxSplits: 1)
        guard parts.count == 2, !parts[1].isEmpty else { return nil }
        let to = String(parts[0]).removingPercentEncoding ?? String(parts[0])
        return (sender, to, String(parts[1]))
    }
}
