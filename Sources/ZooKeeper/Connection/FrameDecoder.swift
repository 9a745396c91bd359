import NIOCore

/// Splits the byte stream into ZooKeeper frames (4-byte big-endian length,
/// then that many bytes), handing on the body without the length.
struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    struct BadFrameLength: Error {
        var length: Int32
    }

    mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: Int32.self) else {
            return nil
        }
        // A bad length means the stream is out of step; failing closes the
        // channel, which the client treats as a connection loss.
        guard length >= 0, Int(length) <= WireLimits.maxFrameLength else {
            throw BadFrameLength(length: length)
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(length))
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        // A partial frame at EOF is useless: the reply it held is lost anyway.
        try decode(buffer: &buffer)
    }
}
