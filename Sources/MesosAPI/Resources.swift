/// A multiset of resources with Mesos's arithmetic.
///
/// Resources that differ only in their amount are merged: scalars are summed in fixed point
/// (thousandths, as Mesos does, so that `0.1 + 0.2 == 0.3` and repeated add/subtract cannot
/// drift), ranges are coalesced and sets are unioned. Anything else that distinguishes two
/// resources (reservation role, allocation role, revocability, sharedness) keeps them apart,
/// because Mesos never lets, say, reserved and unreserved CPUs stand in for each other.
///
/// Construction is lenient: malformed entries (type/field mismatch, non-finite or
/// non-positive scalars, TEXT) are dropped. Run `Resources.validate(_:)` first where input
/// must be rejected instead.
public struct Resources: Hashable, Sendable, ExpressibleByArrayLiteral {
    /// How much of one kind of resource there is. Never empty: empty amounts are removed.
    enum Amount: Hashable, Sendable {
        /// Thousandths of a unit.
        case scalar(Int64)
        /// Sorted, disjoint and non-adjacent.
        case ranges([ClosedRange<UInt64>])
        case set(Set<String>)
    }

    /// Keyed by the resource with its value fields cleared and defaults normalised, so that
    /// "everything but the amount" decides what merges.
    private(set) var entries: [Resource: Amount]

    public init() { entries = [:] }

    public init(_ resources: [Resource]) {
        entries = [:]
        for resource in resources { add(resource) }
    }

    public init(arrayLiteral elements: Resource...) { self.init(elements) }

    public var isEmpty: Bool { entries.isEmpty }

    /// The resources in a stable order: cpus, mem, disk, ports, then the rest by name; within
    /// a name unreserved first, then by role.
    public var resources: [Resource] {
        entries.map { Self.makeResource($0.key, $0.value) }.sorted(by: Self.displayOrder)
    }

    // MARK: Arithmetic

    public static func + (lhs: Resources, rhs: Resources) -> Resources {
        var result = lhs
        result += rhs
        return result
    }

    public static func += (lhs: inout Resources, rhs: Resources) {
        for (key, amount) in rhs.entries {
            if let mine = lhs.entries[key] {
                lhs.entries[key] = Self.plus(mine, amount)
            } else {
                lhs.entries[key] = amount
            }
        }
    }

    /// Subtraction never goes below zero: whatever would become empty or negative is dropped,
    /// matching Mesos, where a negative scalar is invalid and therefore removed.
    public static func - (lhs: Resources, rhs: Resources) -> Resources {
        var result = lhs
        result -= rhs
        return result
    }

    public static func -= (lhs: inout Resources, rhs: Resources) {
        for (key, amount) in rhs.entries {
            guard let mine = lhs.entries[key] else { continue }
            lhs.entries[key] = Self.minus(mine, amount)
        }
    }

    /// Whether every resource of `other` is available here (same reservation, allocation
    /// and revocability): the check behind "can this task run in this offer".
    public func contains(_ other: Resources) -> Bool {
        other.entries.allSatisfy { key, amount in
            guard let mine = entries[key] else { return false }
            return Self.contains(mine, amount)
        }
    }

    /// The part both sides have: scalar minimum, common ranges and set items. Used to clip
    /// what a caller claims against what is really there.
    public func intersection(_ other: Resources) -> Resources {
        var result = Resources()
        for (key, amount) in other.entries {
            guard let mine = entries[key], let common = Self.intersect(mine, amount) else { continue }
            result.entries[key] = common
        }
        return result
    }

    // MARK: Queries

    /// Total of a scalar resource over all roles and allocations.
    public func scalar(_ name: String) -> Double {
        var milli: Int64 = 0
        for (key, amount) in entries where key.name == name {
            if case .scalar(let value) = amount { milli = Self.saturatingAdd(milli, value) }
        }
        return Double(milli) / 1000
    }

    /// Every scalar resource summed over roles: the quantities DRF shares are computed from.
    public var scalars: [String: Double] {
        var milli: [String: Int64] = [:]
        for (key, amount) in entries {
            if case .scalar(let value) = amount { milli[key.name] = Self.saturatingAdd(milli[key.name] ?? 0, value) }
        }
        return milli.mapValues { Double($0) / 1000 }
    }

    /// The union of the ranges of a resource over all roles, sorted and coalesced.
    public func ranges(_ name: String) -> [ClosedRange<UInt64>] {
        var all: [ClosedRange<UInt64>] = []
        for (key, amount) in entries where key.name == name {
            if case .ranges(let ranges) = amount { all += ranges }
        }
        return Self.coalesce(all)
    }

    /// The union of the items of a set resource over all roles.
    public func setItems(_ name: String) -> Set<String> {
        var all = Set<String>()
        for (key, amount) in entries where key.name == name {
            if case .set(let items) = amount { all.formUnion(items) }
        }
        return all
    }

