/// `mesos.v1.Resource`. Only what scheduling needs is modelled; disk and provider details are
/// carried through untouched as far as clients send them.
public struct Resource: Codable, Hashable, Sendable {
    public var name: String
    public var type: ValueType
    public var scalar: Scalar?
    public var ranges: Ranges?
    public var set: ValueSet?
    /// Deprecated pre-refinement role; written only when set, as Mesos does.
    public var role: String?
    public var allocationInfo: AllocationInfo?
    public var reservation: ReservationInfo?
    public var reservations: [ReservationInfo]?
    public var revocable: Empty?
    public var shared: Empty?

    public init(name: String, type: ValueType, scalar: Scalar? = nil, ranges: Ranges? = nil,
                set: ValueSet? = nil, role: String? = nil) {
        self.name = name; self.type = type; self.scalar = scalar
        self.ranges = ranges; self.set = set; self.role = role
    }

    public static func scalar(_ name: String, _ value: Double, role: String? = nil) -> Resource {
        Resource(name: name, type: .SCALAR, scalar: Scalar(value: value), role: role)
    }

    public static func ranges(_ name: String, _ ranges: [ClosedRange<UInt64>], role: String? = nil) -> Resource {
        Resource(name: name, type: .RANGES,
                 ranges: Ranges(range: ranges.map { ValueRange(begin: $0.lowerBound, end: $0.upperBound) }),
                 role: role)
    }

    public static func set(_ name: String, _ items: [String], role: String? = nil) -> Resource {
        Resource(name: name, type: .SET, set: ValueSet(item: items), role: role)
    }

    /// The role the resource is reserved for: the last reservation of the stack, the
    /// pre-refinement `role`, or `*` when unreserved.
    public var reservedRole: String {
        if let last = reservations?.last { return last.role ?? "*" }
        return role ?? "*"
    }

    enum CodingKeys: String, CodingKey {
        case name
        case type
        case scalar
        case ranges
        case set
        case role
        case allocationInfo = "allocation_info"
        case reservation
        case reservations
        case revocable
        case shared
    }
}

public struct AllocationInfo: Codable, Hashable, Sendable {
    public var role: String?
    public init(role: String? = nil) { self.role = role }
}

public struct ReservationInfo: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable { case UNKNOWN, STATIC, DYNAMIC }
    public var type: Kind?
    public var role: String?
    public var principal: String?
    public var labels: Labels?
    public init(type: Kind? = nil, role: String? = nil, principal: String? = nil, labels: Labels? = nil) {
        self.type = type; self.role = role; self.principal = principal; self.labels = labels
    }
}

/// An empty message such as `Resource.RevocableInfo`.
public struct Empty: Codable, Hashable, Sendable {
    public init() {}
}

public struct Attribute: Codable, Hashable, Sendable {
    public var name: String
    public var type: ValueType
    public var scalar: Scalar?
    public var ranges: Ranges?
    public var set: ValueSet?
    public var text: Text?
    public init(name: String, type: ValueType, scalar: Scalar? = nil, ranges: Ranges? = nil,
                set: ValueSet? = nil, text: Text? = nil) {
        self.name = name; self.type = type; self.scalar = scalar
        self.ranges = ranges; self.set = set; self.text = text
    }
}
