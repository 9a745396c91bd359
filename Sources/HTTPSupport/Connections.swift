import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// A request context that knows its connection, so a long-lived stream can learn at once that
/// its client went away instead of at the next heartbeat.
public struct ConnectionContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Closes a connection whose client has closed its side. The server allows half-closed
/// connections, so without this an idle stream to a client that is gone stays open until a
/// write fails; libprocess treats the end of input as a disconnection too.
public final class CloseOnEndOfInput: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart

    public init() {}

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

public extension HTTPServerBuilder {
    /// HTTP/1.1 with `CloseOnEndOfInput`.
    static var http1ClosingOnEndOfInput: HTTPServerBuilder {
        .http1(configuration: .init(additionalChannelHandlers: [CloseOnEndOfInput()]))
    }
}

public extension EventStream {
    /// Ends the stream and reports the peer gone as soon as its connection closes.
    func watch(_ channel: any Channel, onClosed: @escaping @Sendable () async -> Void) {
        channel.closeFuture.whenComplete { _ in
            self.finish()
            Task { await onClosed() }
        }
    }
}
