import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Sends libprocess messages as libprocess does: one persistent connection per receiver, each
/// message an HTTP POST to `/<receiver id>/<name>` carrying the sender's name in
/// `Libprocess-From` (and `User-Agent: libprocess/<sender>`), written back to back without
/// waiting for the receiver's 202s (which are read and dropped). A receiver's messages leave in
/// the order `send` was called (it queues at once, without suspending); different receivers do
/// not wait for each other. A receiver that cannot be connected to has its queue dropped and
/// `unreachable` told, as libprocess reports a broken link; a connection the receiver closed is
/// opened again for the next message.
public final class MessageSender: Sendable {
    private struct Peer {
        var queue: [LibprocessMessage] = []
        var channel: (any Channel)?
        var draining = false
    }

    private let from: String
    private let group: any EventLoopGroup
    private let logger: Logger
    private let unreachable: @Sendable (ProcessID) async -> Void
    private let peers = Mutex([ProcessID: Peer]())

    public init(from: String, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger,
                unreachable: @escaping @Sendable (ProcessID) async -> Void) {
        self.from = from
        self.group = group
        self.logger = logger
        self.unreachable = unreachable
    }

    public func send(_ message: LibprocessMessage, to peer: ProcessID) {
        let start: Bool = peers.withLock { peers in
            peers[peer, default: Peer()].queue.append(message)
            guard !peers[peer]!.draining else { return false }
            peers[peer]!.draining = true
            return true
        }
        if start { Task { await self.drain(peer) } }
    }

    /// Writes whatever is queued for the peer, in one write per batch, until nothing is left.
    private func drain(_ peer: ProcessID) async {
        while true {
            let (batch, known): ([LibprocessMessage], (any Channel)?) = peers.withLock { peers in
                let batch = peers[peer]?.queue ?? []
                peers[peer]?.queue = []
                if batch.isEmpty { peers[peer]?.draining = false }
                return (batch, peers[peer]?.channel)
            }
            if batch.isEmpty { return }
            do {
                let channel: any Channel
                if let known, known.isActive {
                    channel = known
                } else {
                    channel = try await connect(peer)
                }
                var buffer = channel.allocator.buffer(capacity: batch.reduce(0) { $0 + $1.body.count + 256 })
                for message in batch { encode(message, to: peer, into: &buffer) }
                try await channel.writeAndFlush(buffer)
            } catch {
                let dropped = peers.withLock { $0.removeValue(forKey: peer)?.queue.count ?? 0 } + batch.count
                logger.info("Libprocess peer \(peer) unreachable (\(error)); dropped \(dropped) messages")
                await unreachable(peer)
                return
            }
        }
    }

    private func connect(_ peer: ProcessID) async throws -> any Channel {
        let channel = try await bootstrap.connect(host: peer.host, port: peer.port).get()
        peers.withLock { $0[peer]?.channel = channel }
        channel.closeFuture.whenComplete { _ in Task { await self.closed(channel, peer: peer) } }
        return channel
    }

    private var bootstrap: ClientBootstrap {
        ClientBootstrap(group: group).connectTimeout(.seconds(5))
            .channelInitializer { $0.pipeline.addHandler(DiscardReplies()) }
    }

    /// The link to a peer closed. libprocess takes that as the peer's exit; here the peer's
    /// port is tried once more first, so a receiver that merely closed an idle connection is
    /// not mistaken for one that is gone. Nothing is reported while messages are still queued
    /// (the drain reconnects and reports a failure itself).
    private func closed(_ channel: any Channel, peer: ProcessID) async {
        let current: Bool = peers.withLock { peers in
            guard peers[peer]?.channel === channel else { return false }
            peers[peer]?.channel = nil
            return !(peers[peer]?.draining ?? true)
        }
        guard current else { return }
        if let probe = try? await bootstrap.connect(host: peer.host, port: peer.port).get() {
            try? await probe.close()
            return
        }
        let gone: Bool = peers.withLock { peers in
            guard let state = peers[peer], state.channel == nil, !state.draining else { return false }
            peers.removeValue(forKey: peer)
            return true
        }
        guard gone else { return }
        logger.info("Libprocess peer \(peer) exited (its link closed and its port refuses connections)")
        await unreachable(peer)
    }

    /// A message as libprocess writes it: a chunked POST whose body is one chunk.
    private func encode(_ message: LibprocessMessage, to peer: ProcessID, into buffer: inout ByteBuffer) {
        buffer.writeString("POST /\(peer.id)/\(message.name) HTTP/1.1\r\n")
        buffer.writeString("User-Agent: libprocess/\(from)\r\nLibprocess-From: \(from)\r\n")
        buffer.writeString("Connection: Keep-Alive\r\nHost: \(peer.host):\(peer.port)\r\n")
        if message.body.isEmpty {
            buffer.writeString("Content-Length: 0\r\n\r\n")
            return
        }
        buffer.writeString("Transfer-Encoding: chunked\r\n\r\n\(String(message.body.count, radix: 16))\r\n")
        buffer.writeBytes(message.body)
        buffer.writeString("\r\n0\r\n\r\n")
    }
}

/// The receiver answers each message (202, or 404 for an unknown process); nothing here needs
/// the answers, so they are read and dropped.
private final class DiscardReplies: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
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
