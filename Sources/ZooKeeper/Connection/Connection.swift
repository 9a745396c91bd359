import Logging
import NIOCore
import NIOPosix

/// One TCP connection to one server that has completed the session
/// handshake. It is deliberately dumb: it writes frames and exposes received
/// frames; all session logic lives in the client actor.
final class Connection: Sendable {
    let channel: any Channel
    let frames: AsyncStream<ByteBuffer>
    let server: HostPort

    private init(channel: any Channel, frames: AsyncStream<ByteBuffer>, server: HostPort) {
        self.channel = channel
        self.frames = frames
        self.server = server
    }

    /// Dials `server`, sends `request` and waits for the ConnectResponse, all
    /// within `timeout` (a silent server must not eat the whole session
    /// timeout when other hosts could answer).
    static func open(
        to server: HostPort,
        request: ConnectRequest,
        timeout: Duration,
        group: any EventLoopGroup
    ) async throws -> (Connection, ConnectResponse) {
        let loop = group.next()
        let handshake = loop.makePromise(of: ByteBuffer.self)
        let (frames, sink) = AsyncStream.makeStream(of: ByteBuffer.self)
        let timeAmount = TimeAmount(timeout)

        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(timeAmount)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            ByteToMessageHandler(FrameDecoder()),
                            FrameForwarder(handshake: handshake, frames: sink)
                        )
                    }
                }
                .connect(host: server.host, port: server.port)
                .get()
        } catch {
            handshake.fail(error)  // no-op if the handler already failed it
            sink.finish()
            throw error
        }

        // Closing on timeout fails the handshake through channelInactive.
        let timer = channel.eventLoop.scheduleTask(in: timeAmount) { channel.close(promise: nil) }
        let connection = Connection(channel: channel, frames: frames, server: server)
        connection.send(makeFrame { request.write(to: &$0) })
        do {
            var reply = try await handshake.futureResult.get()
            timer.cancel()
            return (connection, try ConnectResponse(jute: &reply))
        } catch {
            timer.cancel()
            connection.close()
            throw error
        }
    }

    /// A failed write leaves us unsure what the server saw, so the connection
    /// is closed; the resulting end of `frames` drives reconnection.
    func send(_ frame: ByteBuffer) {
        let channel = self.channel
        channel.writeAndFlush(frame).whenFailure { _ in channel.close(promise: nil) }
    }

    func close() {
        channel.close(promise: nil)
    }
}
