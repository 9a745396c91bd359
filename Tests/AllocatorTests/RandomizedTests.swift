import Allocator
import MesosAPI
import XCTest

/// Seeded random sequences of every operation (multi-role frameworks, hierarchical roles,
/// reservations and RESERVE/UNRESERVE, weights, quota), checking after each step that the
/// allocator never oversubscribes an agent, never offers anything twice, and decides
/// exactly as the naive reference model does.
final class RandomizedTests: XCTestCase {
    private let agentIDs = ["a0", "a1", "a2", "a3"].map(agent)
    private let frameworkIDs = ["f0", "f1", "f2", "f3", "f4"].map(fw)
    private let roles = ["*", "prod", "eng", "eng/web", "eng/db"]
    private let reservationRoles = ["prod", "eng", "eng/web"]

    func testRandomOperationSequences() {
        for seed in 1...60 {
            run(seed: UInt64(seed), steps: 250)
        }
    }

    private func randomResources(_ rng: inout SeededGenerator, scale: Double) -> Resources {
        let base = Int.random(in: 0...40, using: &rng) * 100
        var result = res(cpus: Double(Int.random(in: 0...8, using: &rng)) * scale * 0.5,
                         mem: Double(Int.random(in: 0...4, using: &rng)) * scale * 64,
                         ports: Bool.random(using: &rng) ? [UInt64(base)...UInt64(base + 50)] : [])
        if Int.random(in: 0..<3, using: &rng) == 0 {
            result += res(cpus: scale, mem: 32 * scale, role: reservationRoles.randomElement(using: &rng)!)
        }
        if Int.random(in: 0..<4, using: &rng) == 0 {
            result += Resources([.set("gpus_ids", ["g0", "g1", "g2"].filter { _ in Bool.random(using: &rng) })])
        }
        return result
    }

