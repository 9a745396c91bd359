import Allocator
import MesosAPI
import XCTest

/// Why a framework gets no offers, as the allocator names it.
final class DiagnosisTests: XCTestCase {
    private func core(agentCPUs: Double = 4) -> AllocatorCore {
        var core = AllocatorCore()
        core.addAgent(agent("a1"), total: res(cpus: agentCPUs, mem: 1024))
        core.addFramework(fw("f"), role: "web")
        return core
    }

    func testNothingInTheWayOfAnIdleCluster() {
        XCTAssertEqual(core().obstacles(for: fw("f"), wanting: [], now: 0), [])
        XCTAssertEqual(core().obstacles(for: fw("unknown"), wanting: [], now: 0), [])
    }

    func testInactiveFrameworkSaysSoAlone() {
        var core = core()
        core.deactivateFramework(fw("f"))
        XCTAssertEqual(core.obstacles(for: fw("f"), wanting: [["cpus": 64]], now: 0), [.inactive])
    }

    func testSuppressedRolesAreNamed() {
        var core = core()
        core.suppress(fw("f"), roles: ["web"])
        XCTAssertEqual(core.obstacles(for: fw("f"), wanting: [], now: 0), [.suppressed(roles: ["web"])])
    }

    func testDeclineFilterUntilItLifts() {
        var core = core()
        XCTAssertEqual(core.allocate(now: 0).pairs, ["f@a1"])
        core.recover(framework: fw("f"), agent: agent("a1"), resources: res(cpus: 4, mem: 1024), refuseSeconds: 30, now: 0)
        XCTAssertEqual(core.obstacles(for: fw("f"), wanting: [], now: 10), [.filtered(role: "web", agents: 1, until: 30)])
        XCTAssertEqual(core.obstacles(for: fw("f"), wanting: [], now: 31), [])
    }

    func testQuotaLimitReached() {
        var core = core()
        core.setQuota(role: "web", guarantees: [:], limits: ["cpus": 1])
        core.allocateUsed(framework: fw("f"), agent: agent("a1"), resources: res(cpus: 1, mem: 10), role: "web")
        XCTAssertEqual(core.obstacles(for: fw("f"), wanting: [], now: 0), [.quotaLimit(role: "web", resources: ["cpus"])])
    }

    func testRequestNoAgentIsBigEnoughFor() {
        XCTAssertEqual(core().obstacles(for: fw("f"), wanting: [["cpus": 64]], now: 0),
                       [.noAgentFits(role: "web", wanted: ["cpus": 64], largest: ["cpus": 4, "mem": 1024], busy: false)])
        XCTAssertEqual(core().obstacles(for: fw("f"), wanting: [["cpus": 64], ["cpus": 2]], now: 0), [],
                       "one of the alternatives fits")
    }

    func testRequestThatFitsOnlyWhenOthersLetGo() {
        var core = core()
        core.addFramework(fw("other"), role: "batch")
        core.allocateUsed(framework: fw("other"), agent: agent("a1"), resources: res(cpus: 3, mem: 100), role: "batch")
        XCTAssertEqual(core.obstacles(for: fw("f"), wanting: [["cpus": 2]], now: 0),
                       [.noAgentFits(role: "web", wanted: ["cpus": 2], largest: ["cpus": 1, "mem": 924], busy: true)])
    }

    func testNothingFreeWhenEverythingIsHeld() {
        var core = core()
        core.addFramework(fw("other"), role: "batch")
        core.allocateUsed(framework: fw("other"), agent: agent("a1"), resources: res(cpus: 4, mem: 1024), role: "batch")
        XCTAssertEqual(core.obstacles(for: fw("f"), wanting: [], now: 0), [.nothingFree(role: "web")])
    }

    func testNoActiveAgents() {
        var core = core()
        core.setAgentActive(agent("a1"), false)
        XCTAssertEqual(core.obstacles(for: fw("f"), wanting: [], now: 0), [.noActiveAgents])
    }
}
