import MesosAPI

/// How clients (roles, or the frameworks of one role) are ordered for an offer.
public enum SorterKind: Hashable, Sendable {
    /// Dominant Resource Fairness: lowest weighted dominant share first, ties by name.
    case drf
    /// Mesos's `random` sorter: a fresh weighted shuffle each time an order is needed. The
    /// seed makes a run reproducible, so tests stay deterministic.
    case random(seed: UInt64)
}

/// Tunables of the allocator, defaulting to Mesos's master flags.
public struct AllocatorConfig: Hashable, Sendable {
    /// Alternatives of minimum quantities (Mesos's `--min_allocatable_resources`, default
    /// `cpus:0.01|mem:32`): an offer is made only if it meets at least one alternative in
    /// full, so frameworks are not flooded with slivers nobody can use. Empty: no minimum.
    public var minAllocatable: [[String: Double]]
    /// Filter length for a decline that names no `refuse_seconds` or an unusable one.
    public var defaultRefuseSeconds: Double
    /// Longest filter, so a typo in a scheduler cannot hide an agent forever.
    public var maxRefuseSeconds: Double
    /// The scalar resources a dominant share is taken over (at most 8 are tracked).
    public var drfResourceNames: [String]
    /// `--role_sorter`.
    public var roleSorter: SorterKind
    /// `--framework_sorter`.
    public var frameworkSorter: SorterKind

    public init(minAllocatable: [[String: Double]] = [["cpus": 0.01], ["mem": 32]],
                defaultRefuseSeconds: Double = 5,
                maxRefuseSeconds: Double = 365 * 24 * 3600,
                drfResourceNames: [String] = ["cpus", "mem", "disk", "gpus"],
                roleSorter: SorterKind = .drf,
                frameworkSorter: SorterKind = .drf) {
        self.minAllocatable = minAllocatable
        self.defaultRefuseSeconds = defaultRefuseSeconds
        self.maxRefuseSeconds = maxRefuseSeconds
        self.drfResourceNames = drfResourceNames
        self.roleSorter = roleSorter
        self.frameworkSorter = frameworkSorter
    }

    /// How long a refusal filters, or nil for no filter: nil or 0 install none; negative or
    /// non-finite values fall back to the default (Mesos warns and does the same); long ones
    /// are capped.
    public func filterDuration(refuseSeconds: Double?) -> Double? {
        guard let seconds = refuseSeconds else { return nil }
        if seconds == 0 { return nil }
        let usable = seconds.isFinite && seconds > 0 ? seconds : defaultRefuseSeconds
        let capped = min(usable, maxRefuseSeconds)
        return capped > 0 ? capped : nil
    }

    /// Whether `resources` are worth offering. Reads single scalars rather than building a
    /// dictionary: this runs for every candidate offer of a round.
    public func isAllocatable(_ resources: Resources) -> Bool {
        if minAllocatable.isEmpty { return !resources.isEmpty }
        return minAllocatable.contains { alternative in
            alternative.allSatisfy { name, minimum in
                thousandths(resources.scalar(name)) >= thousandths(minimum)
            }
        }
    }
}

/// Resources of one agent handed to one framework for one of its roles in an allocation
/// round: the allocator's side of an offer. The master turns it into an `Offer`.
public struct Allocation: Hashable, Sendable {
    public var frameworkID: FrameworkID
    public var agentID: AgentID
    /// The role the resources are allocated to; tag them with `resources.allocating(to:)`.
    public var role: String
    public var resources: Resources

    public init(frameworkID: FrameworkID, agentID: AgentID, role: String, resources: Resources) {
        self.frameworkID = frameworkID
        self.agentID = agentID
        self.role = role
        self.resources = resources
    }
}

/// A role's quota (Mesos 1.9+): `guarantees` are held back for the role as headroom until
/// it consumes them; `limits` cap what it (with its subroles) may consume. Consumption is
/// what is reserved for the role's subtree plus the unreserved non-revocable scalars offered
/// or allocated to it. Names missing from `limits` are unlimited.
public struct Quota: Hashable, Sendable {
    public var guarantees: [String: Double]
    public var limits: [String: Double]

    public init(guarantees: [String: Double] = [:], limits: [String: Double] = [:]) {
        self.guarantees = guarantees
        self.limits = limits
    }

    /// No quota: what a role has unless one is set.
    public var isEmpty: Bool { guarantees.isEmpty && limits.isEmpty }
}

/// A refusal: until `expiry`, the framework is not offered, for the role it declined in,
/// resources of the agent that fit inside what it refused. A bigger pool (say, after tasks
/// finished) is offered again, because the refusal said nothing about it. What was refused
/// is kept once per agent (`RefusedSet`): frameworks declining the same pool share it, so a
/// round checks it once per agent rather than once per framework.
struct OfferFilter: Hashable, Sendable {
    /// The (framework, role) it belongs to; see `AllocatorCore.filterKey`.
    let key: Int
    let set: Int
    var expiry: Double
}

/// Resources refused on one agent, shared by every filter that refused exactly them.
struct RefusedSet: Sendable {
    let id: Int
    let resources: Resources
    var users: Int
}

/// Clamped so that huge inputs cannot trap and sums of a few cannot overflow.
func thousandths(_ value: Double) -> Int64 {
    let limit = Double(Int64(1) << 62)
    return value.isNaN ? 0 : Int64(max(-limit, min(limit, (value * 1000).rounded())))
}

/// SplitMix64: small, fast and seedable; the random sorters draw from it.
public struct SplitMix: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
