import MesosAPI

/// The role hierarchy with what the allocator needs per role: weight, quota, what the
/// role's subtree holds and has reserved, its frameworks, and the hierarchical DRF order.
///
/// Hierarchical DRF as in Mesos: siblings are ordered by the weighted dominant share of
/// their whole subtree, and a role that has frameworks as well as subroles competes with
/// its subroles as if it were one more child (Mesos's virtual "." leaf). The order of all
/// roles is a depth-first walk of these sibling orders. Sibling orders are kept sorted
/// incrementally, so an allocation costs a few binary searches along one path.
///
/// Quota bookkeeping is incremental too: every change of what a role consumes updates the
/// "need" (unreserved resources still to hold back for guarantees) along its path, so the
/// required headroom is always at hand instead of being summed over all roles per offer.
struct RoleTree: Sendable {
    struct Node: Sendable {
        let name: String
        let parent: Int
        var children: [Int] = []
        var weight = 1.0
        var quota = Quota()
        var guarantees = Quantities.zero
        var limits = Quantities(repeating: unlimited)
        var hasGuarantees = false
        var hasLimits = false
        /// Offered or allocated to exactly this role (all scalars).
        var own = Quantities.zero
        /// Offered or allocated to the role and its subroles.
        var subtree = Quantities.zero
        /// The unreserved non-revocable part of `subtree`, which quota charges besides reservations.
        var quotaAllocated = Quantities.zero
        /// Reservations for the role and its subroles on all agents, allocated or not.
        var reserved = Quantities.zero
        /// Unreserved resources still to hold back for guarantees in this subtree.
        var need = Quantities.zero
        var childNeed = Quantities.zero
        var frameworks = FrameworkSorter()
        /// Roles in the subtree (this one included) with a framework that wants offers.
        var eligibleRoles = 0
        /// Eligible children, and the role itself when eligible, by weighted share.
        var order = DRFOrder()
        /// Shares as placed: the subtree's in the parent's order, the role's own in `order`.
        var placed = 0.0
        var selfPlaced = 0.0

        init(name: String, parent: Int) {
            self.name = name
            self.parent = parent
        }

        /// What the guarantee still misses (zero without one); kept up to date with `need`
        /// while any role has a guarantee.
        var unmet = Quantities.zero

        var consumed: Quantities { reserved &+ quotaAllocated }
        var isEligible: Bool { frameworks.eligibleCount > 0 }
        /// Whether anything would be lost by forgetting the role.
        var isInUse: Bool {
            !frameworks.isEmpty || !quota.isEmpty || weight != 1 || !reserved.isZero || !subtree.isZero
        }
    }

    private(set) var nodes = [Node(name: "", parent: -1)]
    /// Whether a node has no subroles, kept apart from the nodes so a walk over thousands of
    /// roles reads one small array instead of every node.
    private(set) var isLeaf = [false]
    private var index: [String: Int] = [:]
    /// The total version the orders are sorted for.
    private var version = -1
    private(set) var guaranteedRoles = 0
    private(set) var limitedRoles = 0

    func find(_ name: String) -> Int? { index[name] }

    /// The node of `name`, created with its missing ancestors.
    mutating func node(for name: String) -> Int {
        if let known = index[name] { return known }
        var parent = 0
        if let slash = name.lastIndex(of: "/") { parent = node(for: String(name[..<slash])) }
        nodes.append(Node(name: name, parent: parent))
        isLeaf.append(true)
        let id = nodes.count - 1
        nodes[parent].children.append(id)
        if parent > 0 { isLeaf[parent] = false }
        index[name] = id
        return id
    }

    // MARK: Frameworks and eligibility

    /// Runs `change` on the role's framework sorter and keeps the role orders in step with
    /// whether the role still has a framework that wants offers.
    @discardableResult
    mutating func updateFrameworks<T>(_ role: Int, totals: Totals, _ change: (inout FrameworkSorter) -> T) -> T {
        let wasEligible = nodes[role].isEligible
        let result = change(&nodes[role].frameworks)
        let eligible = nodes[role].isEligible
        if eligible != wasEligible { eligibilityChanged(role, to: eligible, totals: totals) }
        return result
    }

