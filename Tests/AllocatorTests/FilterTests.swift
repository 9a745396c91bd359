import Allocator
import MesosAPI
import XCTest

/// Offer filters, driven entirely by the `now` values passed in.
final class FilterTests: XCTestCase {
    private let total = res(cpus: 4, mem: 1024, ports: [31000...31099])

    /// One framework holding the whole of one agent at t = 0.
    private func offered() -> AllocatorCore {
        var core = AllocatorCore()
        core.addFramework(fw("f"), role: "*")
        core.addAgent(agent("a1"), total: total)
        XCTAssertEqual(core.allocate(now: 0).pairs, ["f@a1"])
        return core
    }

    private func decline(_ core: inout AllocatorCore, _ seconds: Double?, at now: Double = 0) {
        core.recover(framework: fw("f"), agent: agent("a1"), resources: total, refuseSeconds: seconds, now: now)
    }

    func testRefusalHoldsUntilItExpires() {
        var core = offered()
        decline(&core, 30)
        XCTAssertEqual(core.allocate(now: 10), [])
        XCTAssertEqual(core.nextFilterExpiry(after: 10), 30)
        XCTAssertEqual(core.allocate(now: 29.999), [])
        XCTAssertEqual(core.allocate(now: 31).pairs, ["f@a1"])
        XCTAssertNil(core.nextFilterExpiry(after: 31))
    }

    func testZeroOrNilRefusalInstallsNoFilter() {
        for seconds in [0, nil] as [Double?] {
            var core = offered()
            decline(&core, seconds)
            XCTAssertEqual(core.allocate(now: 0).pairs, ["f@a1"], "\(String(describing: seconds))")
        }
    }

    func testUnusableRefusalsFallBackToFiveSeconds() {
        for seconds in [-1, .nan, .infinity, -.infinity] as [Double] {
            var core = offered()
            decline(&core, seconds)
            XCTAssertEqual(core.allocate(now: 4.9), [], "\(seconds)")
            XCTAssertEqual(core.allocate(now: 5).pairs, ["f@a1"], "\(seconds)")
        }
        var core = offered()
        decline(&core, AllocatorConfig().defaultRefuseSeconds)
        XCTAssertEqual(core.allocate(now: 4.9), [])
        XCTAssertEqual(core.allocate(now: 5.1).pairs, ["f@a1"])
    }

    func testLongRefusalsAreCapped() {
        var core = offered()
        decline(&core, 1e12)
        let year = 365.0 * 24 * 3600
        XCTAssertEqual(core.nextFilterExpiry(after: 0), year)
        XCTAssertEqual(core.allocate(now: year - 1), [])
        XCTAssertEqual(core.allocate(now: year).pairs, ["f@a1"])
    }

    func testReviveLiftsFilters() {
        var core = offered()
        decline(&core, 3600)
        XCTAssertEqual(core.allocate(now: 1), [])
        core.revive(fw("f"))
        XCTAssertEqual(core.allocate(now: 2).pairs, ["f@a1"])
    }

    func testFilterDoesNotHoldWhenMoreIsFreeThanWasRefused() {
        var core = offered()
        // The framework uses half the agent and declines the other half for 30 s.
        let declined = res(cpus: 2, mem: 512, ports: [31050...31099])
        core.recover(framework: fw("f"), agent: agent("a1"), resources: declined, refuseSeconds: 30, now: 0)
        XCTAssertEqual(core.allocate(now: 1), [])
        // A task finishes: the free pool now exceeds what was refused, so it is offered again.
        core.recover(framework: fw("f"), agent: agent("a1"), resources: res(cpus: 1), refuseSeconds: nil, now: 2)
        let offers = core.allocate(now: 3)
        XCTAssertEqual(offers.pairs, ["f@a1"])
        XCTAssertEqual(offers.first?.resources, declined + res(cpus: 1))
    }

    func testFilterIsPerFrameworkAndPerAgent() {
        var core = AllocatorCore()
        core.addFramework(fw("f"), role: "*")
        core.addFramework(fw("g"), role: "*")
        core.addAgent(agent("a1"), total: total)
        core.addAgent(agent("a2"), total: total)
        XCTAssertEqual(core.allocate(now: 0).pairs, ["f@a1", "g@a2"])
        core.recover(framework: fw("f"), agent: agent("a1"), resources: total, refuseSeconds: 60, now: 0)
        core.recover(framework: fw("g"), agent: agent("a2"), resources: total, refuseSeconds: nil, now: 0)
        // f refused a1, so g (with the same share now) gets it; a2 stays open to f.
        XCTAssertEqual(core.allocate(now: 1).pairs, ["g@a1", "f@a2"])
    }

    func testRepeatedDeclinesExtendRatherThanShorten() {
        var core = offered()
        decline(&core, 100)
        XCTAssertEqual(core.allocate(now: 1), [])
        decline(&core, 10, at: 1)
        XCTAssertEqual(core.allocate(now: 50), [])
        XCTAssertEqual(core.allocate(now: 100).pairs, ["f@a1"])
    }

    func testALongerDeclineOfTheSameResourcesReplacesTheShorterOne() {
        var core = offered()
        decline(&core, 10)
        decline(&core, 100, at: 1)
        XCTAssertEqual(core.allocate(now: 50), [])
        XCTAssertEqual(core.nextFilterExpiry(after: 50), 101)
        XCTAssertEqual(core.allocate(now: 101).pairs, ["f@a1"])
    }

    func testFrameworksRefusingTheSameResourcesAreEachFiltered() {
        var core = AllocatorCore()
        for name in ["f", "g", "h"] { core.addFramework(fw(name), role: "*") }
        core.addAgent(agent("a1"), total: total)
        for (step, name) in ["f", "g", "h"].enumerated() {
            XCTAssertEqual(core.allocate(now: Double(step)).pairs, ["\(name)@a1"])
            core.recover(framework: fw(name), agent: agent("a1"), resources: total, refuseSeconds: 30 + Double(step),
                         now: Double(step))
        }
        XCTAssertEqual(core.allocate(now: 29), [])
        // f's refusal lifts first; revive of h lifts only h's.
        XCTAssertEqual(core.allocate(now: 30).pairs, ["f@a1"])
        core.recover(framework: fw("f"), agent: agent("a1"), resources: total, refuseSeconds: 1000, now: 30)
        core.revive(fw("h"))
        XCTAssertEqual(core.allocate(now: 30.5).pairs, ["h@a1"])
    }

    func testRemovingAnAgentDropsItsFilters() {
        var core = offered()
        decline(&core, 60)
        core.removeAgent(agent("a1"))
        core.addAgent(agent("a1"), total: total)
        XCTAssertEqual(core.allocate(now: 1).pairs, ["f@a1"])
    }

    func testFiltersSurviveReRegistrationAndDeactivation() {
        var core = offered()
        decline(&core, 60)
        core.deactivateFramework(fw("f"))
        core.addFramework(fw("f"), role: "*")
        XCTAssertEqual(core.allocate(now: 30), [])
        XCTAssertEqual(core.allocate(now: 60).pairs, ["f@a1"])
    }
}
