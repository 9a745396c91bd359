import MesosAPI

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
    /// The scalar resources a dominant share is taken over.
    public var drfResourceNames: [String]

    public init(minAllocatable: [[String: Double]] = [["cpus": 0.01], ["mem": 32]],
                defaultRefuseSeconds: Double = 5,
                maxRefuseSeconds: Double = 365 * 24 * 3600,
                drfResourceNames: [String] = ["cpus", "mem", "disk", "gpus"]) {
        self.minAllocatable = minAllocatable
        self.defaultRefuseSeconds = defaultRefuseSeconds
        self.maxRefuseSeconds = maxRefuseSeconds
        self.drfResourceNames = drfResourceNames
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

    /// Whether `resources` are worth offering.
    public func isAllocatable(_ resources: Resources) -> Bool {
        if minAllocatable.isEmpty { return !resources.isEmpty }
        let have = resources.scalars
        return minAllocatable.contains { alternative in
            alternative.allSatisfy { name, minimum in
                thousandths(have[name] ?? 0) >= thousandths(minimum)
            }
        }
    }
}

/// Resources of one agent handed to one framework in an allocation round: the allocator's
/// side of an offer. The master turns it into an `Offer`.
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

/// A refusal: until `expiry`, the framework is not offered resources of the agent that fit
/// inside `resources`. A bigger pool (say, after tasks finished) is offered again, because
/// the refusal said nothing about it.
struct OfferFilter: Hashable, Sendable {
    var resources: Resources
    var expiry: Double

    func covers(_ candidate: Resources, now: Double) -> Bool {
        now < expiry && resources.contains(candidate)
    }
}

/// Scalar quantities in thousandths: exact, so adding and later subtracting an allocation
/// leaves shares exactly where they were.
typealias Quantities = [String: Int64]

extension Resources {
    func quantities(_ names: [String]) -> Quantities {
        let all = scalars
        var result: Quantities = [:]
        for name in names {
            if let value = all[name] { result[name] = thousandths(value) }
        }
        return result
    }
}

/// Clamped so that huge inputs cannot trap and sums of a few cannot overflow.
func thousandths(_ value: Double) -> Int64 {
    let limit = Double(Int64(1) << 62)
    return value.isNaN ? 0 : Int64(max(-limit, min(limit, (value * 1000).rounded())))
}

func adding(_ lhs: Quantities, _ rhs: Quantities) -> Quantities {
    lhs.merging(rhs, uniquingKeysWith: +)
}

func subtracting(_ lhs: Quantities, _ rhs: Quantities) -> Quantities {
    var result = lhs
    for (name, value) in rhs { result[name, default: 0] -= value }
    return result.filter { $0.value != 0 }
}
