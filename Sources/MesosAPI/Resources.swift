import Foundation

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
///
/// Representation: "everything but the amount" is interned process-wide (`Key`), and the
/// entries are kept sorted by the key's number. Arithmetic is then a merge of two short
/// sorted arrays comparing integers, instead of hashing a many-field `Resource` per entry,
/// which is what made an allocator round over thousands of agents expensive.
public struct Resources: Hashable, Sendable, ExpressibleByArrayLiteral {
    /// How much of one kind of resource there is. Never empty: empty amounts are removed.
    enum Amount: Hashable, Sendable {
        /// Thousandths of a unit.
        case scalar(Int64)
        /// Sorted, disjoint and non-adjacent.
        case ranges([ClosedRange<UInt64>])
        case set(Set<String>)
    }

    struct Entry: Sendable {
        let key: Key
        var amount: Amount
    }

    /// Sorted by `key.id`, one entry per key, no empty amounts: a canonical form, so equal
    /// resources have equal entries.
    private(set) var entries: [Entry]

    public init() { entries = [] }

    public init(_ resources: [Resource]) {
        entries = []
        for resource in resources { add(resource) }
    }

    public init(arrayLiteral elements: Resource...) { self.init(elements) }

    init(sorted entries: [Entry]) { self.entries = entries }

    public var isEmpty: Bool { entries.isEmpty }

    /// The resources in a stable order: cpus, mem, disk, ports, then the rest by name; within
    /// a name unreserved first, then by role.
    public var resources: [Resource] {
        entries.map { Self.makeResource($0.key.resource, $0.amount) }.sorted(by: Self.displayOrder)
    }