    private func someRoles(_ rng: inout SeededGenerator) -> [String] {
        Array(roles.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng)))
    }

    private func randomQuota(_ rng: inout SeededGenerator) -> ([String: Double], [String: Double]) {
        var guarantees: [String: Double] = [:]
        var limits: [String: Double] = [:]
        if Bool.random(using: &rng) {
            guarantees = ["cpus": Double(Int.random(in: 1...6, using: &rng)), "mem": Double(Int.random(in: 1...4, using: &rng) * 64)]
        }
        if Bool.random(using: &rng) {
            limits = ["cpus": Double(Int.random(in: 2...10, using: &rng))]
            if Bool.random(using: &rng) { limits["mem"] = Double(Int.random(in: 1...8, using: &rng) * 64) }
        }
        return (guarantees, limits)
    }

    /// Re-tags part of an agent's total: reserves some unreserved cpus/mem for a role, or
    /// unreserves some reserved ones, keeping quantities (what RESERVE/UNRESERVE do).
    private func retagged(_ total: Resources, _ rng: inout SeededGenerator) -> Resources {
        let role = reservationRoles.randomElement(using: &rng)!
        if Bool.random(using: &rng) {
            let amount = min(total.unreserved.scalar("cpus"), Double(Int.random(in: 1...3, using: &rng)))
            guard amount > 0 else { return total }
            return total - res(cpus: amount) + res(cpus: amount, role: role)
        }
        let reserved = total.reserved(for: role)
        return reserved.isEmpty ? total : total - reserved + Resources(reserved.resources.map { resource in
            var plain = resource
            plain.role = nil
            plain.reservations = nil
            return plain
        })
    }

    private func run(seed: UInt64, steps: Int) {
        var rng = SeededGenerator(seed: seed)
        var core = AllocatorCore()
        var model = ReferenceModel()
        var now = 0.0

        for step in 0..<steps {
            let context = "seed \(seed) step \(step)"
            now += Double(Int.random(in: 0...4, using: &rng))
            let agentID = agentIDs.randomElement(using: &rng)!
            let frameworkID = frameworkIDs.randomElement(using: &rng)!

            switch Int.random(in: 0..<18, using: &rng) {
            case 0:
                let total = randomResources(&rng, scale: 2) + res(cpus: 1, mem: 64, ports: [40000...40100])
                var allocated: [FrameworkID: Resources] = [:]
                if Bool.random(using: &rng) {
                    let used = total.intersection(randomResources(&rng, scale: 1))
                    allocated[frameworkID] = Bool.random(using: &rng) ? used : used.allocating(to: roles.randomElement(using: &rng)!)
                }
                core.addAgent(agentID, total: total, allocated: allocated)
                model.addAgent(agentID, total: total, allocated: allocated)
            case 1:
                core.removeAgent(agentID)
                model.removeAgent(agentID)
            case 2:
                let chosen = someRoles(&rng)
                let suppressed = Set(chosen.filter { _ in Int.random(in: 0..<5, using: &rng) == 0 })
                let active = Int.random(in: 0..<4, using: &rng) > 0
                core.addFramework(frameworkID, roles: chosen, active: active, suppressedRoles: suppressed)
                model.addFramework(frameworkID, roles: chosen, active: active, suppressed: suppressed)
            case 3:
                core.removeFramework(frameworkID)
                model.removeFramework(frameworkID)
            case 4:
                let active = Bool.random(using: &rng)
                if active { core.activateFramework(frameworkID) } else { core.deactivateFramework(frameworkID) }
                model.frameworks[frameworkID]?.active = active
            case 5:
                let chosen = Bool.random(using: &rng) ? [] : someRoles(&rng)
                if Bool.random(using: &rng) {
                    core.suppress(frameworkID, roles: chosen)
                    model.suppress(frameworkID, roles: chosen)
                } else {
                    core.revive(frameworkID, roles: chosen)
                    model.revive(frameworkID, roles: chosen)
                }
            case 6, 7, 8:
                let role = roles.randomElement(using: &rng)!
                let returned: Resources
                var explicitRole: String?
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: returned = core.allocation(of: frameworkID, on: agentID)
                case 1:
                    returned = core.allocation(of: frameworkID, role: role, on: agentID)
                    explicitRole = role
                case 2: returned = core.allocation(of: frameworkID, role: role, on: agentID).allocating(to: role)
                default: returned = core.allocation(of: frameworkID, on: agentID).intersection(randomResources(&rng, scale: 1))
                }
                let refuse = [nil, 0, -1, 2, 5, 30, .nan].randomElement(using: &rng)!
                core.recover(framework: frameworkID, agent: agentID, resources: returned, role: explicitRole,
                             refuseSeconds: refuse, now: now)
                model.recover(frameworkID, agentID, returned, role: explicitRole, refuseSeconds: refuse, now: now)
            case 9:
                let used = randomResources(&rng, scale: 1)
                let role = Bool.random(using: &rng) ? roles.randomElement(using: &rng) : nil
                core.allocateUsed(framework: frameworkID, agent: agentID, resources: used, role: role)
                model.allocateUsed(frameworkID, agentID, used, role: role)
            case 10:
                let role = roles.randomElement(using: &rng)!
                let weight = [0.5, 1, 2, 3].randomElement(using: &rng)!
                core.setWeight(weight, forRole: role)
                model.weights[role] = weight
            case 11:
                let role = Array(roles.dropFirst()).randomElement(using: &rng)!
                let (guarantees, limits) = Int.random(in: 0..<3, using: &rng) == 0 ? ([:], [:]) : randomQuota(&rng)
                core.setQuota(role: role, guarantees: guarantees, limits: limits)
                model.quotas[role] = guarantees.isEmpty && limits.isEmpty ? nil : Quota(guarantees: guarantees, limits: limits)
            case 12:
                let total = retagged(core.total(of: agentID), &rng)
                core.updateAgent(agentID, total: total)
                model.updateAgent(agentID, total: total)
            case 13:
                guard model.frameworks[frameworkID] != nil else { break }
                let chosen = someRoles(&rng)
                let suppressed = Set(chosen.filter { _ in Int.random(in: 0..<4, using: &rng) == 0 })
                core.updateFramework(frameworkID, roles: chosen, suppressedRoles: suppressed)
                model.updateFramework(frameworkID, roles: chosen, suppressed: suppressed)
            default:
                let before = Dictionary(uniqueKeysWithValues: agentIDs.map { ($0, core.available(on: $0)) })
                let consumedBefore = Dictionary(uniqueKeysWithValues: roles.map { ($0, core.consumedQuota(ofRole: $0)) })
                let offers = core.allocate(now: now)
                let expected = model.allocate(now: now)
                XCTAssertEqual(offers, expected, context)
                checkOffers(offers, freeBefore: before, core: core, model: model, context: context)
                checkLimits(core, consumedBefore: consumedBefore, context: context)
            }
            checkInvariants(core, model, context: context)
            if testRun?.failureCount ?? 0 > 0 { return }
        }
    }

    /// Offers come only out of the free pool, never overlap, go to willing frameworks for a
    /// subscribed, unsuppressed role, and carry reservations only of that role's ancestors.
    private func checkOffers(_ offers: [Allocation], freeBefore: [AgentID: Resources], core: AllocatorCore,
                             model: ReferenceModel, context: String) {
        var free = freeBefore
        for offer in offers {
            XCTAssertFalse(offer.resources.isEmpty, context)
            XCTAssertTrue(AllocatorConfig().isAllocatable(offer.resources), context)
            XCTAssertTrue(free[offer.agentID, default: Resources()].contains(offer.resources), "offered twice: \(context)")
            free[offer.agentID]? -= offer.resources
            let framework = model.frameworks[offer.frameworkID]
            XCTAssertEqual(framework?.active, true, context)
            XCTAssertTrue(framework?.roles.contains(offer.role) == true, context)
            XCTAssertFalse(framework?.suppressed.contains(offer.role) ?? true, "suppressed role offered: \(context)")
            for resource in offer.resources.resources where resource.reservedRole != "*" {
                XCTAssertTrue(RoleName.isInSubtree(offer.role, of: resource.reservedRole), "reservation leaked: \(context)")
            }
        }
    }

    /// A round never takes a role past a limit (it may already be past one, e.g. after the
    /// limit was lowered: then the round must not add to it).
    private func checkLimits(_ core: AllocatorCore, consumedBefore: [String: [String: Double]], context: String) {
        for (role, quota) in core.quotas {
            let after = core.consumedQuota(ofRole: role)
            for (name, limit) in quota.limits {
                let allowed = max(limit, consumedBefore[role]?[name] ?? 0)
                XCTAssertLessThanOrEqual(after[name] ?? 0, allowed + 1e-9, "limit of \(role) exceeded: \(context)")
            }
        }
    }

    private func checkInvariants(_ core: AllocatorCore, _ model: ReferenceModel, context: String) {
        XCTAssertEqual(Set(core.agentIDs), Set(model.totals.keys), context)
        for agentID in agentIDs {
            let total = core.total(of: agentID)
            XCTAssertEqual(total, model.totals[agentID] ?? Resources(), context)
            let holdings = frameworkIDs.map { core.allocation(of: $0, on: agentID) }.filter { !$0.isEmpty }
            for framework in frameworkIDs {
                let modelHeld = (model.held[agentID] ?? [:]).filter { $0.key.framework == framework }
                XCTAssertEqual(core.allocation(of: framework, on: agentID), modelHeld.values.reduce(Resources(), +), context)
                for role in roles {
                    XCTAssertEqual(core.allocation(of: framework, role: role, on: agentID),
                                   modelHeld[.init(framework: framework, role: role)] ?? Resources(), context)
                }
            }
            // Disjoint holdings that, with the free pool, add up to exactly the total.
            for (i, a) in holdings.enumerated() {
                for b in holdings[(i + 1)...] {
                    XCTAssertTrue(a.intersection(b).filter { $0.type != .SCALAR }.isEmpty, "overlap: \(context)")
                }
            }
            let used = holdings.reduce(Resources(), +)
            XCTAssertTrue(total.contains(used), "oversubscribed: \(context)")
            XCTAssertEqual(core.available(on: agentID) + used, total, context)
            XCTAssertEqual(core.available(on: agentID), model.free(agentID), context)
        }
        for framework in frameworkIDs where model.frameworks[framework] != nil {
            XCTAssertEqual(core.dominantShare(of: framework), model.dominantShare(of: framework), accuracy: 1e-12, context)
            XCTAssertEqual(core.roles(of: framework), model.frameworks[framework]!.roles, context)
        }
        for role in roles {
            XCTAssertEqual(core.consumedQuota(ofRole: role), milli(model.consumed(role)), context)
        }
        XCTAssertEqual(core.requiredHeadroom, milli(model.requiredHeadroom), context)
    }

    private func milli(_ amounts: [String: Int64]) -> [String: Double] {
        amounts.filter { $0.value != 0 }.mapValues { Double($0) / 1000 }
    }
}
