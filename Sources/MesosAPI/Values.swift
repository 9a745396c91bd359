/// `mesos.v1.Value` and its parts, as the JSON mapping writes them.
public enum ValueType: String, Codable, Sendable, Hashable {
    case SCALAR, RANGES, SET, TEXT
}

public struct Scalar: Codable, Hashable, Sendable {
    public var value: Double
    public init(value: Double) { self.value = value }
}

public struct ValueRange: Codable, Hashable, Sendable {
    public var begin: UInt64
    public var end: UInt64
    public init(begin: UInt64, end: UInt64) { self.begin = begin; self.end = end }
}

public struct Ranges: Codable, Hashable, Sendable {
    public var range: [ValueRange]
    public init(range: [ValueRange]) { self.range = range }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        range = try c.decodeIfPresent([ValueRange].self, forKey: .range) ?? []
    }
}

public struct ValueSet: Codable, Hashable, Sendable {
    public var item: [String]
    public init(item: [String]) { self.item = item }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        item = try c.decodeIfPresent([String].self, forKey: .item) ?? []
    }
}

public struct Text: Codable, Hashable, Sendable {
    public var value: String
    public init(value: String) { self.value = value }
}

public struct Label: Codable, Hashable, Sendable {
    public var key: String
    public var value: String?
    public init(key: String, value: String? = nil) { self.key = key; self.value = value }
}

public struct Labels: Codable, Hashable, Sendable {
    public var labels: [Label]
    public init(labels: [Label] = []) { self.labels = labels }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        labels = try c.decodeIfPresent([Label].self, forKey: .labels) ?? []
    }
}

/// `DurationInfo` / `TimeInfo`: nanoseconds as an int64.
public struct DurationInfo: Codable, Hashable, Sendable {
    public var nanoseconds: Int64
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public init(seconds: Double) { self.nanoseconds = Int64(seconds * 1e9) }
    public var seconds: Double { Double(nanoseconds) / 1e9 }
}
public typealias TimeInfo = DurationInfo
