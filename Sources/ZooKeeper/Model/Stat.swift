import NIOCore

/// A znode's metadata. `version` is what optimistic-concurrency callers pass
/// back to `setData`/`delete`/`check`; `ephemeralOwner` is the owning session
/// (0 for persistent nodes), which leader-election code uses to tell whose
/// node it is.
public struct Stat: Sendable, Equatable {
    public var czxid, mzxid: Int64
    public var ctime, mtime: Int64
    public var version, cversion, aversion: Int32
    public var ephemeralOwner: Int64
    public var dataLength, numChildren: Int32
    public var pzxid: Int64

    public init(
        czxid: Int64 = 0, mzxid: Int64 = 0, ctime: Int64 = 0, mtime: Int64 = 0,
        version: Int32 = 0, cversion: Int32 = 0, aversion: Int32 = 0,
        ephemeralOwner: Int64 = 0, dataLength: Int32 = 0, numChildren: Int32 = 0,
        pzxid: Int64 = 0
    ) {
        self.czxid = czxid
        self.mzxid = mzxid
        self.ctime = ctime
        self.mtime = mtime
        self.version = version
        self.cversion = cversion
        self.aversion = aversion
        self.ephemeralOwner = ephemeralOwner
        self.dataLength = dataLength
        self.numChildren = numChildren
        self.pzxid = pzxid
    }
}

extension Stat {
    /// Field order is fixed by `class Stat` in zookeeper.jute.
    init(jute buffer: inout ByteBuffer) throws {
        self.init(
            czxid: try buffer.readJuteLong(),
            mzxid: try buffer.readJuteLong(),
            ctime: try buffer.readJuteLong(),
            mtime: try buffer.readJuteLong(),
            version: try buffer.readJuteInt(),
            cversion: try buffer.readJuteInt(),
            aversion: try buffer.readJuteInt(),
            ephemeralOwner: try buffer.readJuteLong(),
            dataLength: try buffer.readJuteInt(),
            numChildren: try buffer.readJuteInt(),
            pzxid: try buffer.readJuteLong()
        )
    }
}
