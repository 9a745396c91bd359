/// Orders clients (roles, or the frameworks of one role) by weighted dominant share, lowest
/// first, ties broken by client order so rounds are reproducible.
///
/// The order is kept sorted incrementally: an allocation moves one client, which costs a
/// binary search and an array shift instead of a full sort per agent. Only a change of the
/// cluster total moves every share; that marks the order stale and the next `refresh()`
/// re-sorts once, so registering many agents does not re-sort per agent.
struct DRFSorter<Client: Hashable & Comparable & Sendable>: Sendable {
    private struct Entry: Sendable {
        var allocation: Quantities
        var weight: Double
        var share: Double
        /// Eligible clients are the ones in `order`: a deactivated or suppressed framework
        /// keeps counting towards its role's share but is not walked past every round.
        var eligible: Bool
    }

    private var entries: [Client: Entry] = [:]
    /// Eligible clients by ascending (share, client). Unordered while `stale`.
    private(set) var order: [Client] = []
    private var total: Quantities = [:]
    private var stale = false
    private let names: [String]

    init(names: [String], total: Quantities) {
        self.names = names
        self.total = total
    }

    var isEmpty: Bool { entries.isEmpty }
    func contains(_ client: Client) -> Bool { entries[client] != nil }
    func allocation(of client: Client) -> Quantities { entries[client]?.allocation ?? [:] }

    /// The weighted dominant share as of the current total, even while the order is stale.
    func share(of client: Client) -> Double {
        guard let entry = entries[client] else { return 0 }
        return computeShare(entry.allocation, weight: entry.weight)
    }

    mutating func add(_ client: Client, allocation: Quantities, weight: Double, eligible: Bool) {
        guard entries[client] == nil else { return }
        let entry = Entry(allocation: allocation, weight: Self.usable(weight),
                          share: computeShare(allocation, weight: Self.usable(weight)), eligible: eligible)
        entries[client] = entry
        if eligible { insert(client, entry.share) }
    }

    /// Removes the client and returns what it had allocated.
    @discardableResult
    mutating func remove(_ client: Client) -> Quantities {
        guard let entry = entries[client] else { return [:] }
        if entry.eligible { delete(client, entry.share) }
        entries[client] = nil
        return entry.allocation
    }

    mutating func setEligible(_ client: Client, _ eligible: Bool) {
        guard let entry = entries[client], entry.eligible != eligible else { return }
        entries[client]?.eligible = eligible
        if eligible { insert(client, entry.share) } else { delete(client, entry.share) }
    }

    mutating func setWeight(_ client: Client, _ weight: Double) {
        update(client) { $0.weight = Self.usable(weight) }
    }

    mutating func allocate(_ quantities: Quantities, to client: Client) {
        update(client) { $0.allocation = adding($0.allocation, quantities) }
    }

    mutating func unallocate(_ quantities: Quantities, from client: Client) {
        update(client) { $0.allocation = subtracting($0.allocation, quantities) }
    }

    /// Every share depends on the total, so the order is rebuilt lazily by `refresh()`.
    mutating func setTotal(_ total: Quantities) {
        guard total != self.total else { return }
        self.total = total
        stale = true
    }

    /// Brings shares and order up to date; call before reading `order`.
    mutating func refresh() {
        guard stale else { return }
        stale = false
        var refreshed = entries
        for (client, entry) in entries {
            refreshed[client]?.share = computeShare(entry.allocation, weight: entry.weight)
        }
        entries = refreshed
        order.sort { refreshed[$0]!.share != refreshed[$1]!.share ? refreshed[$0]!.share < refreshed[$1]!.share : $0 < $1 }
    }

    // MARK: Internals

    private mutating func update(_ client: Client, _ change: (inout Entry) -> Void) {
        guard var entry = entries[client] else { return }
        let oldShare = entry.share
        change(&entry)
        entry.share = computeShare(entry.allocation, weight: entry.weight)
        let moves = entry.eligible && entry.share != oldShare
        // Take it out while the stored share still says where it sits.
        if moves { delete(client, oldShare) }
        entries[client] = entry
        if moves { insert(client, entry.share) }
    }

    private func computeShare(_ allocation: Quantities, weight: Double) -> Double {
        var dominant = 0.0
        for name in names {
            guard let total = total[name], total > 0, let used = allocation[name] else { continue }
            dominant = max(dominant, Double(used) / Double(total))
        }
        return dominant / weight
    }

    private static func usable(_ weight: Double) -> Double {
        weight.isFinite && weight > 0 ? weight : 1
    }

    private func precedes(_ shareA: Double, _ a: Client, _ shareB: Double, _ b: Client) -> Bool {
        shareA != shareB ? shareA < shareB : a < b
    }

    /// First index whose element does not precede (share, client).
    private func insertionIndex(_ share: Double, _ client: Client) -> Int {
        var (low, high) = (0, order.count)
        while low < high {
            let mid = (low + high) / 2
            let other = order[mid]
            if precedes(entries[other]?.share ?? 0, other, share, client) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private mutating func insert(_ client: Client, _ share: Double) {
        if stale { order.append(client); return }
        order.insert(client, at: insertionIndex(share, client))
    }

    /// `share` is the client's share when it was placed, which is where it sits now.
    private mutating func delete(_ client: Client, _ share: Double) {
        if !stale {
            let index = insertionIndex(share, client)
            if index < order.count && order[index] == client { order.remove(at: index); return }
        }
        if let index = order.firstIndex(of: client) { order.remove(at: index) }
    }
}
