/// One step of an atomic `multi`. Only the write-side operations are offered
/// because those are what transactions (e.g. "check leader, then write") need.
public enum ZooKeeperOp: Sendable {
    case create(path: String, data: [UInt8], mode: CreateMode)
    case setData(path: String, data: [UInt8], version: Int32)
    case delete(path: String, version: Int32)
    case check(path: String, version: Int32)
}
