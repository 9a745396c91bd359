import Foundation

/// Everything about a resource but its amount, interned: equal keys are one object, so
/// entries compare by identity and sort by `id`, and facts the allocator asks for on every
/// entry (reservation role, revocability) are computed once.
final class Key: Sendable {
    let id: Int
    let resource: Resource
    let name: String
    let reservedRole: String
    let isReserved: Bool
    let isRevocable: Bool
    /// The same key without its allocation tag; nil when it has none.
    let untagged: Key?

    private init(id: Int, resource: Resource, untagged: Key?) {
        self.id = id
        self.resource = resource
        name = resource.name
        reservedRole = resource.reservedRole
        isReserved = reservedRole != "*"
        isRevocable = resource.revocable != nil
        self.untagged = untagged
    }

    /// Keys are never forgotten: the distinct kinds of resource a cluster sees are few.
    private final class Table: @unchecked Sendable {
        let lock = NSLock()
        var keys: [Resource: Key] = [:]
    }
    private static let table = Table()

    /// `resource` must already be normalised by `Resources.key(of:)`.
    static func interned(_ resource: Resource) -> Key {
        if let known = table.lock.withLock({ table.keys[resource] }) { return known }
        var untagged: Key?
        if resource.allocationInfo != nil {
            var plain = resource
            plain.allocationInfo = nil
            untagged = interned(plain)
        }
        return table.lock.withLock {
            if let known = table.keys[resource] { return known }
            let key = Key(id: table.keys.count, resource: resource, untagged: untagged)
            table.keys[resource] = key
            return key
        }
    }
}