    public static func == (lhs: Resources, rhs: Resources) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        for (a, b) in zip(lhs.entries, rhs.entries) where a.key !== b.key || a.amount != b.amount { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entries.count)
        for entry in entries {
            hasher.combine(entry.key.id)
            hasher.combine(entry.amount)
        }
    }

    // MARK: Arithmetic

    public static func + (lhs: Resources, rhs: Resources) -> Resources {
        var result = lhs
        result += rhs
        return result
    }

    public static func += (lhs: inout Resources, rhs: Resources) {
        if rhs.entries.isEmpty { return }
        if lhs.entries.isEmpty { lhs = rhs; return }
        if lhs.sameKeys(as: rhs) {
            // A sum over like resources (offers, tasks of one shape): amounts added in place.
            for index in lhs.entries.indices {
                lhs.entries[index].amount = plus(lhs.entries[index].amount, rhs.entries[index].amount)
            }
            return
        }
        let (a, b) = (lhs.entries, rhs.entries)
        var merged: [Entry] = []
        merged.reserveCapacity(a.count + b.count)
        var (i, j) = (0, 0)
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i].key.id < b[j].key.id) {
                merged.append(a[i]); i += 1
            } else if i == a.count || b[j].key.id < a[i].key.id {
                merged.append(b[j]); j += 1
            } else {
                merged.append(Entry(key: a[i].key, amount: plus(a[i].amount, b[j].amount))); i += 1; j += 1
            }
        }
        lhs.entries = merged
    }

    private func sameKeys(as other: Resources) -> Bool {
        guard entries.count == other.entries.count else { return false }
        for (a, b) in zip(entries, other.entries) where a.key !== b.key { return false }
        return true
    }

    /// Subtraction never goes below zero: whatever would become empty or negative is dropped,
    /// matching Mesos, where a negative scalar is invalid and therefore removed.
    public static func - (lhs: Resources, rhs: Resources) -> Resources {
        var result = lhs
        result -= rhs
        return result
    }

    public static func -= (lhs: inout Resources, rhs: Resources) {
        if rhs.entries.isEmpty || lhs.entries.isEmpty { return }
        let (a, b) = (lhs.entries, rhs.entries)
        var rest: [Entry] = []
        rest.reserveCapacity(a.count)
        var j = 0
        for entry in a {
            while j < b.count && b[j].key.id < entry.key.id { j += 1 }
            if j < b.count && b[j].key === entry.key {
                if let left = minus(entry.amount, b[j].amount) { rest.append(Entry(key: entry.key, amount: left)) }
            } else {
                rest.append(entry)
            }
        }
        lhs.entries = rest
    }

    /// Whether every resource of `other` is available here (same reservation, allocation
    /// and revocability): the check behind "can this task run in this offer".
    public func contains(_ other: Resources) -> Bool {
        var i = 0
        for wanted in other.entries {
            while i < entries.count && entries[i].key.id < wanted.key.id { i += 1 }
            guard i < entries.count, entries[i].key === wanted.key,
                  Self.contains(entries[i].amount, wanted.amount) else { return false }
            i += 1
        }
        return true
    }

    /// The part both sides have: scalar minimum, common ranges and set items. Used to clip
    /// what a caller claims against what is really there.
    public func intersection(_ other: Resources) -> Resources {
        var common: [Entry] = []
        var i = 0
        for theirs in other.entries {
            while i < entries.count && entries[i].key.id < theirs.key.id { i += 1 }
            guard i < entries.count, entries[i].key === theirs.key else { continue }
            if let both = Self.intersect(entries[i].amount, theirs.amount) {
                common.append(Entry(key: theirs.key, amount: both))
            }
        }
        return Resources(sorted: common)
    }

    // MARK: Queries

    /// Total of a scalar resource over all roles and allocations.
    public func scalar(_ name: String) -> Double {
        var milli: Int64 = 0
        for entry in entries where entry.key.name == name {
            if case .scalar(let value) = entry.amount { milli = Self.saturatingAdd(milli, value) }
        }
        return Double(milli) / 1000
    }

    /// Every scalar resource summed over roles: the quantities DRF shares are computed from.
    public var scalars: [String: Double] {
        var milli: [String: Int64] = [:]
        for entry in entries {
            if case .scalar(let value) = entry.amount {
                milli[entry.key.name] = Self.saturatingAdd(milli[entry.key.name] ?? 0, value)
            }
        }
        return milli.mapValues { Double($0) / 1000 }
    }

    /// The union of the ranges of a resource over all roles, sorted and coalesced.
    public func ranges(_ name: String) -> [ClosedRange<UInt64>] {
        var all: [ClosedRange<UInt64>] = []
        for entry in entries where entry.key.name == name {
            if case .ranges(let ranges) = entry.amount { all += ranges }
        }
        return Self.coalesce(all)
    }

    /// The union of the items of a set resource over all roles.
    public func setItems(_ name: String) -> Set<String> {
        var all = Set<String>()
        for entry in entries where entry.key.name == name {
            if case .set(let items) = entry.amount { all.formUnion(items) }
        }
        return all
    }

    public var names: Set<String> { Set(entries.map(\.key.name)) }

    // MARK: Filters

    public func filter(_ isIncluded: (Resource) throws -> Bool) rethrows -> Resources {
        var kept: [Entry] = []
        for entry in entries where try isIncluded(Self.makeResource(entry.key.resource, entry.amount)) {
            kept.append(entry)
        }
        return Resources(sorted: kept)
    }

    /// Resources reserved for exactly `role` (role `*` gives the unreserved ones).
    public func reserved(for role: String) -> Resources { filterKeys { $0.reservedRole == role } }

    /// Resources reserved for any role.
    public var reserved: Resources { filterKeys { $0.isReserved } }

    public var unreserved: Resources { filterKeys { !$0.isReserved } }

    /// What a framework in `role` may be offered: unreserved resources and those reserved
    /// for the role or one of its ancestors (`a` reservations serve `a/b`), as in Mesos.
    public func allocatableTo(_ role: String) -> Resources {
        filterKeys { key in
            !key.isReserved || key.reservedRole == role || Self.isStrictAncestor(key.reservedRole, of: role)
        }
    }

    public var nonRevocable: Resources { filterKeys { !$0.isRevocable } }

    public var revocable: Resources { filterKeys { $0.isRevocable } }

    /// The same resources tagged as allocated to `role`, as offers carry them in Mesos.
    public func allocating(to role: String) -> Resources {
        mapKeys { resource in
            var tagged = resource
            tagged.allocationInfo = AllocationInfo(role: role)
            return Key.interned(tagged)
        }
    }

    /// The same resources without allocation tags, so they compare equal to pool resources.
    public var unallocated: Resources {
        entries.contains { $0.key.untagged != nil } ? mapKeys { _ in nil } : self
    }

    /// Filters on everything but the amount, without materialising each resource; returns
    /// `self` unchanged (no copy) when everything passes, which is the common case.
    private func filterKeys(_ isIncluded: (Key) -> Bool) -> Resources {
        guard let first = entries.firstIndex(where: { !isIncluded($0.key) }) else { return self }
        var kept = Array(entries[..<first])
        for entry in entries[(first + 1)...] where isIncluded(entry.key) { kept.append(entry) }
        return Resources(sorted: kept)
    }

    /// Rewrites keys (nil: drop the allocation tag), merging amounts whose keys become equal.
    private func mapKeys(_ transform: (Resource) -> Key?) -> Resources {
        var result = Resources()
        for entry in entries {
            let key = transform(entry.key.resource) ?? entry.key.untagged ?? entry.key
            result.insert(Entry(key: key, amount: entry.amount))
        }
        return result
    }

    /// `a` strictly above `role` in the hierarchy (`eng` for `eng/web`), without building strings.
    static func isStrictAncestor(_ a: String, of role: String) -> Bool {
        let (outer, inner) = (a.utf8, role.utf8)
        guard inner.count > outer.count, inner.starts(with: outer) else { return false }
        return inner[inner.index(inner.startIndex, offsetBy: outer.count)] == UInt8(ascii: "/")
    }

    // MARK: Building blocks

    mutating func add(_ resource: Resource) {
        guard let amount = Self.amount(of: resource) else { return }
        insert(Entry(key: Key.interned(Self.key(of: resource)), amount: amount))
    }

    mutating func insert(_ entry: Entry) {
        var (low, high) = (0, entries.count)
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].key.id < entry.key.id { low = mid + 1 } else { high = mid }
        }
        if low < entries.count && entries[low].key === entry.key {
            entries[low].amount = Self.plus(entries[low].amount, entry.amount)
        } else {
            entries.insert(entry, at: low)
        }
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
}
