import Allocator
import MesosAPI
import XCTest

/// Quota (guarantees, limits, headroom) and weights.
final class QuotaTests: XCTestCase {
    func testLimitsChopScalars() {
        var core = AllocatorCore()
        core.setQuota(role: "capped", guarantees: [:], limits: ["cpus": 3])
        core.addFramework(fw("f"), role: "capped")
        core.addAgent(agent("a1"), total: res(cpus: 8, mem: 1024, ports: [31000...31010]))
        let first = core.allocate(now: 0)
        // Cpus are cut to the limit; mem (no limit) and ports come whole.
        XCTAssertEqual(first.map(\.resources), [res(cpus: 3, mem: 1024, ports: [31000...31010])])
        XCTAssertEqual(core.allocate(now: 1), [])
        XCTAssertEqual(core.consumedQuota(ofRole: "capped"), ["cpus": 3, "mem": 1024])

        // A second agent adds nothing while the role is at its limit: cpus are cut to zero,
        // and what is left is memory.
        core.addAgent(agent("a2"), total: res(cpus: 4, mem: 256))
        XCTAssertEqual(core.allocate(now: 2).map(\.resources), [res(mem: 256)])

        // Handing back one cpu makes room for exactly one more.
        core.recover(framework: fw("f"), agent: agent("a1"), resources: res(cpus: 1), refuseSeconds: nil, now: 3)
        XCTAssertEqual(core.allocate(now: 3).map(\.resources), [res(cpus: 1)])
    }

    func testReservationsCountAgainstLimitsButAreAlwaysOffered() {
        var core = AllocatorCore()
        core.setQuota(role: "db", guarantees: [:], limits: ["cpus": 3])
        core.addFramework(fw("f"), role: "db")
        core.addAgent(agent("a1"), total: res(cpus: 8, mem: 512) + res(cpus: 2, role: "db"))
        XCTAssertEqual(core.consumedQuota(ofRole: "db"), ["cpus": 2])
        let offer = core.allocate(now: 0)
        XCTAssertEqual(offer.map(\.resources), [res(cpus: 1, mem: 512) + res(cpus: 2, role: "db")])
        XCTAssertEqual(core.consumedQuota(ofRole: "db"), ["cpus": 3, "mem": 512])
    }

    func testLimitsOfAParentBindItsSubroles() {
        var core = AllocatorCore()
        core.setQuota(role: "eng", guarantees: [:], limits: ["cpus": 5])
        core.addFramework(fw("web"), role: "eng/web")
        core.addFramework(fw("db"), role: "eng/db")
        for name in ["a1", "a2", "a3"] { core.addAgent(agent(name), total: res(cpus: 4, mem: 256)) }
        let offers = core.allocate(now: 0)
        XCTAssertEqual(offers.map(\.role), ["eng/db", "eng/web", "eng/db"])
        XCTAssertEqual(offers.map { $0.resources.scalar("cpus") }, [4, 1, 0])
        XCTAssertEqual(core.consumedQuota(ofRole: "eng")["cpus"], 5)
    }

    func testHeadroomIsHeldBackForUnmetGuarantees() {
        var core = AllocatorCore()
        core.setQuota(role: "q", guarantees: ["cpus": 4, "mem": 512], limits: [:])
        core.addFramework(fw("greedy"), role: "other")
        core.addFramework(fw("quota"), role: "q", suppressed: true)
        core.addAgent(agent("a1"), total: res(cpus: 4, mem: 1024))
        core.addAgent(agent("a2"), total: res(cpus: 4, mem: 1024))
        XCTAssertEqual(core.requiredHeadroom, ["cpus": 4, "mem": 512])
        // The other role gets everything except 4 cpus and 512 MB, spread as it comes.
        let offers = core.allocate(now: 0)
        XCTAssertEqual(offers.map(\.resources), [res(cpus: 4, mem: 1024), res(mem: 512)])
        XCTAssertEqual(core.available(on: agent("a2")), res(cpus: 4, mem: 512))
        XCTAssertEqual(core.allocate(now: 1), [])
        // The quota role's framework turns up and its guarantee is there for it.
        core.revive(fw("quota"))
        XCTAssertEqual(core.allocate(now: 2).map { "\($0.role):\($0.resources)" }, ["q:cpus:4; mem:512"])
        XCTAssertEqual(core.requiredHeadroom, [:])
    }

    func testGuaranteesComeFirstAndStopAtTheGuarantee() {
        var core = AllocatorCore()
        core.setQuota(role: "q", guarantees: ["cpus": 2], limits: ["cpus": 2])
        core.addFramework(fw("a"), role: "aaa")
        core.addFramework(fw("q"), role: "q")
        core.addAgent(agent("a1"), total: res(cpus: 6, mem: 600))
        // Although "aaa" sorts first, "q" gets its 2 cpus in the first stage, with the mem
        // it has no guarantee for (nothing else needs headroom); its limit stops it there.
        let offers = core.allocate(now: 0)
        XCTAssertEqual(offers.map { "\($0.role):\($0.resources)" }, ["q:cpus:2; mem:600", "aaa:cpus:4"])

        // Without a limit, the first stage lets the role burst past its guarantee as far as
        // the headroom allows, as Mesos does.
        core.setQuota(role: "q", guarantees: ["cpus": 2], limits: [:])
        core.removeAgent(agent("a1"))
        core.addAgent(agent("a1"), total: res(cpus: 6, mem: 600))
        XCTAssertEqual(core.allocate(now: 1).map { "\($0.role):\($0.resources)" }, ["q:cpus:6; mem:600"])
    }

