/// Orders the frameworks of one role by their dominant share within the role, lowest first,
/// ties by framework ID so rounds are reproducible.
///
/// Members are the frameworks that are subscribed to the role or still hold resources
/// allocated to it; only eligible ones (active, subscribed, not suppressed for the role)
/// are in `order`, so a round does not walk past everyone who wants nothing.
struct FrameworkSorter: Sendable {
    struct Member: Sendable {
        var allocation = Quantities.zero
        /// The share it was placed in `order` with.
        var share = 0.0
        var eligible: Bool
        let name: String
    }

    private(set) var members: [Int: Member] = [:]
    private(set) var order = DRFOrder()
    private(set) var eligibleCount = 0
    /// The total version `order` is sorted for; another one means every share is stale.
    private var version = -1

    var isEmpty: Bool { members.isEmpty }
    func contains(_ framework: Int) -> Bool { members[framework] != nil }
    func allocation(of framework: Int) -> Quantities { members[framework]?.allocation ?? .zero }

    mutating func add(_ framework: Int, name: String, eligible: Bool, totals: Totals) {
        guard members[framework] == nil else { return setEligible(framework, eligible, totals: totals) }
        members[framework] = Member(eligible: false, name: name)
        setEligible(framework, eligible, totals: totals)
    }

    /// Removes the member; returns what it had allocated in the role.
    @discardableResult
    mutating func remove(_ framework: Int, totals: Totals) -> Quantities {
        setEligible(framework, false, totals: totals)
        return members.removeValue(forKey: framework)?.allocation ?? .zero
    }

    mutating func setEligible(_ framework: Int, _ eligible: Bool, totals: Totals) {
        guard var member = members[framework], member.eligible != eligible else { return }
        let sorted = version == totals.version
        if eligible {
            member.share = totals.share(member.allocation, weight: 1)
            order.insert(DRFOrder.Slot(share: member.share, client: framework, name: member.name), sorted: sorted)
            eligibleCount += 1
        } else {
            order.remove(client: framework, name: member.name, share: member.share, sorted: sorted)
            eligibleCount -= 1
        }
        member.eligible = eligible
        members[framework] = member
    }

    /// Adds `delta` (negative to release) to what the framework holds in the role.
    mutating func charge(_ framework: Int, _ delta: Quantities, totals: Totals) {
        guard let index = members.index(forKey: framework) else { return }
        members.values[index].allocation &+= delta
        let member = members.values[index]
        let share = totals.share(member.allocation, weight: 1)
        if member.eligible {
            order.move(client: framework, name: member.name, from: member.share, to: share,
                       sorted: version == totals.version)
        }
        members.values[index].share = share
    }

    /// Brings shares and order up to date with the cluster total; call before reading `order`.
    mutating func refresh(_ totals: Totals) {
        guard version != totals.version else { return }
        for (framework, member) in members {
            members[framework]?.share = totals.share(member.allocation, weight: 1)
        }
        let placed = members
        order.resort { placed[$0]?.share ?? 0 }
        version = totals.version
    }
}
