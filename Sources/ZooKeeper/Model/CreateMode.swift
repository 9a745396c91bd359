/// Whether a znode outlives its creator's session, and whether the server
/// makes the name unique by appending a counter.
public enum CreateMode: Sendable {
    case persistent
    case ephemeral
    case persistentSequential
    case ephemeralSequential

    /// CreateRequest.flags as ZooKeeper's CreateMode defines them:
    /// bit 0 = ephemeral, bit 1 = sequential.
    var wireFlags: Int32 {
        switch self {
        case .persistent: 0
        case .ephemeral: 1
        case .persistentSequential: 2
        case .ephemeralSequential: 3
        }
    }
}
