/// The failures callers are expected to branch on get their own case; every
/// other server code is kept verbatim in `.server` so nothing is lost.
public enum ZooKeeperError: Error, Equatable, Sendable {
    case noNode
    case nodeExists
    case badVersion
    case notEmpty
    case noAuth
    case sessionExpired
    /// The request may or may not have been applied: the connection went
    /// away before its reply arrived (or there was no connection).
    case connectionLoss
    /// `close()` was called on this client.
    case closed
    /// Any other KeeperException.Code value, e.g. -8 badArguments.
    case server(Int32)

    /// Maps a KeeperException.Code value (as carried in ReplyHeader.err).
    init(code: Int32) {
        switch code {
        case -101: self = .noNode
        case -110: self = .nodeExists
        case -103: self = .badVersion
        case -111: self = .notEmpty
        case -102: self = .noAuth
        case -112: self = .sessionExpired
        case -4: self = .connectionLoss
        default: self = .server(code)
        }
    }

    /// MARSHALLINGERROR: what we report when a reply does not parse, since
    /// that is the server's own word for the same failure.
    static let malformedReply = ZooKeeperError.server(-5)
}

/// KeeperException.Code values the client interprets itself.
enum ErrorCode {
    static let ok: Int32 = 0
    static let runtimeInconsistency: Int32 = -2
}