    public var names: Set<String> { Set(entries.keys.map(\.name)) }

    // MARK: Filters

    public func filter(_ isIncluded: (Resource) throws -> Bool) rethrows -> Resources {
        var result = Resources()
        for (key, amount) in entries where try isIncluded(Self.makeResource(key, amount)) {
            result.entries[key] = amount
        }
        return result
    }

    /// Resources reserved for exactly `role` (role `*` gives the unreserved ones).
    public func reserved(for role: String) -> Resources { filterKeys { $0.reservedRole == role } }

    /// Resources reserved for any role.
    public var reserved: Resources { filterKeys { $0.reservedRole != "*" } }

    public var unreserved: Resources { reserved(for: "*") }

    /// What a framework in `role` may be offered: unreserved resources and those reserved
    /// for the role or one of its ancestors (`a` reservations serve `a/b`), as in Mesos.
    public func allocatableTo(_ role: String) -> Resources {
        filterKeys { key in
            let owner = key.reservedRole
            return owner == "*" || owner == role || role.hasPrefix(owner + "/")
        }
    }

    public var nonRevocable: Resources { filterKeys { $0.revocable == nil } }

    public var revocable: Resources { filterKeys { $0.revocable != nil } }

    /// The same resources tagged as allocated to `role`, as offers carry them in Mesos.
    public func allocating(to role: String) -> Resources {
        mapKeys { $0.allocationInfo = AllocationInfo(role: role) }
    }

    /// The same resources without allocation tags, so they compare equal to pool resources.
    public var unallocated: Resources {
        entries.keys.contains { $0.allocationInfo != nil } ? mapKeys { $0.allocationInfo = nil } : self
    }

    /// Filters on everything but the amount, without materialising each resource; returns
    /// `self` unchanged (no copy) when everything passes, which is the common case.
    private func filterKeys(_ isIncluded: (Resource) -> Bool) -> Resources {
        if entries.keys.allSatisfy(isIncluded) { return self }
        var result = Resources()
        for (key, amount) in entries where isIncluded(key) { result.entries[key] = amount }
        return result
    }

    /// Rewrites keys, merging amounts whose keys become equal.
    private func mapKeys(_ transform: (inout Resource) -> Void) -> Resources {
        var result = Resources()
        for (key, amount) in entries {
            var changed = key
            transform(&changed)
            changed = Self.key(of: changed)
            result.entries[changed] = result.entries[changed].map { Self.plus($0, amount) } ?? amount
        }
        return result
    }

    // MARK: Building blocks

    mutating func add(_ resource: Resource) {
        guard let amount = Self.amount(of: resource) else { return }
        let key = Self.key(of: resource)
        entries[key] = entries[key].map { Self.plus($0, amount) } ?? amount
    }

    static func key(of resource: Resource) -> Resource {
        var key = resource
        key.scalar = nil
        key.ranges = nil
        key.set = nil
        if key.role == "*" { key.role = nil }
        if key.allocationInfo?.role == nil { key.allocationInfo = nil }
        if key.reservations?.isEmpty == true { key.reservations = nil }
        return key
    }

    static func amount(of resource: Resource) -> Amount? {
        switch resource.type {
        case .SCALAR:
            guard let scalar = resource.scalar, resource.ranges == nil, resource.set == nil,
                  scalar.value.isFinite else { return nil }
            let milli = toMilli(scalar.value)
            return milli > 0 ? .scalar(milli) : nil
        case .RANGES:
            guard let ranges = resource.ranges, resource.scalar == nil, resource.set == nil else { return nil }
            let valid = ranges.range.filter { $0.begin <= $0.end }.map { $0.begin...$0.end }
            return valid.isEmpty ? nil : .ranges(coalesce(valid))
        case .SET:
            guard let set = resource.set, resource.scalar == nil, resource.ranges == nil else { return nil }
            return set.item.isEmpty ? nil : .set(Set(set.item))
        case .TEXT:
            return nil
        }
    }

    static func makeResource(_ key: Resource, _ amount: Amount) -> Resource {
        var resource = key
        switch amount {
        case .scalar(let milli): resource.scalar = Scalar(value: Double(milli) / 1000)
        case .ranges(let ranges):
            resource.ranges = Ranges(range: ranges.map { ValueRange(begin: $0.lowerBound, end: $0.upperBound) })
        case .set(let items): resource.set = ValueSet(item: items.sorted())
        }
        return resource
    }