    private mutating func eligibilityChanged(_ role: Int, to eligible: Bool, totals: Totals) {
        let sorted = version == totals.version
        let name = nodes[role].name
        if eligible {
            let share = totals.share(nodes[role].own, weight: nodes[role].weight)
            nodes[role].selfPlaced = share
            nodes[role].order.insert(DRFOrder.Slot(share: share, client: role, name: name), sorted: sorted)
        } else {
            let share = nodes[role].selfPlaced
            nodes[role].order.remove(client: role, name: name, share: share, sorted: sorted)
        }
        var node = role
        while node > 0 {
            let parent = nodes[node].parent
            let before = nodes[node].eligibleRoles
            nodes[node].eligibleRoles += eligible ? 1 : -1
            let (name, placed) = (nodes[node].name, nodes[node].placed)
            if before == 0 {
                let share = totals.share(nodes[node].subtree, weight: nodes[node].weight)
                nodes[node].placed = share
                nodes[parent].order.insert(DRFOrder.Slot(share: share, client: node, name: name), sorted: sorted)
            } else if nodes[node].eligibleRoles == 0 {
                nodes[parent].order.remove(client: node, name: name, share: placed, sorted: sorted)
            }
            node = parent
        }
        nodes[0].eligibleRoles += eligible ? 1 : -1
    }

    mutating func refreshFrameworks(_ role: Int, _ totals: Totals) {
        nodes[role].frameworks.refresh(totals)
    }

    // MARK: Accounting

    /// Adds what a framework was given (negative: returned) to the role and its ancestors.
    mutating func charge(_ role: Int, framework: Int, _ charge: Charge, totals: Totals) {
        nodes[role].frameworks.charge(framework, charge.all, totals: totals)
        let sorted = version == totals.version
        nodes[role].own &+= charge.all
        let selfShare = totals.share(nodes[role].own, weight: nodes[role].weight)
        if nodes[role].isEligible {
            let (name, old) = (nodes[role].name, nodes[role].selfPlaced)
            nodes[role].order.move(client: role, name: name, from: old, to: selfShare, sorted: sorted)
        }
        nodes[role].selfPlaced = selfShare
        var node = role
        while node > 0 {
            let parent = nodes[node].parent
            nodes[node].subtree &+= charge.all
            nodes[node].quotaAllocated &+= charge.quota
            let share = totals.share(nodes[node].subtree, weight: nodes[node].weight)
            if nodes[node].eligibleRoles > 0 {
                let (name, old) = (nodes[node].name, nodes[node].placed)
                nodes[parent].order.move(client: node, name: name, from: old, to: share, sorted: sorted)
            }
            nodes[node].placed = share
            node = parent
        }
        nodes[0].subtree &+= charge.all
        nodes[0].quotaAllocated &+= charge.quota
        if guaranteedRoles > 0 { updateNeeds(from: role) }
    }

    /// Adds reservations (negative: removed) for `role` to it and its ancestors.
    mutating func reserve(_ role: Int, _ quantities: Quantities) {
        var node = role
        while node >= 0 {
            nodes[node].reserved &+= quantities
            node = nodes[node].parent
        }
        if guaranteedRoles > 0 { updateNeeds(from: role) }
    }

    mutating func setWeight(_ role: Int, _ weight: Double, totals: Totals) {
        nodes[role].weight = weight.isFinite && weight > 0 ? weight : 1
        charge(role, framework: -1, Charge(), totals: totals)
    }

    mutating func setQuota(_ role: Int, _ quota: Quota, names: ScalarNames) {
        if nodes[role].hasGuarantees { guaranteedRoles -= 1 }
        if nodes[role].hasLimits { limitedRoles -= 1 }
        nodes[role].quota = quota
        nodes[role].guarantees = names.vector(quota.guarantees, missing: 0)
        nodes[role].limits = names.vector(quota.limits, missing: unlimited)
        nodes[role].hasGuarantees = nodes[role].guarantees.hasPositive
        nodes[role].hasLimits = any(nodes[role].limits .!= unlimited)
        if nodes[role].hasGuarantees { guaranteedRoles += 1 }
        if nodes[role].hasLimits { limitedRoles += 1 }
        recomputeNeeds()
    }

    // MARK: Quota

    /// Unreserved resources to hold back so that every unmet guarantee can still be met.
    var requiredHeadroom: Quantities { nodes[0].childNeed }

    /// A subtree needs what its own guarantee still misses, or what its subroles' guarantees
    /// need together if that is more: a parent's guarantee covers its children's.
    private mutating func need(of node: Int) -> Quantities {
        let own = nodes[node].hasGuarantees ? (nodes[node].guarantees &- nodes[node].consumed).positivePart : .zero
        nodes[node].unmet = own
        return own.replacing(with: nodes[node].childNeed, where: nodes[node].childNeed .> own)
    }

