import Allocator
import MesosAPI
import XCTest

/// Multi-role frameworks, per-role SUPPRESS/REVIVE and filters, reservations changing under
/// allocations (RESERVE/UNRESERVE), and the random sorters.
final class MultiRoleTests: XCTestCase {
    func testMultiRoleFrameworkGetsOffersPerRole() {
        var core = AllocatorCore()
        core.addFramework(fw("f"), roles: ["a", "b"])
        core.addAgent(agent("a1"), total: res(cpus: 2, mem: 64) + res(cpus: 1, mem: 32, role: "b"))
        let offers = core.allocate(now: 0)
        // Role a comes first (ties by name) and takes the unreserved part; b's reservation
        // is offered to the same framework for role b.
        XCTAssertEqual(offers.map { "\($0.frameworkID)/\($0.role)" }, ["f/a", "f/b"])
        XCTAssertEqual(offers[0].resources, res(cpus: 2, mem: 64))
        XCTAssertEqual(offers[1].resources, res(cpus: 1, mem: 32, role: "b"))
        XCTAssertEqual(core.allocation(of: fw("f"), role: "b", on: agent("a1")), res(cpus: 1, mem: 32, role: "b"))

        // Declining one role's offer with its tags filters that role only: the same
        // framework is offered the resources again, for role b.
        core.recover(framework: fw("f"), agent: agent("a1"), resources: offers[0].resources.allocating(to: "a"),
                     refuseSeconds: 60, now: 1)
        XCTAssertEqual(core.allocation(of: fw("f"), role: "a", on: agent("a1")), Resources())
        XCTAssertEqual(core.allocate(now: 2).map { "\($0.role):\($0.resources)" }, ["b:cpus:2; mem:64"])
    }

    func testPerRoleSuppressAndRevive() {
        var core = AllocatorCore()
        core.addFramework(fw("f"), roles: ["a", "b"], suppressedRoles: ["a"])
        core.addAgent(agent("a1"), total: res(cpus: 1, mem: 64))
        XCTAssertEqual(core.allocate(now: 0).map(\.role), ["b"])
        core.recover(framework: fw("f"), agent: agent("a1"), resources: res(cpus: 1, mem: 64), role: "b",
                     refuseSeconds: 100, now: 0)
        XCTAssertEqual(core.allocate(now: 1), [])
        // Reviving a clears a's (absent) filters only: b's refusal still holds.
        core.revive(fw("f"), roles: ["a"])
        XCTAssertEqual(core.allocate(now: 2).map(\.role), ["a"])
        core.recover(framework: fw("f"), agent: agent("a1"), resources: res(cpus: 1, mem: 64), role: "a",
                     refuseSeconds: nil, now: 2)
        core.suppress(fw("f"), roles: ["a"])
        XCTAssertEqual(core.suppressedRoles(of: fw("f")), ["a"])
        XCTAssertEqual(core.allocate(now: 3), [])
        // Revive without roles means every role, and drops every filter.
        core.revive(fw("f"))
        XCTAssertEqual(core.allocate(now: 4).map(\.role), ["a"])
        XCTAssertEqual(core.suppressedRoles(of: fw("f")), [])
    }

    func testLeavingARoleKeepsItsAllocationUntilRecovered() {
        var core = AllocatorCore()
        core.addFramework(fw("f"), roles: ["a", "b"])
        core.addAgent(agent("a1"), total: res(cpus: 1, mem: 64))
        XCTAssertEqual(core.allocate(now: 0).map(\.role), ["a"])
        core.updateFramework(fw("f"), roles: ["b"], suppressedRoles: [])
        XCTAssertEqual(core.roles(of: fw("f")), ["b"])
        XCTAssertEqual(core.allocated(toRole: "a"), res(cpus: 1, mem: 64))
        XCTAssertEqual(core.knownRoles, ["a", "b"])
        core.recover(framework: fw("f"), agent: agent("a1"), resources: res(cpus: 1, mem: 64), refuseSeconds: nil, now: 1)
        XCTAssertEqual(core.knownRoles, ["b"])
        XCTAssertEqual(core.allocate(now: 1).map(\.role), ["b"])
    }

    func testTaggedTasksOfAnAgentCountForTheirRoles() {
        var core = AllocatorCore()
        core.addFramework(fw("f"), roles: ["a", "b"])
        core.addAgent(agent("a1"), total: res(cpus: 4, mem: 256),
                      allocated: [fw("f"): res(cpus: 1, mem: 64).allocating(to: "b") + res(cpus: 1)])
        XCTAssertEqual(core.allocation(of: fw("f"), role: "b", on: agent("a1")), res(cpus: 1, mem: 64))
        XCTAssertEqual(core.allocation(of: fw("f"), role: "a", on: agent("a1")), res(cpus: 1))
        XCTAssertEqual(core.dominantShare(ofRole: "b"), 0.25)
    }

