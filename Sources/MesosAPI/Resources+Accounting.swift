import Foundation

// MARK: Exact scalar access for accounting (allocator)

extension Resources {
    /// Calls `body` for every scalar entry with its amount in thousandths, so accounting code
    /// can keep exact integer totals without building dictionaries or going through Double.
    public func forEachScalar(_ body: (_ name: String, _ reservedRole: String, _ isRevocable: Bool,
                                       _ milli: Int64) throws -> Void) rethrows {
        for entry in entries {
            if case .scalar(let milli) = entry.amount {
                try body(entry.key.name, entry.key.reservedRole, entry.key.isRevocable, milli)
            }
        }
    }

    /// Splits off what quota is charged for, unreserved non-revocable scalars, from the rest
    /// (reservations, ranges, sets, revocable resources), in one pass.
    public var quotaScalarsSplit: (quota: Resources, rest: Resources) {
        var (quota, rest): ([Entry], [Entry]) = ([], [])
        for entry in entries {
            let counts: Bool
            if case .scalar = entry.amount { counts = !entry.key.isReserved && !entry.key.isRevocable } else { counts = false }
            if counts { quota.append(entry) } else { rest.append(entry) }
        }
        return (Resources(sorted: quota), Resources(sorted: rest))
    }

    /// Cuts scalars down so that, per name, at most `cap(name)` thousandths remain (nil: no
    /// cap), taking entries in order; other resources are kept. This is Mesos's "chopping" of
    /// an offer to fit a quota limit or the headroom.
    public func cappingScalars(_ cap: (String) -> Int64?) -> Resources {
        var spent: [(name: String, left: Int64)] = []
        var kept: [Entry] = []
        for entry in entries {
            guard case .scalar(let milli) = entry.amount else { kept.append(entry); continue }
            let name = entry.key.name
            let index: Int
            if let found = spent.firstIndex(where: { $0.name == name }) {
                index = found
            } else {
                guard let limit = cap(name) else { kept.append(entry); continue }
                spent.append((name, max(0, limit)))
                index = spent.count - 1
            }
            let take = min(milli, spent[index].left)
            if take > 0 { kept.append(Entry(key: entry.key, amount: .scalar(take))) }
            spent[index].left -= take
        }
        return Resources(sorted: kept)
    }

    /// The resources without allocation tag, and the tagged ones by allocation role with
    /// their tags removed: what a multi-role framework hands back, split per role.
    public var allocationSplit: (untagged: Resources, byRole: [String: Resources]) {
        guard entries.contains(where: { $0.key.untagged != nil }) else { return (self, [:]) }
        var untagged: [Entry] = []
        var byRole: [String: Resources] = [:]
        for entry in entries {
            if let plain = entry.key.untagged, let role = entry.key.resource.allocationInfo?.role {
                byRole[role, default: Resources()].insert(Entry(key: plain, amount: entry.amount))
            } else {
                untagged.append(entry)
            }
        }
        return (Resources(sorted: untagged), byRole)
    }

    /// Resources of `pool` that stand in for `self` under other tags: per resource of
    /// `self`, the same name and type with the amounts both have, from pool entries that
    /// `isAllowed` accepts. How a holding survives a RESERVE or UNRESERVE that re-tags it.
    public func matching(in pool: Resources, where isAllowed: (Resource) -> Bool) -> Resources {
        var result = Resources()
        var pool = pool
        for wanted in entries {
            var want: Amount? = wanted.amount
            for candidate in pool.entries where candidate.key.name == wanted.key.name
                && candidate.key.resource.type == wanted.key.resource.type && isAllowed(candidate.key.resource) {
                guard let need = want, let got = Self.intersect(candidate.amount, need) else { continue }
                let taken = Resources(sorted: [Entry(key: candidate.key, amount: got)])
                result += taken
                pool -= taken
                want = Self.minus(need, got)
            }
        }
        return result
    }
}
