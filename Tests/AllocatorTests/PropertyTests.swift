import Allocator
import MesosAPI
import XCTest

/// Seeded random clusters checked against properties rather than a model, so they hold for
/// the random sorters too: nothing is offered twice or beyond the free pool, reservations
/// reach only their role's subtree, suppressed roles and inactive frameworks get nothing,
/// limits are never exceeded, and guarantees are met whenever the cluster can meet them.
/// Resources come in coarse units (whole cpus, 256 MB), so no offer is a sliver below the
/// minimum allocatable and "enough resources" is a clean comparison.
final class PropertyTests: XCTestCase {
    private let agentIDs = (0..<6).map { agent("a\($0)") }
    private let frameworkIDs = (0..<6).map { fw("f\($0)") }
    private let roleChoices = ["q1", "q1/x", "q2", "prod", "eng/web", "*"]
    private let quotaRoles = ["q1", "q2"]

    func testPropertiesWithDRFSorters() {
        for seed in 1...40 { run(seed: UInt64(seed), config: AllocatorConfig()) }
    }

    func testPropertiesWithRandomSorters() {
        for seed in UInt64(1)...40 {
            let config = AllocatorConfig(roleSorter: .random(seed: seed), frameworkSorter: .random(seed: seed * 7))
            run(seed: seed + 1000, config: config)
        }
    }

    /// What the test knows about frameworks, to judge offers without trusting the allocator.
    private struct Known {
        var roles: [FrameworkID: [String]] = [:]
        var suppressed: [FrameworkID: Set<String>] = [:]
        var active: [FrameworkID: Bool] = [:]
        /// Latest expiry of any filter a framework installed for a role.
        var filteredUntil: [FrameworkID: [String: Double]] = [:]
    }

    private func agentTotal(_ rng: inout SeededGenerator) -> Resources {
        var total = res(cpus: Double(Int.random(in: 2...8, using: &rng)), mem: Double(Int.random(in: 2...8, using: &rng) * 256),
                        ports: [31000...31999])
        if Bool.random(using: &rng) {
            total += res(cpus: 1, mem: 256, role: ["prod", "eng", "q1"].randomElement(using: &rng)!)
        }
        return total
    }