    private mutating func updateNeeds(from role: Int) {
        var node = role
        while node > 0 {
            let updated = need(of: node)
            let parent = nodes[node].parent
            nodes[parent].childNeed &+= updated &- nodes[node].need
            nodes[node].need = updated
            node = parent
        }
    }

    /// Children are created after their parents, so walking backwards visits them first.
    private mutating func recomputeNeeds() {
        for node in nodes.indices { nodes[node].childNeed = .zero }
        for node in nodes.indices.dropFirst().reversed() {
            nodes[node].need = need(of: node)
            nodes[nodes[node].parent].childNeed &+= nodes[node].need
        }
    }

    /// How much more the role may consume before it or an ancestor reaches a limit; nil
    /// when nothing on its path has limits.
    func limitRoom(_ role: Int) -> Quantities? {
        guard limitedRoles > 0 else { return nil }
        var room: Quantities?
        var node = role
        while node > 0 {
            if nodes[node].hasLimits {
                let limits = nodes[node].limits
                var left = (limits &- nodes[node].consumed).positivePart
                left.replace(with: unlimited, where: limits .== unlimited)
                room = room.map { pointwiseMin($0, left) } ?? left
            }
            node = nodes[node].parent
        }
        return room
    }

    /// What the first stage may give the role towards guarantees: the unmet guarantee of
    /// the nearest role on its path that has one (a parent's guarantee is met by its
    /// subroles' consumption too). nil when no role on the path has a guarantee.
    func stageOneRoom(_ role: Int) -> Quantities? {
        var node = role
        while node > 0 {
            if nodes[node].hasGuarantees { return nodes[node].unmet }
            node = nodes[node].parent
        }
        return nil
    }

    // MARK: Order

    /// Brings every share and order up to date with the cluster total.
    mutating func refresh(_ totals: Totals) {
        guard version != totals.version else { return }
        for node in nodes.indices {
            nodes[node].placed = totals.share(nodes[node].subtree, weight: nodes[node].weight)
            nodes[node].selfPlaced = totals.share(nodes[node].own, weight: nodes[node].weight)
        }
        let shares = nodes.map { ($0.placed, $0.selfPlaced) }
        for node in nodes.indices {
            nodes[node].order.resort { $0 == node ? shares[$0].1 : shares[$0].0 }
        }
        version = totals.version
    }

    /// A depth-first walk of the sibling orders yielding one role at a time, so a round
    /// that places an agent with the first role or two does not list thousands.
    struct Cursor {
        fileprivate var stack: [(node: Int, chunk: Int, index: Int)] = [(0, 0, 0)]
    }

    func next(_ cursor: inout Cursor) -> Int? {
        while let top = cursor.stack.last {
            let chunks = nodes[top.node].order.chunks
            guard top.chunk < chunks.count else { cursor.stack.removeLast(); continue }
            let client = chunks[top.chunk][top.index].client
            let atEnd = top.index + 1 == chunks[top.chunk].count
            cursor.stack[cursor.stack.count - 1] = (top.node, atEnd ? top.chunk + 1 : top.chunk, atEnd ? 0 : top.index + 1)
            if client == top.node || isLeaf[client] { return client }
            cursor.stack.append((client, 0, 0))
        }
        return nil
    }

    /// What the cursor has not yet yielded, listed now, before the tree changes.
    func rest(_ cursor: inout Cursor) -> [Int] {
        var result: [Int] = []
        while let role = next(&cursor) { result.append(role) }
        return result
    }

    /// Eligible roles in hierarchical order: DRF, or a weighted shuffle per level.
    func order(into result: inout [Int], random: inout SplitMix?) {
        result.removeAll(keepingCapacity: true)
        visit(0, &result, &random)
    }

    private func visit(_ node: Int, _ result: inout [Int], _ random: inout SplitMix?) {
        func emit(_ client: Int) {
            if client == node || isLeaf[client] {
                result.append(client)
            } else {
                visit(client, &result, &random)
            }
        }
        if var rng = random {
            let shuffled = nodes[node].order.shuffled(weight: { nodes[$0].weight }, using: &rng)
            random = rng
            for client in shuffled { emit(client) }
        } else {
            for chunk in nodes[node].order.chunks { for slot in chunk { emit(slot.client) } }
        }
    }
}
