import Logging
import NIOCore
import NIOPosix

/// A single ZooKeeper session, kept alive across connection drops until the
/// server (or the session timeout) says it is gone. The actor owns all state;
/// NIO code only moves frames in and out (see `FrameForwarder`).
public actor ZooKeeperClient {
    let servers: [HostPort]
    let requestedTimeout: Duration
    let logger: Logger
    let group: any EventLoopGroup
    let eventStream: AsyncStream<WatchEvent>
    let eventSink: AsyncStream<WatchEvent>.Continuation

    var state: SessionState = .idle
    var credentials: SessionCredentials
    var pending = CircularBuffer<PendingRequest>()
    var nextXid: Int32 = 1
    var nextServer = 0
    /// Bumped whenever a connection is installed or torn down, so late
    /// callbacks from an old connection's tasks recognise themselves as stale.
    var generation: UInt64 = 0
    var lastReceived = ContinuousClock.now
    var lastSent = ContinuousClock.now
    var isClosing = false
    /// Test hook state: see `simulateConnectionLoss(blockingReconnect:)`.
    var reconnectBlocked = false
    /// The reader and pinger of the current connection, or the reconnect loop.
    var connectionTasks: [Task<Void, Never>] = []

    /// Host strings that do not parse are logged and skipped so one typo in a
    /// long ensemble list does not make the whole client unusable.
    public init(hosts: [String], sessionTimeout: Duration, logger: Logger = Logger(label: "plinth.zookeeper")) {
        var servers: [HostPort] = []
        for host in hosts {
            if let server = HostPort(parsing: host) {
                servers.append(server)
            } else {
                logger.warning("ignoring unparsable ZooKeeper host '\(host)'")
            }
        }
        self.servers = servers
        self.requestedTimeout = sessionTimeout
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup.singleton
        self.credentials = SessionCredentials(timeout: sessionTimeout)
        // Bounded so a client nobody listens to cannot grow without limit;
        // 4096 unread events means the consumer is gone, not slow.
        (eventStream, eventSink) = AsyncStream.makeStream(of: WatchEvent.self, bufferingPolicy: .bufferingNewest(4096))
    }

    deinit {
        for task in connectionTasks { task.cancel() }
        if case .connected(let connection) = state { connection.close() }
        eventSink.finish()
    }

    /// 0 until the first `connect()` succeeds.
    public var sessionID: Int64 { credentials.sessionID }

    /// Node watch notifications and session transitions, in order. Ends after
    /// `close()`.
    public nonisolated var events: AsyncStream<WatchEvent> { eventStream }

    func usableConnection(duringClose: Bool = false) throws -> Connection {
        if isClosing, !duringClose { throw ZooKeeperError.closed }
        switch state {
        case .connected(let connection): return connection
        case .expired: throw ZooKeeperError.sessionExpired
        case .closed: throw ZooKeeperError.closed
        case .idle, .connecting, .reconnecting: throw ZooKeeperError.connectionLoss
        }
    }

    /// Sends one request and waits for the reply with the same xid. The
    /// continuation is queued before the write so the reply cannot overtake it.
    func submit(
        _ opCode: OpCode,
        duringClose: Bool = false,
        body: (inout ByteBuffer) -> Void = { _ in }
    ) async throws -> Reply {
        let connection = try usableConnection(duringClose: duringClose)
        let xid = nextXid
        nextXid = nextXid == .max ? 1 : nextXid + 1
        let frame = makeFrame { buffer in
            RequestHeader(xid: xid, opCode: opCode).write(to: &buffer)
            body(&buffer)
        }
        lastSent = .now
        return try await withCheckedThrowingContinuation { continuation in
            pending.append(PendingRequest(xid: xid, continuation: continuation))
            connection.send(frame)
        }
    }

    /// Handles one frame of the current connection. Any frame that breaks
    /// the protocol drops the connection: after that, reply matching could
    /// hand one caller another caller's answer.
    func receive(_ frame: ByteBuffer, generation frameGeneration: UInt64) {
        guard frameGeneration == generation, case .connected(let connection) = state else { return }
        lastReceived = .now
        var body = frame
        do {
            let header = try ReplyHeader(jute: &body)
            if header.zxid > credentials.lastZxid { credentials.lastZxid = header.zxid }
            switch header.xid {
            case SpecialXid.notification:
                let record = try WatcherEventRecord(jute: &body)
                if let event = WatchEvent(watcherEventType: record.type, path: record.path) {
                    eventSink.yield(event)
                }
            case SpecialXid.ping, SpecialXid.auth:
                break
            default:
                guard let request = pending.popFirst() else { throw ZooKeeperError.malformedReply }
                guard request.xid == header.xid else {
                    request.continuation.resume(throwing: ZooKeeperError.connectionLoss)
                    throw ZooKeeperError.malformedReply
                }
                request.continuation.resume(returning: Reply(err: header.err, body: body))
            }
        } catch {
            logger.error("unexpected frame from \(connection.server); dropping connection")
            connectionEnded(generation: frameGeneration)
        }
    }

    func failPending(with error: ZooKeeperError) {
        let requests = pending
        pending.removeAll()
        for request in requests { request.continuation.resume(throwing: error) }
    }
}