    private func run(seed: UInt64, config: AllocatorConfig) {
        var rng = SeededGenerator(seed: seed)
        var core = AllocatorCore(config: config)
        var known = Known()
        var now = 0.0
        for id in agentIDs { core.addAgent(id, total: agentTotal(&rng)) }
        for id in frameworkIDs {
            let roles = Array(roleChoices.shuffled(using: &rng).prefix(Int.random(in: 1...2, using: &rng)))
            core.addFramework(id, roles: roles)
            known.roles[id] = roles
            known.active[id] = true
        }
        var lastOffers: [Allocation] = []

        for step in 0..<300 {
            let context = "seed \(seed) step \(step)"
            now += Double(Int.random(in: 0...3, using: &rng))
            let framework = frameworkIDs.randomElement(using: &rng)!
            switch Int.random(in: 0..<16, using: &rng) {
            case 0, 1:
                // A decline of an offer of the last round, with or without a filter.
                guard let offer = lastOffers.randomElement(using: &rng) else { break }
                let refuse = ([nil, 0, 1, 5, 30, 1000] as [Double?]).randomElement(using: &rng)!
                core.recover(framework: offer.frameworkID, agent: offer.agentID, resources: offer.resources,
                             role: offer.role, refuseSeconds: refuse, now: now)
                if let duration = config.filterDuration(refuseSeconds: refuse) {
                    let until = known.filteredUntil[offer.frameworkID]?[offer.role] ?? 0
                    known.filteredUntil[offer.frameworkID, default: [:]][offer.role] = max(until, now + duration)
                }
                lastOffers.removeAll { $0 == offer }
            case 2:
                // A task finishes: part of a holding comes back, no filter.
                let id = agentIDs.randomElement(using: &rng)!
                let part = core.allocation(of: framework, on: id).intersection(res(cpus: 1, mem: 256))
                core.recover(framework: framework, agent: id, resources: part, refuseSeconds: nil, now: now)
            case 3:
                let role = quotaRoles.randomElement(using: &rng)!
                let cpus = Double(Int.random(in: 0...6, using: &rng))
                let mem = Double(Int.random(in: 0...8, using: &rng) * 256)
                let guarantees = Int.random(in: 0..<4, using: &rng) == 0 ? [:] : ["cpus": cpus, "mem": mem]
                var limits: [String: Double] = [:]
                if Bool.random(using: &rng) { limits["cpus"] = cpus + Double(Int.random(in: 0...4, using: &rng)) }
                if Bool.random(using: &rng) { limits["mem"] = mem + Double(Int.random(in: 0...4, using: &rng) * 256) }
                core.setQuota(role: role, guarantees: guarantees, limits: limits)
            case 4:
                let roles = Bool.random(using: &rng) ? [] : [known.roles[framework]!.randomElement(using: &rng)!]
                let chosen = roles.isEmpty ? known.roles[framework]! : roles
                if Bool.random(using: &rng) {
                    core.suppress(framework, roles: roles)
                    known.suppressed[framework, default: []].formUnion(chosen)
                } else {
                    core.revive(framework, roles: roles)
                    known.suppressed[framework, default: []].subtract(chosen)
                    for role in chosen { known.filteredUntil[framework]?[role] = nil }
                }
            case 5:
                let active = Int.random(in: 0..<3, using: &rng) > 0
                if active { core.activateFramework(framework) } else { core.deactivateFramework(framework) }
                known.active[framework] = active
            case 6:
                core.setWeight([1, 2, 3].randomElement(using: &rng)!, forRole: roleChoices.randomElement(using: &rng)!)
            case 7:
                let id = agentIDs.randomElement(using: &rng)!
                if core.agentIDs.contains(id) && core.agentIDs.count > 3 { core.removeAgent(id) } else {
                    core.addAgent(id, total: agentTotal(&rng))
                }
                lastOffers.removeAll { $0.agentID == id }
            default:
                lastOffers = allocateAndCheck(&core, known: known, now: now, context: context)
            }
            if testRun?.failureCount ?? 0 > 0 { return }
        }
    }

    private func allocateAndCheck(_ core: inout AllocatorCore, known: Known, now: Double, context: String) -> [Allocation] {
        let freeBefore = Dictionary(uniqueKeysWithValues: core.agentIDs.map { ($0, core.available(on: $0)) })
        let consumedBefore = Dictionary(uniqueKeysWithValues: quotaRoles.map { ($0, core.consumedQuota(ofRole: $0)) })
        let unmetBefore = Dictionary(uniqueKeysWithValues: quotaRoles.map { role in
            (role, unmet(core.quota(of: role)?.guarantees ?? [:], consumedBefore[role]!))
        })
        let offers = core.allocate(now: now)

        var free = freeBefore
        for offer in offers {
            XCTAssertTrue(free[offer.agentID, default: Resources()].contains(offer.resources), "offered twice: \(context)")
            free[offer.agentID]? -= offer.resources
            XCTAssertTrue(known.roles[offer.frameworkID]!.contains(offer.role), context)
            XCTAssertEqual(known.active[offer.frameworkID], true, "inactive framework offered: \(context)")
            XCTAssertFalse(known.suppressed[offer.frameworkID, default: []].contains(offer.role), "suppressed: \(context)")
            for resource in offer.resources.resources where resource.reservedRole != "*" {
                XCTAssertTrue(RoleName.isInSubtree(offer.role, of: resource.reservedRole), "reservation leaked: \(context)")
            }
        }
        for role in quotaRoles {
            let after = core.consumedQuota(ofRole: role)
            for (name, limit) in core.quota(of: role)?.limits ?? [:] {
                let allowed = max(limit, consumedBefore[role]?[name] ?? 0)
                XCTAssertLessThanOrEqual(after[name] ?? 0, allowed + 1e-9, "limit of \(role) exceeded: \(context)")
            }
        }
        checkGuarantees(core, known: known, freeBefore: freeBefore, unmetBefore: unmetBefore, now: now, context: context)
        return offers
    }