    func testReserveOfOfferedResourcesKeepsThemWithTheHolder() {
        var core = AllocatorCore()
        core.setQuota(role: "db", guarantees: [:], limits: ["cpus": 10])
        core.addFramework(fw("f"), role: "db")
        core.addFramework(fw("g"), role: "web")
        core.addAgent(agent("a1"), total: res(cpus: 4, mem: 256))
        XCTAssertEqual(core.allocate(now: 0).map(\.role), ["db"])
        // f RESERVEs 2 of its offered cpus: the master applies the operation to the agent's
        // total; the holding follows the re-tagged cpus.
        core.updateAgent(agent("a1"), total: res(cpus: 2, mem: 256) + res(cpus: 2, role: "db"))
        XCTAssertEqual(core.allocation(of: fw("f"), on: agent("a1")), res(cpus: 2, mem: 256) + res(cpus: 2, role: "db"))
        XCTAssertTrue(core.available(on: agent("a1")).isEmpty)
        XCTAssertEqual(core.consumedQuota(ofRole: "db"), ["cpus": 4, "mem": 256])
        XCTAssertEqual(core.reservedQuantities(ofRole: "db"), ["cpus": 2])
        // Declining it all: the reservation goes back to db only.
        core.recover(framework: fw("f"), agent: agent("a1"), resources: core.allocation(of: fw("f"), on: agent("a1")),
                     refuseSeconds: 30, now: 1)
        XCTAssertEqual(core.allocate(now: 2).map { "\($0.role):\($0.resources)" }, ["web:cpus:2; mem:256"])
        // UNRESERVE of the free reservation: the cpus become anyone's.
        core.updateAgent(agent("a1"), total: res(cpus: 4, mem: 256))
        XCTAssertEqual(core.reservedQuantities(ofRole: "db"), [:])
        XCTAssertEqual(core.allocate(now: 3).map { "\($0.role):\($0.resources)" }, ["web:cpus:2"])
    }

    func testUnreserveOfHeldResourcesKeepsThemWithTheHolder() {
        var core = AllocatorCore()
        core.addFramework(fw("f"), role: "db")
        core.addAgent(agent("a1"), total: res(cpus: 2, role: "db") + res(mem: 64))
        XCTAssertEqual(core.allocate(now: 0).count, 1)
        core.updateAgent(agent("a1"), total: res(cpus: 2, mem: 64))
        XCTAssertEqual(core.allocation(of: fw("f"), on: agent("a1")), res(cpus: 2, mem: 64))
        XCTAssertEqual(core.total(of: agent("a1")), res(cpus: 2, mem: 64))
    }

    func testShrunkTotalDropsWhatNoLongerExists() {
        var core = AllocatorCore()
        core.addFramework(fw("f"), role: "*")
        core.addAgent(agent("a1"), total: res(cpus: 4, mem: 256))
        _ = core.allocate(now: 0)
        core.updateAgent(agent("a1"), total: res(cpus: 3, mem: 256))
        XCTAssertEqual(core.allocation(of: fw("f"), on: agent("a1")), res(cpus: 3, mem: 256))
        XCTAssertEqual(core.dominantShare(of: fw("f")), 1)
    }

    func testRandomSortersAreReproducibleBySeed() {
        func offers(_ seed: UInt64) -> [String] {
            var core = AllocatorCore(config: AllocatorConfig(roleSorter: .random(seed: seed),
                                                             frameworkSorter: .random(seed: seed)))
            for index in 0..<6 { core.addFramework(fw("f\(index)"), role: "r\(index % 3)") }
            for index in 0..<12 { core.addAgent(agent(String(format: "a%02d", index)), total: res(cpus: 1, mem: 64)) }
            return core.allocate(now: 0).pairs
        }
        XCTAssertEqual(offers(1), offers(1))
        XCTAssertEqual(offers(1).count, 12)
        XCTAssertNotEqual(offers(1), offers(2))
        let drf = AllocatorCore()
        XCTAssertEqual(drf.config.roleSorter, .drf)
    }

    func testReservationsOfAParentServeItsSubrolesOnly() {
        var core = AllocatorCore()
        core.addFramework(fw("web"), role: "eng/web")
        core.addFramework(fw("ops"), role: "ops")
        core.addFramework(fw("engine"), role: "engine")
        core.addAgent(agent("a1"), total: res(cpus: 1, role: "eng") + res(mem: 64, role: "engine"))
        let offers = core.allocate(now: 0)
        XCTAssertEqual(offers.map { "\($0.role):\($0.resources)" }, ["eng/web:cpus(eng):1", "engine:mem(engine):64"])
    }
}