    func testGuaranteeOfAParentIsMetThroughItsSubroles() {
        var core = AllocatorCore()
        core.setQuota(role: "eng", guarantees: ["cpus": 3], limits: ["cpus": 3])
        core.addFramework(fw("other"), role: "aaa")
        core.addFramework(fw("web"), role: "eng/web")
        core.addAgent(agent("a1"), total: res(cpus: 2, mem: 256))
        core.addAgent(agent("a2"), total: res(cpus: 2, mem: 256))
        let offers = core.allocate(now: 0)
        XCTAssertEqual(offers.map { "\($0.role):\($0.resources)" },
                       ["eng/web:cpus:2; mem:256", "eng/web:cpus:1; mem:256", "aaa:cpus:1"])
        XCTAssertEqual(core.consumedQuota(ofRole: "eng"), ["cpus": 3, "mem": 512])
    }

    func testQuotaCanBeReadBackAndRemoved() {
        var core = AllocatorCore()
        core.setQuota(role: "q", guarantees: ["cpus": 1], limits: ["cpus": 2, "mem": 64])
        XCTAssertEqual(core.quota(of: "q"), Quota(guarantees: ["cpus": 1], limits: ["cpus": 2, "mem": 64]))
        XCTAssertEqual(core.quotas, ["q": Quota(guarantees: ["cpus": 1], limits: ["cpus": 2, "mem": 64])])
        XCTAssertEqual(core.knownRoles, ["q"])
        core.setQuota(role: "q", guarantees: [:], limits: [:])
        XCTAssertNil(core.quota(of: "q"))
        XCTAssertEqual(core.quotas, [:])
        XCTAssertEqual(core.requiredHeadroom, [:])
    }

    /// With weights 1:3 and frameworks that keep taking whatever they are offered while
    /// tasks finish at random, what the two roles hold converges to 1:3.
    func testWeightsOneToThreeConvergeToOneToThreeShares() {
        var core = AllocatorCore()
        core.setWeight(1, forRole: "light")
        core.setWeight(3, forRole: "heavy")
        core.addFramework(fw("l"), role: "light")
        core.addFramework(fw("h"), role: "heavy")
        let agents = (0..<40).map { agent(String(format: "a%02d", $0)) }
        for id in agents { core.addAgent(id, total: res(cpus: 1, mem: 128)) }
        var rng = SeededGenerator(seed: 42)
        for cycle in 0..<50 {
            _ = core.allocate(now: Double(cycle))
            let light = core.allocated(toRole: "light").scalar("cpus")
            let heavy = core.allocated(toRole: "heavy").scalar("cpus")
            XCTAssertEqual(light + heavy, 40, "cycle \(cycle)")
            XCTAssertEqual(heavy, 3 * light, accuracy: 3, "cycle \(cycle)")
            XCTAssertEqual(core.dominantShare(ofRole: "heavy"), core.dominantShare(ofRole: "light"), accuracy: 1.0 / 40)
            // A random quarter of the tasks finish and their resources come back.
            for id in agents where Int.random(in: 0..<4, using: &rng) == 0 {
                for framework in [fw("l"), fw("h")] {
                    core.recover(framework: framework, agent: id, resources: core.allocation(of: framework, on: id),
                                 refuseSeconds: nil, now: Double(cycle))
                }
            }
        }
    }

    func testHierarchicalDRFComparesSubtrees() {
        var core = AllocatorCore()
        core.addFramework(fw("web"), role: "eng/web")
        core.addFramework(fw("db"), role: "eng/db")
        core.addFramework(fw("ops"), role: "ops")
        for name in ["a1", "a2", "a3", "a4"] { core.addAgent(agent(name), total: res(cpus: 1, mem: 64)) }
        // eng's subtree competes with ops as a whole; inside eng, db and web take turns.
        XCTAssertEqual(core.allocate(now: 0).map(\.role), ["eng/db", "ops", "eng/web", "ops"])
        XCTAssertEqual(core.dominantShare(ofRole: "eng"), 0.5)
        XCTAssertEqual(core.allocated(toRole: "eng"), res(cpus: 2, mem: 128))
        XCTAssertEqual(core.allocated(toRole: "eng", includingSubroles: false), Resources())
        XCTAssertEqual(core.allocatedQuantities(ofRole: "eng"), ["cpus": 2, "mem": 128])
        XCTAssertEqual(core.allocatedQuantities(ofRole: "eng", includingSubroles: false), [:])
        XCTAssertEqual(core.allocationsByRole, ["eng/db": res(cpus: 1, mem: 64), "eng/web": res(cpus: 1, mem: 64),
                                                "ops": res(cpus: 2, mem: 128)])
    }

    func testARoleWithFrameworksCompetesWithItsSubroles() {
        var core = AllocatorCore()
        core.addFramework(fw("parent"), role: "eng")
        core.addFramework(fw("child"), role: "eng/web")
        core.addFramework(fw("ops"), role: "ops")
        for name in ["a1", "a2", "a3", "a4"] { core.addAgent(agent(name), total: res(cpus: 1, mem: 64)) }
        XCTAssertEqual(core.allocate(now: 0).map(\.role), ["eng", "ops", "eng/web", "ops"])
    }

    func testWeightsApplyAmongSiblings() {
        var core = AllocatorCore()
        core.setWeight(2, forRole: "eng/web")
        core.addFramework(fw("web"), role: "eng/web")
        core.addFramework(fw("db"), role: "eng/db")
        for name in ["a1", "a2", "a3"] { core.addAgent(agent(name), total: res(cpus: 1, mem: 64)) }
        XCTAssertEqual(core.allocate(now: 0).map(\.role), ["eng/db", "eng/web", "eng/web"])
        XCTAssertEqual(core.weight(of: "eng/web"), 2)
        XCTAssertEqual(core.weights, ["eng/web": 2])
    }
}
