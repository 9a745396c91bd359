import Allocator
import MesosAPI
import XCTest

/// Deactivated (and draining) agents: kept, counted, offered to nobody.
final class AgentActivationTests: XCTestCase {
    func testDeactivatedAgentIsNotOfferedUntilReactivated() {
        var core = AllocatorCore()
        core.addFramework(fw("f"), role: "*")
        core.addAgent(agent("a1"), total: res(cpus: 2, mem: 64))
        core.addAgent(agent("a2"), total: res(cpus: 2, mem: 64))
        core.setAgentActive(agent("a1"), false)
        XCTAssertFalse(core.isAgentActive(agent("a1")))
        XCTAssertEqual(core.allocate(now: 0).pairs, ["f@a2"])
        XCTAssertEqual(core.allocate(now: 1), [])
        core.setAgentActive(agent("a1"), true)
        XCTAssertEqual(core.allocate(now: 2).pairs, ["f@a1"])
    }

    func testDeactivationKeepsWhatIsAllocatedOnTheAgent() {
        var core = AllocatorCore()
        core.addFramework(fw("f"), role: "*")
        core.addAgent(agent("a1"), total: res(cpus: 2, mem: 64), allocated: [fw("f"): res(cpus: 1, mem: 32)])
        core.setAgentActive(agent("a1"), false)
        // Freed resources of a deactivated agent wait for its reactivation.
        core.recover(framework: fw("f"), agent: agent("a1"), resources: res(cpus: 1, mem: 32), refuseSeconds: 0, now: 0)
        XCTAssertEqual(core.allocate(now: 1), [])
        core.setAgentActive(agent("a1"), true)
        XCTAssertEqual(core.allocate(now: 2).pairs, ["f@a1"])
        XCTAssertFalse(core.isAgentActive(agent("unknown")))
    }
}
