import Foundation

/// Why an agent's `--resources` value could not be read.
public struct ResourcesParseError: Error, CustomStringConvertible, Hashable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

// MARK: Validation

extension Resources {
    /// The master's static checks on resources a framework asks for. Returns a message naming
    /// the offending resource, or nil when it is acceptable.
    ///
    /// Stricter than construction, which silently drops bad entries: a task asking for
    /// `cpus:-1` must be refused, not quietly launched with nothing.
    public static func validate(_ resource: Resource) -> String? {
        guard !resource.name.isEmpty else { return "Invalid resource: the name must not be empty" }
        let label = resource.reservedRole == "*" ? resource.name : "\(resource.name)(\(resource.reservedRole))"
        func invalid(_ why: String) -> String { "Invalid resource '\(label)': \(why)" }
        let filled = [resource.scalar != nil, resource.ranges != nil, resource.set != nil].filter { $0 }.count
        switch resource.type {
        case .SCALAR:
            guard let scalar = resource.scalar, filled == 1 else {
                return invalid("type SCALAR needs exactly a 'scalar' value")
            }
            if scalar.value.isNaN { return invalid("scalar value is NaN") }
            if !scalar.value.isFinite { return invalid("scalar value \(scalar.value) is not finite") }
            if toMilli(scalar.value) <= 0 {
                return invalid("scalar value \(scalar.value) must be positive (at 3 decimal places)")
            }
        case .RANGES:
            guard let ranges = resource.ranges, filled == 1 else {
                return invalid("type RANGES needs exactly a 'ranges' value")
            }
            if let bad = ranges.range.first(where: { $0.begin > $0.end }) {
                return invalid("range [\(bad.begin)-\(bad.end)] has begin > end")
            }
            let sorted = ranges.range.sorted { $0.begin < $1.begin }
            for (previous, next) in zip(sorted, sorted.dropFirst()) where next.begin <= previous.end {
                return invalid("ranges [\(previous.begin)-\(previous.end)] and [\(next.begin)-\(next.end)] overlap")
            }
        case .SET:
            guard let set = resource.set, filled == 1 else {
                return invalid("type SET needs exactly a 'set' value")
            }
            var seen = Set<String>()
            for item in set.item where !seen.insert(item).inserted {
                return invalid("set item '\(item)' appears more than once")
            }
        case .TEXT:
            return invalid("TEXT resources are not supported")
        }
        return nil
    }

    /// The first problem among `resources`, or nil when all are acceptable.
    public static func validate(_ resources: [Resource]) -> String? {
        resources.lazy.compactMap { validate($0) }.first
    }
}

// MARK: Parsing the agent's --resources flag

extension Resources {
    /// Reads the agent's `--resources` value: either a JSON array of `Resource` objects
    /// (snake_case keys, as Mesos writes them) or the text form
    /// `cpus:4;mem:1024;ports:[31000-32000];disk(prod):100;gpu_ids:{a,b}`.
    /// Resources without a role get `defaultRole`; `*` means unreserved. Zero scalars are
    /// accepted and dropped, as Mesos treats them as empty.
    public static func parse(_ text: String, defaultRole: String = "*") throws -> Resources {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("[") { return try parseJSON(trimmed, defaultRole: defaultRole) }
        return try parseText(trimmed, defaultRole: defaultRole)
    }

    static func parseJSON(_ text: String, defaultRole: String) throws -> Resources {
        let decoder = WireCodec.decoder()
        let list: [Resource]
        do {
            list = try decoder.decode([Resource].self, from: Data(text.utf8))
        } catch {
            throw ResourcesParseError("Invalid JSON resources: \(error)")
        }
        var result = Resources()
        for var resource in list {
            if resource.role == nil && (resource.reservations ?? []).isEmpty && defaultRole != "*" {
                resource.role = defaultRole
            }
            if let zero = resource.scalar, zero.value == 0, resource.type == .SCALAR { continue }
            if let problem = validate(resource) { throw ResourcesParseError(problem) }
            result.add(resource)
        }
        return result
    }

    static func parseText(_ text: String, defaultRole: String) throws -> Resources {
        var result = Resources()
        for rawItem in text.split(separator: ";") {
            let item = trim(rawItem)
            if item.isEmpty { continue }
            guard let colon = item.firstIndex(of: ":") else {
                throw ResourcesParseError("Invalid resource '\(item)': expected name:value")
            }
            var name = trim(item[..<colon])
            let value = trim(item[item.index(after: colon)...])
            var role = defaultRole
            if let open = name.firstIndex(of: "(") {
                guard name.hasSuffix(")") else {
                    throw ResourcesParseError("Invalid resource '\(item)': unbalanced '(' in the role")
                }
                role = trim(name[name.index(after: open)..<name.index(before: name.endIndex)])
                name = trim(name[..<open])
                guard !role.isEmpty else { throw ResourcesParseError("Invalid resource '\(item)': empty role") }
            }
            guard !name.isEmpty else { throw ResourcesParseError("Invalid resource '\(item)': empty name") }
            var resource = try parseValue(name: name, value: value, item: item)
            resource.role = role == "*" ? nil : role
            if resource.type == .SCALAR && resource.scalar?.value == 0 { continue }
            if let problem = validate(resource) { throw ResourcesParseError(problem) }
            result.add(resource)
        }
        return result
    }

