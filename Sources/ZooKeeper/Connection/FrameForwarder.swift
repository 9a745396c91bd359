import NIOCore

/// The only place where event-loop code meets the client actor. The first
/// frame on a connection is the ConnectResponse and completes `handshake`;
/// every later frame goes, in arrival order, into an AsyncStream that a
/// single task drains into the actor. Ordering matters because replies are
/// matched to requests by position.
final class FrameForwarder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var handshake: EventLoopPromise<ByteBuffer>?
    private let frames: AsyncStream<ByteBuffer>.Continuation

    init(handshake: EventLoopPromise<ByteBuffer>, frames: AsyncStream<ByteBuffer>.Continuation) {
        self.handshake = handshake
        self.frames = frames
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if let handshake {
            self.handshake = nil
            handshake.succeed(frame)
        } else {
            frames.yield(frame)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Any decode or socket error leaves the stream in an unknown state;
        // closing is the only safe recovery, and it ends the frame stream.
        context.close(promise: nil)
    }

    private func finish() {
        handshake?.fail(ZooKeeperError.connectionLoss)
        handshake = nil
        frames.finish()
    }
}
