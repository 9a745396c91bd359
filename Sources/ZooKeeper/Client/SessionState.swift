import NIOCore

/// Where the client's one session stands. Only `.connected` can carry
/// requests; the other states decide which error a call fails with.
enum SessionState {
    case idle
    /// The first `connect()`; later callers await the same attempt.
    case connecting(Task<Void, any Error>)
    case connected(Connection)
    /// Between connections of a still-live session: calls fail fast with
    /// `.connectionLoss` so callers decide themselves whether to retry.
    case reconnecting
    case expired
    case closed
}

/// What the server needs to let us resume the session on another
/// connection (possibly to another server of the ensemble).
struct SessionCredentials {
    var sessionID: Int64 = 0
    var password: [UInt8] = []
    /// The negotiated timeout once connected; the requested one before.
    var timeout: Duration
    /// Highest zxid seen, so a lagging server refuses to serve us stale data.
    var lastZxid: Int64 = 0
}

struct PendingRequest {
    let xid: Int32
    let continuation: CheckedContinuation<Reply, any Error>
}

/// A reply as matched to its request. The error code is kept apart from the
/// body because some callers treat a code as an answer (exists + noNode).
struct Reply {
    var err: Int32
    var body: ByteBuffer

    func payload() throws -> ByteBuffer {
        guard err == ErrorCode.ok else { throw ZooKeeperError(code: err) }
        return body
    }
}

extension Int64 {
    /// Session ids are conventionally shown in hex (as in ZooKeeper's logs).
    var hex: String { "0x" + String(UInt64(bitPattern: self), radix: 16) }
}
