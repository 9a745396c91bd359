import Foundation
import NIOCore

/// A JSON document built by hand, for the legacy endpoints (`/master/state`) whose shape is not
/// protobuf-derived: keys keep their insertion order and exact spelling, which JSONEncoder
/// would not.
public indirect enum JSONValue: Sendable {
    case string(String)
    case number(Double)
    case int(Int64)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])
    /// A fragment already serialised (by a writer faster than a tree for bulk data).
    case raw([UInt8])
    /// A fragment written straight into the document when it is serialised, about `size` bytes:
    /// bulk data (a large cluster's tasks) then takes no buffer of its own to be copied from.
    case stream(size: Int, write: @Sendable (inout [UInt8]) -> Void)
    /// A fragment already serialised into a buffer that documents share: `chunks()` sends it as
    /// it is, without copying it into the document.
    case buffer(ByteBuffer)

    /// Serialises with keys in insertion order (JSONEncoder would sort or hash them). Bytes are
    /// written straight into one buffer: `/master/state` of a large cluster is tens of megabytes.
    public func serialized() -> Data { Data(bytes) }

    /// The document as buffers to send one after another: what it says in its own bytes, and
    /// its `.buffer` fragments as they are.
    public var chunks: [ByteBuffer] {
        var all: [ByteBuffer] = []
        writeChunks { all.append($0) }
        return all
    }

    /// The same buffers, each handed to `emit` as soon as it is complete: a reader can be sent
    /// the start of a large document while the rest is written.
    public func writeChunks(_ emit: (ByteBuffer) -> Void) {
        withoutActuallyEscaping(emit) { emit in
            var writer = ChunkWriter(emit: emit)
            writeChunks(into: &writer)
            writer.flush()
        }
    }

    private func writeChunks(into writer: inout ChunkWriter) {
        switch self {
        case .buffer(let buffer):
            writer.flush()
            writer.emit(buffer)
        case .array(let items):
            writer.pending.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { writer.pending.append(UInt8(ascii: ",")) }
                item.writeChunks(into: &writer)
                writer.flushIfLarge()
            }
            writer.pending.append(UInt8(ascii: "]"))
        case .object(let pairs):
            writer.pending.append(UInt8(ascii: "{"))
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { writer.pending.append(UInt8(ascii: ",")) }
                JSONValue.quote(key, into: &writer.pending)
                writer.pending.append(UInt8(ascii: ":"))
                value.writeChunks(into: &writer)
                writer.flushIfLarge()
            }
            writer.pending.append(UInt8(ascii: "}"))
        default:
            write(into: &writer.pending)
        }
    }

    private struct ChunkWriter {
        let emit: (ByteBuffer) -> Void
        var pending: [UInt8] = []

        mutating func flush() {
            guard !pending.isEmpty else { return }
            emit(ByteBuffer(bytes: pending))
            pending.removeAll(keepingCapacity: true)
        }

        /// A megabyte is worth sending while the rest is written.
        mutating func flushIfLarge() {
            if pending.count >= 1 << 20 { flush() }
        }
    }

    /// The serialised bytes, without the copy into `Data`.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(sizeHint)
        write(into: &out)
        return out
    }

    public func write(into out: inout [UInt8]) {
        switch self {
        case .string(let s): JSONValue.quote(s, into: &out)
        case .number(let d): JSONValue.number(d, into: &out)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .raw(let bytes): out.append(contentsOf: bytes)
        case .stream(_, let write): write(&out)
        case .buffer(let buffer): out.append(contentsOf: buffer.readableBytesView)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.quote(key, into: &out)
                out.append(UInt8(ascii: ":"))
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Whole numbers as `4.0` (Mesos's doubles print so), others in Swift's shortest form.
    public static func number(_ d: Double, into out: inout [UInt8]) {
        guard d.isFinite else { return out.append(contentsOf: "null".utf8) }
        if d == d.rounded() && abs(d) < 1e15 {
            out.append(contentsOf: String(Int64(d)).utf8)
            out.append(contentsOf: ".0".utf8)
        } else {
            out.append(contentsOf: "\(d)".utf8)
        }
    }

    public static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        // Most strings need no escaping: their bytes go in with one copy.
        let plain = s.withUTF8 { bytes in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                return false
            }
            out.append(contentsOf: bytes)
            return true
        }
        if !plain { escape(s, into: &out) }
        out.append(UInt8(ascii: "\""))
    }

    private static func escape(_ s: String, into out: inout [UInt8]) {
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(byte >> 4)], hex[Int(byte & 0xf)]])
            default: out.append(byte)
            }
        }
    }

    /// About how many bytes `write` produces, so the buffer is allocated once: a large state
    /// document grown by doubling is copied (and page-faulted) several times over.
    public var sizeHint: Int {
        switch self {
        case .string(let s): return s.utf8.count + 2
        case .number, .int: return 24
        case .bool, .null: return 5
        case .raw(let bytes): return bytes.count
        case .stream(let size, _): return size
        case .buffer(let buffer): return buffer.readableBytes
        case .array(let items): return items.reduce(2) { $0 + $1.sizeHint + 1 }
        case .object(let pairs): return pairs.reduce(2) { $0 + $1.0.utf8.count + 4 + $1.1.sizeHint }
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByFloatLiteral,
    ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
}