    /// When the free unreserved resources before the round covered every unmet guarantee,
    /// a guaranteed role with a willing, unfiltered framework and room under its limits has
    /// its guarantee met after the round.
    private func checkGuarantees(_ core: AllocatorCore, known: Known, freeBefore: [AgentID: Resources],
                                 unmetBefore: [String: [String: Double]], now: Double, context: String) {
        var unreservedFree: [String: Double] = [:]
        for resources in freeBefore.values {
            for (name, value) in resources.unreserved.scalars { unreservedFree[name, default: 0] += value }
        }
        var totalUnmet: [String: Double] = [:]
        for unmet in unmetBefore.values { for (name, value) in unmet { totalUnmet[name, default: 0] += value } }
        guard totalUnmet.allSatisfy({ unreservedFree[$0.key, default: 0] >= $0.value - 1e-9 }) else { return }

        for role in quotaRoles where !(unmetBefore[role] ?? [:]).isEmpty {
            let willing = frameworkIDs.contains { id in
                known.active[id] == true && known.roles[id]!.contains { subscribed in
                    RoleName.isInSubtree(subscribed, of: role)
                        && !known.suppressed[id, default: []].contains(subscribed)
                        && (known.filteredUntil[id]?[subscribed] ?? 0) <= now
                }
            }
            let limits = core.quota(of: role)?.limits ?? [:]
            let consumed = core.consumedQuota(ofRole: role)
            let guarantees = core.quota(of: role)?.guarantees ?? [:]
            let fitsLimits = guarantees.allSatisfy { name, wanted in
                limits[name].map { $0 >= wanted } ?? true
            }
            guard willing, fitsLimits else { continue }
            XCTAssertEqual(unmet(guarantees, consumed), [:], "guarantee of \(role) unmet: \(context)")
        }
    }

    private func unmet(_ guarantees: [String: Double], _ consumed: [String: Double]) -> [String: Double] {
        guarantees.compactMapValues { $0 }.reduce(into: [:]) { result, entry in
            let missing = entry.value - consumed[entry.key, default: 0]
            if missing > 1e-9 { result[entry.key] = missing }
        }
    }

    // MARK: DRF order

    /// Among roles without quota, with equal weights and nothing filtered or reserved,
    /// every allocation goes to the role with the lowest dominant share at that moment.
    func testDRFOrderAmongRolesWithoutQuota() {
        let roles = ["r1", "r2", "r3", "r4"]
        for seed in 1...30 {
            var rng = SeededGenerator(seed: UInt64(seed))
            var core = AllocatorCore()
            for (index, id) in agentIDs.enumerated() {
                core.addAgent(id, total: res(cpus: Double(2 + index % 3), mem: Double(512 * (1 + index % 2))))
            }
            for (index, id) in frameworkIDs.enumerated() { core.addFramework(id, role: roles[index % roles.count]) }
            var now = 0.0
            for step in 0..<60 {
                now += 1
                var shares = Dictionary(uniqueKeysWithValues: roles.map { ($0, core.allocated(toRole: $0).scalars) })
                let totals = core.agentIDs.reduce(into: [String: Double]()) { sum, id in
                    for (name, value) in core.total(of: id).scalars { sum[name, default: 0] += value }
                }
                func share(_ role: String) -> Double {
                    shares[role]!.map { name, used in used / totals[name]! }.max() ?? 0
                }
                let offers = core.allocate(now: now)
                for offer in offers {
                    let lowest = roles.min { (share($0), $0) < (share($1), $1) }!
                    XCTAssertEqual(offer.role, lowest, "seed \(seed) step \(step)")
                    for (name, value) in offer.resources.scalars { shares[offer.role]![name, default: 0] += value }
                }
                // Some frameworks finish work and hand back part of what they hold, unfiltered.
                for offer in offers where Bool.random(using: &rng) {
                    let part = Bool.random(using: &rng) ? offer.resources : offer.resources.intersection(res(cpus: 1, mem: 256))
                    core.recover(framework: offer.frameworkID, agent: offer.agentID, resources: part,
                                 refuseSeconds: nil, now: now)
                }
                if testRun?.failureCount ?? 0 > 0 { return }
            }
        }
    }
}