    private static func parseValue(name: String, value: String, item: String) throws -> Resource {
        func bad(_ why: String) -> ResourcesParseError { ResourcesParseError("Invalid resource '\(item)': \(why)") }
        if value.hasPrefix("[") {
            guard value.hasSuffix("]"), value.count >= 2 else { throw bad("unterminated range list") }
            let inner = trim(value.dropFirst().dropLast())
            var ranges: [ClosedRange<UInt64>] = []
            for part in inner.split(separator: ",", omittingEmptySubsequences: false) where !inner.isEmpty {
                let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map(trim)
                guard (1...2).contains(bounds.count), let begin = UInt64(bounds[0]),
                      let end = UInt64(bounds[bounds.count - 1]) else { throw bad("bad range '\(trim(part))'") }
                guard begin <= end else { throw bad("range '\(trim(part))' has begin > end") }
                ranges.append(begin...end)
            }
            return .ranges(name, ranges)
        }
        if value.hasPrefix("{") {
            guard value.hasSuffix("}"), value.count >= 2 else { throw bad("unterminated set") }
            let inner = trim(value.dropFirst().dropLast())
            if inner.isEmpty { return .set(name, []) }
            let items = inner.split(separator: ",", omittingEmptySubsequences: false).map(trim)
            guard !items.contains("") else { throw bad("empty set item") }
            return .set(name, items)
        }
        guard let number = Double(value) else { throw bad("'\(value)' is not a number, [ranges] or {set}") }
        return .scalar(name, number)
    }

    private static func trim<S: StringProtocol>(_ text: S) -> String {
        text.trimmingCharacters(in: .whitespaces)
    }
}

// MARK: Text and legacy JSON renderings

/// A value of Mesos's "legacy" resource object in /master/state: scalars are numbers,
/// ranges and sets are their text form.
public enum LegacyValue: Hashable, Sendable, Codable {
    case number(Double)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        }
    }
}

extension Resources: CustomStringConvertible {
    /// The text form the agent flag accepts, e.g. `cpus:4; mem:1024; ports:[31000-32000]`.
    public var description: String {
        resources.map(Self.describe).joined(separator: "; ")
    }

    /// One resource in the text form; reserved resources show their role in parentheses.
    public static func describe(_ resource: Resource) -> String {
        let role = resource.reservedRole == "*" ? "" : "(\(resource.reservedRole))"
        let value: String
        switch resource.type {
        case .SCALAR:
            value = resource.scalar.map { formatScalar(toMilli($0.value)) } ?? "?"
        case .RANGES:
            value = formatRanges((resource.ranges?.range ?? []).map { $0.begin...$0.end })
        case .SET:
            value = formatSet(resource.set?.item ?? [])
        case .TEXT:
            value = "?"
        }
        return "\(resource.name)\(role):\(value)"
    }

    /// Mesos's legacy resource object: non-revocable resources summed over roles, with
    /// cpus, gpus, mem and disk always present so consumers can read them unconditionally.
    public var legacyJSON: [String: LegacyValue] {
        var result: [String: LegacyValue] = ["cpus": .number(0), "gpus": .number(0), "mem": .number(0), "disk": .number(0)]
        let kept = nonRevocable
        for (name, value) in kept.scalars { result[name] = .number(value) }
        for name in kept.names {
            let ranges = kept.ranges(name)
            if !ranges.isEmpty { result[name] = .string(Self.formatRanges(ranges)) }
            let items = kept.setItems(name)
            if !items.isEmpty { result[name] = .string(Self.formatSet(items.sorted())) }
        }
        return result
    }

    /// Thousandths as a short decimal: `4`, `0.5`, `0.125`.
    static func formatScalar(_ milli: Int64) -> String {
        let whole = milli / 1000
        let fraction = (milli % 1000).magnitude
        guard fraction != 0 else { return String(whole) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return (milli < 0 && whole == 0 ? "-" : "") + "\(whole).\(digits)"
    }

    static func formatRanges(_ ranges: [ClosedRange<UInt64>]) -> String {
        "[" + ranges.map { "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ", ") + "]"
    }

    static func formatSet(_ items: [String]) -> String {
        "{" + items.joined(separator: ", ") + "}"
    }
}

/// On the wire resources are a plain array of `Resource`, in the stable order.
extension Resources: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(try [Resource](from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try resources.encode(to: encoder)
    }
}
