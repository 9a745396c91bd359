import NIOCore

/// The `multi` request/response framing (MultiOperationRecord and
/// MultiResponse in the Java client): each element is preceded by a
/// MultiHeader and the list ends with a header whose `done` is true.
enum Multi {
    static func writeRequest(_ ops: [ZooKeeperOp], to buffer: inout ByteBuffer) {
        for op in ops {
            writeHeader(type: op.opCode.rawValue, done: false, to: &buffer)
            op.writeBody(to: &buffer)
        }
        writeHeader(type: -1, done: true, to: &buffer)
    }

    /// The error code of the op that made the transaction fail, or nil if it
    /// committed. On failure the server reports every op as an error result:
    /// ops before the culprit carry 0 and ops after it carry
    /// RUNTIMEINCONSISTENCY, so the first code that is neither is the cause.
    static func firstError(in buffer: inout ByteBuffer) throws -> Int32? {
        var firstError: Int32?
        var fallback: Int32?
        while true {
            let type = try buffer.readJuteInt()
            let done = try buffer.readJuteBool()
            _ = try buffer.readJuteInt()  // header err; the body repeats it
            if done { break }
            switch OpCode(rawValue: type) {
            case .create:
                _ = try buffer.readJuteString()
            case .setData:
                _ = try Stat(jute: &buffer)
            case .delete, .check:
                break
            case .error:
                let err = try buffer.readJuteInt()
                if err == ErrorCode.runtimeInconsistency {
                    fallback = fallback ?? err
                } else if err != ErrorCode.ok {
                    firstError = firstError ?? err
                }
            default:
                // We never send other op types, so we cannot skip their body.
                throw ZooKeeperError.malformedReply
            }
        }
        return firstError ?? fallback
    }

    private static func writeHeader(type: Int32, done: Bool, to buffer: inout ByteBuffer) {
        buffer.writeJuteInt(type)
        buffer.writeJuteBool(done)
        buffer.writeJuteInt(-1)
    }
}
