import NIOCore

/// Jute's binary archive: big-endian fixed-width integers, one-byte booleans,
/// and int-length-prefixed strings/buffers/vectors where -1 means null.
/// Readers throw `ZooKeeperError.malformedReply` because a short or
/// inconsistent reply means we and the server disagree on the protocol.
extension ByteBuffer {
    mutating func writeJuteInt(_ value: Int32) {
        writeInteger(value, endianness: .big)
    }

    mutating func writeJuteLong(_ value: Int64) {
        writeInteger(value, endianness: .big)
    }

    mutating func writeJuteBool(_ value: Bool) {
        writeInteger(value ? 1 : 0, as: UInt8.self)
    }

    mutating func writeJuteString(_ value: String) {
        writeJuteInt(Int32(value.utf8.count))
        writeString(value)
    }

    mutating func writeJuteBuffer(_ value: [UInt8]) {
        writeJuteInt(Int32(value.count))
        writeBytes(value)
    }

    mutating func readJuteInt() throws -> Int32 {
        guard let value = readInteger(endianness: .big, as: Int32.self) else {
            throw ZooKeeperError.malformedReply
        }
        return value
    }

    mutating func readJuteLong() throws -> Int64 {
        guard let value = readInteger(endianness: .big, as: Int64.self) else {
            throw ZooKeeperError.malformedReply
        }
        return value
    }

    mutating func readJuteBool() throws -> Bool {
        guard let value = readInteger(as: UInt8.self) else { throw ZooKeeperError.malformedReply }
        return value != 0
    }

    /// A null string reads as "" since no caller distinguishes the two.
    mutating func readJuteString() throws -> String {
        let length = try readJuteLength()
        guard let value = readString(length: length) else { throw ZooKeeperError.malformedReply }
        return value
    }

    /// A null buffer reads as [] since no caller distinguishes the two.
    mutating func readJuteBuffer() throws -> [UInt8] {
        let length = try readJuteLength()
        guard let value = readBytes(length: length) else { throw ZooKeeperError.malformedReply }
        return value
    }

    mutating func readJuteStringVector() throws -> [String] {
        let count = try readJuteLength()
        var result: [String] = []
        result.reserveCapacity(count)
        for _ in 0..<count { result.append(try readJuteString()) }
        return result
    }

    /// -1 is null (treated as empty); any other negative length, or one longer
    /// than what is left, cannot be honest.
    private mutating func readJuteLength() throws -> Int {
        let length = try readJuteInt()
        if length == -1 { return 0 }
        guard length >= 0, Int(length) <= readableBytes else { throw ZooKeeperError.malformedReply }
        return Int(length)
    }
}
