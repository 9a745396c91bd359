import Allocator
import MesosAPI
import XCTest

final class DRFTests: XCTestCase {
    func testFrameworkWithMoreAllocatedIsOfferedSecond() {
        var core = AllocatorCore()
        core.addFramework(fw("fa"), role: "*")
        core.addFramework(fw("fb"), role: "*")
        // fa already runs a task on a1, so it sorts after fb despite its smaller ID.
        core.addAgent(agent("a1"), total: res(cpus: 10, mem: 1000), allocated: [fw("fa"): res(cpus: 5, mem: 100)])
        core.addAgent(agent("a2"), total: res(cpus: 10, mem: 1000))
        XCTAssertEqual(core.dominantShare(of: fw("fa")), 0.25)

        let offers = core.allocate(now: 0)
        // fb takes a1's free part (share 0.45 by mem), which leaves fa (0.25) lowest for a2.
        XCTAssertEqual(offers.pairs, ["fb@a1", "fa@a2"])
        XCTAssertEqual(offers[0].resources, res(cpus: 5, mem: 900))
        XCTAssertEqual(offers[1].resources, res(cpus: 10, mem: 1000))
        XCTAssertEqual(core.dominantShare(of: fw("fb")), 0.45)
    }

    func testTiesBreakByIDAndSharesUpdateAfterEachAllocation() {
        for insertion in [["fa", "fb"], ["fb", "fa"]] {
            var core = AllocatorCore()
            for name in insertion { core.addFramework(fw(name), role: "*") }
            for name in ["a1", "a2", "a3"] { core.addAgent(agent(name), total: res(cpus: 1, mem: 64)) }
            XCTAssertEqual(core.allocate(now: 0).pairs, ["fa@a1", "fb@a2", "fa@a3"], "\(insertion)")
        }
    }

    func testDominantShareIsTheLargestResourceFraction() {
        var core = AllocatorCore()
        core.addFramework(fw("cpuheavy"), role: "*")
        core.addFramework(fw("memheavy"), role: "*")
        // Cluster: 10 cpus, 1000 mem; a1 is fully used.
        core.addAgent(agent("a1"), total: res(cpus: 5, mem: 600), allocated: [
            fw("cpuheavy"): res(cpus: 4, mem: 100),   // share max(0.4, 0.1) = 0.4
            fw("memheavy"): res(cpus: 1, mem: 500),   // share max(0.1, 0.5) = 0.5
        ])
        core.addAgent(agent("a2"), total: res(cpus: 5, mem: 400))
        XCTAssertEqual(core.dominantShare(of: fw("memheavy")), 0.5)
        XCTAssertEqual(core.allocate(now: 0).pairs, ["cpuheavy@a2"])
    }

    func testWholeAgentIsOfferedOnceUntilRecovered() {
        var core = AllocatorCore()
        core.addFramework(fw("f"), role: "*")
        let total = res(cpus: 4, mem: 1024, disk: 100, ports: [31000...32000])
        core.addAgent(agent("a1"), total: total)
        let first = core.allocate(now: 0)
        XCTAssertEqual(first, [Allocation(frameworkID: fw("f"), agentID: agent("a1"), role: "*", resources: total)])
        XCTAssertTrue(core.available(on: agent("a1")).isEmpty)
        XCTAssertEqual(core.allocate(now: 1), [])
        XCTAssertFalse(core.hasWork)

        core.recover(framework: fw("f"), agent: agent("a1"), resources: res(cpus: 1, ports: [31000...31009]),
                     refuseSeconds: nil, now: 1)
        XCTAssertEqual(core.allocate(now: 2).map(\.resources), [res(cpus: 1, ports: [31000...31009])])
    }

    func testRecoverOnlyReturnsWhatIsHeld() {
        var core = AllocatorCore()
        core.addFramework(fw("f"), role: "*")
        core.addFramework(fw("g"), role: "*")
        core.addAgent(agent("a1"), total: res(cpus: 4, mem: 64))
        _ = core.allocate(now: 0)
        // Another framework cannot hand back f's resources, and nobody can return more than held.
        core.recover(framework: fw("g"), agent: agent("a1"), resources: res(cpus: 4), refuseSeconds: nil, now: 0)
        XCTAssertTrue(core.available(on: agent("a1")).isEmpty)
        core.recover(framework: fw("f"), agent: agent("a1"), resources: res(cpus: 9, mem: 64, disk: 5),
                     refuseSeconds: nil, now: 0)
        core.recover(framework: fw("f"), agent: agent("a1"), resources: res(cpus: 9), refuseSeconds: nil, now: 0)
        XCTAssertEqual(core.available(on: agent("a1")), res(cpus: 4, mem: 64))
        XCTAssertTrue(core.allocated(to: fw("f")).isEmpty)
        XCTAssertEqual(core.dominantShare(of: fw("f")), 0)
    }