    private static func displayOrder(_ a: Resource, _ b: Resource) -> Bool {
        let rank = ["cpus": 0, "mem": 1, "disk": 2, "ports": 3]
        let (ra, rb) = (rank[a.name] ?? 4, rank[b.name] ?? 4)
        if ra != rb { return ra < rb }
        if a.name != b.name { return a.name < b.name }
        let (roleA, roleB) = (a.reservedRole, b.reservedRole)
        if roleA != roleB { return roleA == "*" || (roleB != "*" && roleA < roleB) }
        // Same name and role but other tags differ: any fixed order will do.
        return String(describing: key(of: a)) < String(describing: key(of: b))
    }

    // MARK: Amount arithmetic

    /// Clamped so that sums of a few values cannot overflow, and huge inputs cannot trap.
    static func toMilli(_ value: Double) -> Int64 {
        let limit = Double(Int64(1) << 62)
        return Int64(max(-limit, min(limit, (value * 1000).rounded())))
    }

    static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : sum
    }

    /// Amounts under the same key always have the same case, because the type is in the key.
    static func plus(_ a: Amount, _ b: Amount) -> Amount {
        switch (a, b) {
        case let (.scalar(x), .scalar(y)): return .scalar(saturatingAdd(x, y))
        case let (.ranges(x), .ranges(y)): return .ranges(coalesce(x + y))
        case let (.set(x), .set(y)): return .set(x.union(y))
        default: return a
        }
    }

    static func minus(_ a: Amount, _ b: Amount) -> Amount? {
        switch (a, b) {
        case let (.scalar(x), .scalar(y)): return x > y ? .scalar(x - y) : nil
        case let (.ranges(x), .ranges(y)):
            let rest = subtract(x, y)
            return rest.isEmpty ? nil : .ranges(rest)
        case let (.set(x), .set(y)):
            let rest = x.subtracting(y)
            return rest.isEmpty ? nil : .set(rest)
        default: return a
        }
    }

    static func contains(_ a: Amount, _ b: Amount) -> Bool {
        switch (a, b) {
        case let (.scalar(x), .scalar(y)): return x >= y
        case let (.ranges(x), .ranges(y)): return rangesContain(x, y)
        case let (.set(x), .set(y)): return y.isSubset(of: x)
        default: return false
        }
    }

    static func intersect(_ a: Amount, _ b: Amount) -> Amount? {
        switch (a, b) {
        case let (.scalar(x), .scalar(y)): return .scalar(min(x, y))
        case let (.ranges(x), .ranges(y)):
            let common = intersectRanges(x, y)
            return common.isEmpty ? nil : .ranges(common)
        case let (.set(x), .set(y)):
            let common = x.intersection(y)
            return common.isEmpty ? nil : .set(common)
        default: return nil
        }
    }

    // MARK: Range arithmetic (inputs sorted, disjoint and non-adjacent unless noted)

    /// Accepts any ranges; merges overlapping and adjacent ones, as Mesos does for ports.
    static func coalesce(_ ranges: [ClosedRange<UInt64>]) -> [ClosedRange<UInt64>] {
        var result: [ClosedRange<UInt64>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, last.upperBound == .max || range.lowerBound <= last.upperBound + 1 {
                result[result.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }

    static func subtract(_ a: [ClosedRange<UInt64>], _ b: [ClosedRange<UInt64>]) -> [ClosedRange<UInt64>] {
        var result: [ClosedRange<UInt64>] = []
        var j = 0
        for range in a {
            while j < b.count && b[j].upperBound < range.lowerBound { j += 1 }
            var low = range.lowerBound
            var remains = true
            var k = j
            while k < b.count && b[k].lowerBound <= range.upperBound {
                let cut = b[k]
                if cut.lowerBound > low { result.append(low...(cut.lowerBound - 1)) }
                if cut.upperBound >= range.upperBound { remains = false; break }
                low = cut.upperBound + 1
                k += 1
            }
            if remains { result.append(low...range.upperBound) }
        }
        return result
    }

    static func rangesContain(_ a: [ClosedRange<UInt64>], _ b: [ClosedRange<UInt64>]) -> Bool {
        var i = 0
        for range in b {
            while i < a.count && a[i].upperBound < range.lowerBound { i += 1 }
            guard i < a.count, a[i].lowerBound <= range.lowerBound, range.upperBound <= a[i].upperBound else {
                return false
            }
        }
        return true
    }

    static func intersectRanges(_ a: [ClosedRange<UInt64>], _ b: [ClosedRange<UInt64>]) -> [ClosedRange<UInt64>] {
        var result: [ClosedRange<UInt64>] = []
        var (i, j) = (0, 0)
        while i < a.count && j < b.count {
            let low = max(a[i].lowerBound, b[j].lowerBound)
            let high = min(a[i].upperBound, b[j].upperBound)
            if low <= high { result.append(low...high) }
            if a[i].upperBound < b[j].upperBound { i += 1 } else { j += 1 }
        }
        return result
    }
}
