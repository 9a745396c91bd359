import Foundation

/// RecordIO framing: `<decimal length>\n<payload>`, records back to back, nothing between them.
public enum RecordIO {
    public static func frame(_ payload: Data) -> Data {
        var out = Data("\(payload.count)\n".utf8)
        out.append(payload)
        return out
    }
}

/// Incremental RecordIO reader: feed it bytes as they arrive (chunk boundaries carry no
/// meaning), take whole records out.
public struct RecordIODecoder: Sendable {
    public enum Failure: Error, Equatable { case badLength(String), tooLarge(Int) }

    private var buffer = [UInt8]()
    private var start = 0
    public let maxRecordSize: Int

    public init(maxRecordSize: Int = 64 << 20) { self.maxRecordSize = maxRecordSize }

    public mutating func feed<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete record, or nil until more bytes arrive.
    public mutating func next() throws -> Data? {
        guard let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.count - start > 20 { throw Failure.badLength(String(decoding: buffer[start..<start + 20], as: UTF8.self)) }
            return nil
        }
        let digits = String(decoding: buffer[start..<newline], as: UTF8.self)
        guard let length = Int(digits), length >= 0 else { throw Failure.badLength(digits) }
        guard length <= maxRecordSize else { throw Failure.tooLarge(length) }
        let bodyStart = newline + 1
        guard buffer.count - bodyStart >= length else { return nil }
        let record = Data(buffer[bodyStart..<bodyStart + length])
        start = bodyStart + length
        compact()
        return record
    }

    private mutating func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true); start = 0
        } else if start > 65536 {
            buffer.removeFirst(start); start = 0
        }
    }
}