    func testAllocationTagsAreIgnoredOnTheWayBack() {
        var core = AllocatorCore()
        core.addFramework(fw("f"), role: "web")
        core.addAgent(agent("a1"), total: res(cpus: 2, mem: 64))
        let offer = core.allocate(now: 0)[0]
        XCTAssertEqual(offer.role, "web")
        core.recover(framework: fw("f"), agent: agent("a1"), resources: offer.resources.allocating(to: offer.role),
                     refuseSeconds: nil, now: 0)
        XCTAssertEqual(core.available(on: agent("a1")), res(cpus: 2, mem: 64))
    }

    func testInactiveFrameworksGetNothing() {
        var core = AllocatorCore()
        core.addFramework(fw("fa"), role: "*")
        core.addFramework(fw("fb"), role: "*", active: false)
        core.addAgent(agent("a1"), total: res(cpus: 1, mem: 64))
        core.addAgent(agent("a2"), total: res(cpus: 1, mem: 64))
        core.deactivateFramework(fw("fa"))
        XCTAssertEqual(core.allocate(now: 0), [])
        XCTAssertFalse(core.hasWork)
        core.activateFramework(fw("fb"))
        XCTAssertEqual(core.allocate(now: 0).pairs, ["fb@a1", "fb@a2"])
    }

    func testSuppressAndRevive() {
        var core = AllocatorCore()
        core.addFramework(fw("f"), role: "*", suppressed: true)
        core.addAgent(agent("a1"), total: res(cpus: 1, mem: 64))
        XCTAssertEqual(core.allocate(now: 0), [])
        core.revive(fw("f"))
        XCTAssertTrue(core.hasWork)
        XCTAssertEqual(core.allocate(now: 0).pairs, ["f@a1"])
        core.suppress(fw("f"))
        core.recover(framework: fw("f"), agent: agent("a1"), resources: res(cpus: 1, mem: 64), refuseSeconds: nil, now: 0)
        XCTAssertEqual(core.allocate(now: 1), [])
        core.revive(fw("f"))
        XCTAssertEqual(core.allocate(now: 1).pairs, ["f@a1"])
    }

    func testMinAllocatable() {
        var core = AllocatorCore()
        core.addFramework(fw("f"), role: "*")
        core.addAgent(agent("tiny"), total: res(cpus: 0.009, mem: 31, disk: 1000))
        core.addAgent(agent("cpu"), total: res(cpus: 0.01))
        core.addAgent(agent("mem"), total: res(mem: 32))
        XCTAssertEqual(core.allocate(now: 0).pairs, ["f@cpu", "f@mem"])

        // Leftovers below the minimum stay in the pool rather than making a useless offer.
        core.addAgent(agent("busy"), total: res(cpus: 1, mem: 64), allocated: [fw("other"): res(cpus: 0.995, mem: 40)])
        XCTAssertEqual(core.allocate(now: 0), [])
        XCTAssertEqual(core.available(on: agent("busy")), res(cpus: 0.005, mem: 24))

        var lenient = AllocatorCore(config: AllocatorConfig(minAllocatable: []))
        lenient.addFramework(fw("f"), role: "*")
        lenient.addAgent(agent("tiny"), total: res(disk: 1))
        XCTAssertEqual(lenient.allocate(now: 0).pairs, ["f@tiny"])
    }

    func testRemoveFrameworkReturnsEverythingItHeld() {
        var core = AllocatorCore()
        core.addFramework(fw("f"), role: "*")
        core.addAgent(agent("a1"), total: res(cpus: 2, mem: 64))
        core.addAgent(agent("a2"), total: res(cpus: 2, mem: 64))
        XCTAssertEqual(core.allocate(now: 0).count, 2)
        core.removeFramework(fw("f"))
        XCTAssertEqual(core.available(on: agent("a1")), res(cpus: 2, mem: 64))
        XCTAssertEqual(core.frameworkIDs, [])
        core.addFramework(fw("g"), role: "*")
        XCTAssertEqual(core.allocate(now: 0).pairs, ["g@a1", "g@a2"])
    }

