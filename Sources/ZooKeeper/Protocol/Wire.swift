/// Numbers from ZooDefs.OpCode; only the ones this client sends or reads.
enum OpCode: Int32 {
    case error = -1
    case create = 1
    case delete = 2
    case exists = 3
    case getData = 4
    case setData = 5
    case getChildren = 8
    case ping = 11
    case check = 13
    case multi = 14
    case closeSession = -11
}

/// Reserved xids the server uses for frames that answer no numbered request.
enum SpecialXid {
    static let notification: Int32 = -1
    static let ping: Int32 = -2
    static let auth: Int32 = -4
}

/// Limits we apply to the wire.
enum WireLimits {
    /// Larger than any legal reply (jute.maxbuffer defaults to ~1 MiB, and a
    /// getChildren reply is bounded by it too), small enough that a corrupt
    /// length cannot make us buffer gigabytes.
    static let maxFrameLength = 16 * 1024 * 1024
    /// ConnectRequest.passwd is 16 bytes once the server has issued one.
    static let passwordLength = 16
}
