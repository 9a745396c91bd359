import NIOCore

/// The framing and session records of zookeeper.jute that are not tied to a
/// single operation.

struct RequestHeader {
    var xid: Int32
    var opCode: OpCode

    func write(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt(xid)
        buffer.writeJuteInt(opCode.rawValue)
    }
}

struct ReplyHeader {
    var xid: Int32
    var zxid: Int64
    var err: Int32

    init(jute buffer: inout ByteBuffer) throws {
        xid = try buffer.readJuteInt()
        zxid = try buffer.readJuteLong()
        err = try buffer.readJuteInt()
    }
}

/// Sent first on every TCP connection; a zero sessionId asks for a new
/// session, a known one (with its password) resumes it.
struct ConnectRequest {
    var lastZxidSeen: Int64
    var timeoutMilliseconds: Int32
    var sessionID: Int64
    var password: [UInt8]

    func write(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt(0)  // protocolVersion
        buffer.writeJuteLong(lastZxidSeen)
        buffer.writeJuteInt(timeoutMilliseconds)
        buffer.writeJuteLong(sessionID)
        buffer.writeJuteBuffer(password)
        buffer.writeJuteBool(false)  // readOnly: we only want a read-write server
    }
}

struct ConnectResponse {
    var timeoutMilliseconds: Int32
    var sessionID: Int64
    var password: [UInt8]

    /// The trailing readOnly flag newer servers append is ignored: we never
    /// ask for read-only sessions.
    init(jute buffer: inout ByteBuffer) throws {
        _ = try buffer.readJuteInt()  // protocolVersion
        timeoutMilliseconds = try buffer.readJuteInt()
        sessionID = try buffer.readJuteLong()
        password = try buffer.readJuteBuffer()
    }

    /// The server answers a resume attempt for a dead session with a zero
    /// timeout and session id instead of an error code.
    var sessionExpired: Bool { timeoutMilliseconds <= 0 || sessionID == 0 }
}

/// Body of an xid -1 notification frame.
struct WatcherEventRecord {
    var type: Int32
    var state: Int32
    var path: String

    init(jute buffer: inout ByteBuffer) throws {
        type = try buffer.readJuteInt()
        state = try buffer.readJuteInt()
        path = try buffer.readJuteString()
    }
}

/// Writes one length-prefixed frame: the 4-byte length is patched in after
/// the body so no body has to precompute its size.
func makeFrame(_ writeBody: (inout ByteBuffer) -> Void) -> ByteBuffer {
    var buffer = ByteBufferAllocator().buffer(capacity: 256)
    buffer.writeJuteInt(0)
    writeBody(&buffer)
    buffer.setInteger(Int32(buffer.readableBytes - 4), at: buffer.readerIndex, endianness: .big)
    return buffer
}
