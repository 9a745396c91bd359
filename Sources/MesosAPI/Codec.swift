import Foundation

/// The JSON mapping Mesos uses: proto field names (snake_case, spelled out in each type's
/// `CodingKeys` rather than converted on every key, which costs a third of the codec's time),
/// enums as strings, unknown fields ignored, compact single-line output (RecordIO readers split
/// on newlines).
public enum WireCodec {
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return e
    }

    public static func decoder() -> JSONDecoder {
        JSONDecoder()
    }

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        try encoder().encode(value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decoder().decode(type, from: data)
    }

    /// A decoding error as a sentence that names the offending field, for 400 bodies.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ ctx: DecodingError.Context) -> String {
            let p = ctx.codingPath.map { key -> String in
                if let i = key.intValue { return "[\(i)]" }
                return "." + snake(key.stringValue)
            }.joined()
            return p.isEmpty ? "<root>" : String(p.dropFirst(p.hasPrefix(".") ? 1 : 0))
        }
        switch error {
        case .keyNotFound(let key, let ctx):
            let parent = path(ctx)
            let field = parent == "<root>" ? snake(key.stringValue) : "\(parent).\(snake(key.stringValue))"
            return "Missing required field '\(field)'"
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx):
            return "Invalid value for field '\(path(ctx))': \(ctx.debugDescription)"
        case .dataCorrupted(let ctx):
            if ctx.codingPath.isEmpty { return "Failed to parse body into JSON: \(ctx.debugDescription)" }
            return "Invalid value for field '\(path(ctx))': \(ctx.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    static func snake(_ s: String) -> String {
        var out = ""
        for ch in s {
            if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }
}
