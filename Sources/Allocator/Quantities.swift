import MesosAPI

/// Scalar quantities in thousandths, one lane per tracked resource name (`ScalarNames`).
/// Exact, so adding and later subtracting an allocation leaves shares exactly where they
/// were; and a fixed-size vector, so accounting in the hot loop allocates nothing.
typealias Quantities = SIMD8<Int64>

/// "No limit" in a lane of a limits vector.
let unlimited = Int64.max

extension SIMDMask {
    var hasTrue: Bool { any(self) }
    var allTrue: Bool { all(self) }
}

extension SIMD8 where Scalar == Int64 {
    var isZero: Bool { self == .zero }
    /// Negative lanes raised to zero: "what is still missing" never goes below nothing.
    var positivePart: Self { replacing(with: 0, where: self .< 0) }
    var hasPositive: Bool { any(self .> 0) }
}

/// Which lane holds which resource name: the DRF names first, then whichever of Mesos's
/// quota names (cpus, mem, disk, gpus) are missing, eight at most.
struct ScalarNames: Sendable {
    let names: [String]
    /// Lanes that dominant shares are taken over.
    let drfLanes: [Int]

    init(drf: [String]) {
        var names: [String] = []
        for name in drf + ["cpus", "mem", "disk", "gpus"] where !names.contains(name) && names.count < 8 {
            names.append(name)
        }
        self.names = names
        drfLanes = names.indices.filter { drf.contains(names[$0]) }
    }

    func lane(_ name: String) -> Int? { names.firstIndex(of: name) }

    /// A quantities dictionary as a vector; `missing` fills lanes it does not name.
    func vector(_ values: [String: Double], missing: Int64) -> Quantities {
        var result = Quantities(repeating: missing)
        for (name, value) in values {
            if let lane = lane(name) { result[lane] = max(0, thousandths(value)) }
        }
        return result
    }

    func dictionary(_ quantities: Quantities) -> [String: Double] {
        var result: [String: Double] = [:]
        for (lane, name) in names.enumerated() where quantities[lane] != 0 {
            result[name] = Double(quantities[lane]) / 1000
        }
        return result
    }

    /// What holding `resources` counts for: all scalars (DRF shares) and the unreserved
    /// non-revocable ones (quota consumption), in one pass.
    func charge(of resources: Resources) -> Charge {
        var charge = Charge()
        resources.forEachScalar { name, reservedRole, revocable, milli in
            guard let lane = lane(name) else { return }
            charge.all[lane] &+= milli
            if reservedRole == "*" && !revocable { charge.quota[lane] &+= milli }
        }
        return charge
    }

    /// Reserved scalars per reservation role: what a role's reservations count for.
    func reservations(of resources: Resources) -> [String: Quantities] {
        var result: [String: Quantities] = [:]
        resources.forEachScalar { name, reservedRole, _, milli in
            guard reservedRole != "*", let lane = lane(name) else { return }
            result[reservedRole, default: .zero][lane] &+= milli
        }
        return result
    }

    /// Thousandths of one name left in `room`, for `Resources.cappingScalars`; names that
    /// are not tracked get `untracked`.
    func cap(_ room: Quantities, untracked: Int64?) -> (String) -> Int64? {
        { name in
            guard let lane = lane(name) else { return untracked }
            return room[lane] == unlimited ? nil : room[lane]
        }
    }
}

/// Holding some resources counts towards DRF shares (`all`) and quota (`quota`).
struct Charge: Sendable {
    var all = Quantities.zero
    var quota = Quantities.zero
    static prefix func - (charge: Charge) -> Charge { Charge(all: 0 &- charge.all, quota: 0 &- charge.quota) }
}

/// The cluster total shares are taken of. `version` changes with it, so sorters can tell
/// that every share they hold is out of date without being told one by one.
struct Totals: Sendable {
    var quantities = Quantities.zero
    var version = 0
    let names: ScalarNames

    /// Dominant share: the largest fraction of any DRF resource, divided by the weight.
    func share(_ allocation: Quantities, weight: Double) -> Double {
        var dominant = 0.0
        for lane in names.drfLanes where quantities[lane] > 0 && allocation[lane] != 0 {
            dominant = max(dominant, Double(allocation[lane]) / Double(quantities[lane]))
        }
        return dominant / weight
    }
}
