import Allocator
import MesosAPI
import XCTest

/// Seeded random sequences of every operation, checking after each step that the allocator
/// never oversubscribes an agent, never offers anything twice, and decides exactly as the
/// naive reference model does.
final class RandomizedTests: XCTestCase {
    private let agentIDs = ["a0", "a1", "a2", "a3"].map(agent)
    private let frameworkIDs = ["f0", "f1", "f2", "f3", "f4"].map(fw)
    private let roles = ["*", "*", "prod"]

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
            result += res(cpus: scale, mem: 32 * scale, role: "prod")
        }
        if Int.random(in: 0..<4, using: &rng) == 0 {
            result += Resources([.set("gpus_ids", ["g0", "g1", "g2"].filter { _ in Bool.random(using: &rng) })])
        }
        return result
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

            switch Int.random(in: 0..<13, using: &rng) {
            case 0:
                let total = randomResources(&rng, scale: 2) + res(cpus: 1, mem: 64, ports: [40000...40100])
                let allocated = Bool.random(using: &rng)
                    ? [frameworkID: total.intersection(randomResources(&rng, scale: 1))] : [:]
                core.addAgent(agentID, total: total, allocated: allocated)
                model.addAgent(agentID, total: total, allocated: allocated)
            case 1:
                core.removeAgent(agentID)
                model.removeAgent(agentID)
            case 2:
                let role = roles.randomElement(using: &rng)!
                let (active, suppressed) = (Int.random(in: 0..<4, using: &rng) > 0, Int.random(in: 0..<5, using: &rng) == 0)
                core.addFramework(frameworkID, role: role, active: active, suppressed: suppressed)
                model.addFramework(frameworkID, role: role, active: active, suppressed: suppressed)
            case 3:
                core.removeFramework(frameworkID)
                model.removeFramework(frameworkID)
            case 4:
                let active = Bool.random(using: &rng)
                if active { core.activateFramework(frameworkID) } else { core.deactivateFramework(frameworkID) }
                model.frameworks[frameworkID]?.active = active
            case 5:
                if Bool.random(using: &rng) {
                    core.suppress(frameworkID)
                    model.frameworks[frameworkID]?.suppressed = true
                } else {
                    core.revive(frameworkID)
                    model.revive(frameworkID)
                }
            case 6, 7, 8:
                let mine = core.allocation(of: frameworkID, on: agentID)
                let returned: Resources
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: returned = mine
                case 1: returned = mine.intersection(randomResources(&rng, scale: 1))
                default: returned = randomResources(&rng, scale: 1)
                }
                let refuse = [nil, 0, -1, 2, 5, 30, .nan].randomElement(using: &rng)!
                core.recover(framework: frameworkID, agent: agentID, resources: returned, refuseSeconds: refuse, now: now)
                model.recover(frameworkID, agentID, returned, refuseSeconds: refuse, now: now)
            case 9:
                let used = randomResources(&rng, scale: 1)
                core.allocateUsed(framework: frameworkID, agent: agentID, resources: used)
                model.allocateUsed(frameworkID, agentID, used)
            default:
                let before = Dictionary(uniqueKeysWithValues: agentIDs.map { ($0, core.available(on: $0)) })
                let offers = core.allocate(now: now)
                let expected = model.allocate(now: now)
                XCTAssertEqual(offers, expected, context)
                checkOffers(offers, freeBefore: before, core: core, context: context)
            }
            checkInvariants(core, model, context: context)
            if testRun?.failureCount ?? 0 > 0 { return }
        }
    }

    /// Offers come only out of the free pool, never overlap, and go to willing frameworks.
    private func checkOffers(_ offers: [Allocation], freeBefore: [AgentID: Resources], core: AllocatorCore,
                             context: String) {
        var free = freeBefore
        for offer in offers {
            XCTAssertFalse(offer.resources.isEmpty, context)
            XCTAssertTrue(AllocatorConfig().isAllocatable(offer.resources), context)
            XCTAssertTrue(free[offer.agentID, default: Resources()].contains(offer.resources), "offered twice: \(context)")
            free[offer.agentID]? -= offer.resources
            XCTAssertEqual(core.role(of: offer.frameworkID), offer.role, context)
        }
    }

    private func checkInvariants(_ core: AllocatorCore, _ model: ReferenceModel, context: String) {
        XCTAssertEqual(Set(core.agentIDs), Set(model.totals.keys), context)
        for agentID in agentIDs {
            let total = core.total(of: agentID)
            XCTAssertEqual(total, model.totals[agentID] ?? Resources(), context)
            let holdings = frameworkIDs.map { core.allocation(of: $0, on: agentID) }.filter { !$0.isEmpty }
            for (index, framework) in frameworkIDs.enumerated() {
                XCTAssertEqual(core.allocation(of: framework, on: agentID),
                               model.held[agentID]?[framework] ?? Resources(), "\(context) \(index)")
            }
            // Disjoint holdings that, with the free pool, add up to exactly the total.
            for (i, a) in holdings.enumerated() {
                for b in holdings[(i + 1)...] {
                    XCTAssertTrue(a.intersection(b).filter { $0.type != .SCALAR }.isEmpty, "overlap: \(context)")
                }
            }
            let used = holdings.reduce(Resources(), +)
            XCTAssertTrue(total.contains(used), "oversubscribed: \(context)")
            for name in total.names {
                XCTAssertLessThanOrEqual(holdings.map { $0.scalar(name) }.reduce(0, +), total.scalar(name) + 1e-9, context)
            }
            XCTAssertEqual(core.available(on: agentID) + used, total, context)
            XCTAssertEqual(core.available(on: agentID), model.free(agentID), context)
        }
        for framework in frameworkIDs where model.frameworks[framework] != nil {
            XCTAssertEqual(core.dominantShare(of: framework), model.dominantShare(of: framework), accuracy: 1e-12, context)
        }
    }
}
