import NIOCore

/// Request bodies from zookeeper.jute, shared by single calls and by `multi`
/// (which embeds exactly the same records).
extension ByteBuffer {
    /// OPEN_ACL_UNSAFE (perms ALL=31 for world:anyone): Plinth relies on
    /// network isolation, as Mesos does by default, not on znode ACLs.
    mutating func writeOpenACL() {
        writeJuteInt(1)
        writeJuteInt(31)
        writeJuteString("world")
        writeJuteString("anyone")
    }

    mutating func writeCreateRequest(path: String, data: [UInt8], mode: CreateMode) {
        writeJuteString(path)
        writeJuteBuffer(data)
        writeOpenACL()
        writeJuteInt(mode.wireFlags)
    }

    mutating func writeSetDataRequest(path: String, data: [UInt8], version: Int32) {
        writeJuteString(path)
        writeJuteBuffer(data)
        writeJuteInt(version)
    }

    /// DeleteRequest and CheckVersionRequest have the same shape.
    mutating func writePathVersion(path: String, version: Int32) {
        writeJuteString(path)
        writeJuteInt(version)
    }

    /// GetDataRequest, ExistsRequest and GetChildrenRequest share this shape.
    mutating func writePathWatch(path: String, watch: Bool) {
        writeJuteString(path)
        writeJuteBool(watch)
    }
}

extension ZooKeeperOp {
    var opCode: OpCode {
        switch self {
        case .create: .create
        case .setData: .setData
        case .delete: .delete
        case .check: .check
        }
    }

    func writeBody(to buffer: inout ByteBuffer) {
        switch self {
        case let .create(path, data, mode):
            buffer.writeCreateRequest(path: path, data: data, mode: mode)
        case let .setData(path, data, version):
            buffer.writeSetDataRequest(path: path, data: data, version: version)
        case let .delete(path, version), let .check(path, version):
            buffer.writePathVersion(path: path, version: version)
        }
    }
}