    func testRemoveAgentDropsItsAllocationsFromShares() {
        var core = AllocatorCore()
        core.addFramework(fw("f"), role: "*")
        core.addAgent(agent("a1"), total: res(cpus: 2, mem: 64))
        core.addAgent(agent("a2"), total: res(cpus: 2, mem: 64))
        _ = core.allocate(now: 0)
        core.removeAgent(agent("a1"))
        XCTAssertEqual(core.allocated(to: fw("f")), res(cpus: 2, mem: 64))
        XCTAssertEqual(core.dominantShare(of: fw("f")), 1)
        XCTAssertEqual(core.agentIDs, [agent("a2")])
        core.recover(framework: fw("f"), agent: agent("a1"), resources: res(cpus: 2), refuseSeconds: 10, now: 0)
        XCTAssertEqual(core.allocate(now: 0), [])
    }

    func testAllocationsOfUnknownFrameworksCountOnceTheyRegister() {
        var core = AllocatorCore()
        core.addAgent(agent("a1"), total: res(cpus: 4, mem: 100), allocated: [fw("late"): res(cpus: 2, mem: 10)])
        core.addAgent(agent("a2"), total: res(cpus: 4, mem: 100))
        core.addFramework(fw("early"), role: "*")
        core.addFramework(fw("late"), role: "*")
        XCTAssertEqual(core.dominantShare(of: fw("late")), 0.25)
        XCTAssertEqual(core.allocate(now: 0).pairs, ["early@a1", "late@a2"])
    }

    func testReservedResourcesGoOnlyToTheirRole() {
        var core = AllocatorCore()
        core.addFramework(fw("any"), role: "*")
        core.addFramework(fw("db"), role: "prod")
        core.addAgent(agent("a1"), total: res(cpus: 4, mem: 64) + res(cpus: 2, mem: 32, role: "prod"))
        let offers = core.allocate(now: 0)
        XCTAssertEqual(offers.map { "\($0.frameworkID)/\($0.role)" }, ["any/*", "db/prod"])
        XCTAssertEqual(offers[0].resources, res(cpus: 4, mem: 64))
        XCTAssertEqual(offers[1].resources, res(cpus: 2, mem: 32, role: "prod"))

        // Alone, the role's framework gets its reservation plus the unreserved part.
        var solo = AllocatorCore()
        solo.addFramework(fw("db"), role: "prod")
        solo.addAgent(agent("a1"), total: res(cpus: 4, mem: 64) + res(cpus: 2, role: "prod"))
        XCTAssertEqual(solo.allocate(now: 0).map(\.resources), [res(cpus: 4, mem: 64) + res(cpus: 2, role: "prod")])
    }

    func testRoleWeightsScaleShares() {
        func winners(weight: Double) -> [String] {
            var core = AllocatorCore()
            core.setWeight(weight, forRole: "r2")
            core.addFramework(fw("f1"), role: "r1")
            core.addFramework(fw("f2"), role: "r2")
            for name in ["a1", "a2", "a3", "a4"] { core.addAgent(agent(name), total: res(cpus: 1, mem: 100)) }
            return core.allocate(now: 0).map(\.role)
        }
        XCTAssertEqual(winners(weight: 1), ["r1", "r2", "r1", "r2"])
        XCTAssertEqual(winners(weight: 3), ["r1", "r2", "r2", "r2"])
    }

    func testReRegistrationKeepsAllocationAndCanChangeRole() {
        var core = AllocatorCore()
        core.addFramework(fw("f"), role: "a")
        core.addAgent(agent("a1"), total: res(cpus: 2, mem: 64))
        _ = core.allocate(now: 0)
        core.addFramework(fw("f"), role: "b", active: false)
        XCTAssertEqual(core.role(of: fw("f")), "b")
        XCTAssertEqual(core.dominantShare(of: fw("f")), 1)
        core.addAgent(agent("a2"), total: res(cpus: 2, mem: 64))
        XCTAssertEqual(core.allocate(now: 0), [])
    }
}
