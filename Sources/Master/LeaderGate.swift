import Foundation
import MesosAPI

/// Whether this master leads, read on every request without a hop onto the master's actor. A
/// single master always leads; with `--zk` the election sets it.
public final class LeaderGate: @unchecked Sendable {
    public enum State: Sendable, Equatable {
        case leading
        /// Another master leads; nil while no leader is known.
        case following(leader: String?)
    }

    private let lock = NSLock()
    private var value: State

    public init(_ state: State = .leading) { value = state }

    public var state: State {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }

    /// Paths a master answers whether or not it leads: its own health and version, and where
    /// the leader is.
    static let alwaysServed: Set<String> = ["/health", "/version", "/redirect", "/metrics/snapshot", "/metrics"]
}
