import Foundation
import HTTPSupport
import XCTest
@testable import Master
import MesosAPI

/// Drives the `Master` actor directly, with no HTTP in between: its streams are read back and
/// decoded as a client would.
final class MasterCoreTests: XCTestCase {
    var master: Master!
    var framework: FrameworkID!
    var frameworkStream: EventStream!
    var agentStreams: [EventStream] = []

    override func setUp() async throws {
        // Rounds run only when a test asks, so no offer can slip out between its steps.
        var config = MasterConfig(port: 0)
        config.eagerAllocationDelay = nil
        master = Master(config: config)
        agentStreams = []
        for i in 0..<2 {
            let stream = EventStream()
            let info = AgentInfo(hostname: "h\(i)", port: 5051, resources: [.scalar("cpus", 2), .scalar("mem", 1024)],
                                 attributes: nil, id: nil)
            _ = await master.registerAgent(AgentRegistration(agentInfo: info, endpoint: "127.0.0.1:\(5051 + i)",
                                                             frameworks: [], tasks: []), stream: stream)
            agentStreams.append(stream)
        }
        frameworkStream = EventStream()
        var info = FrameworkInfo(user: "", name: "test")
        info.failoverTimeout = 0
        guard case .subscribed(let id) = await master.subscribe(Call.Subscribe(frameworkInfo: info),
                                                                stream: frameworkStream) else {
            return XCTFail("subscribe refused")
        }
        framework = id
    }

    func offers() async throws -> [Offer] {
        await master.runAllocation()
        return try events(frameworkStream).compactMap(\.offers).flatMap(\.offers)
    }

    func accept(_ offers: [OfferID], _ tasks: [TaskInfo]) async -> CallOutcome {
        var call = Call(type: .ACCEPT, frameworkId: framework)
        call.accept = Call.Accept(offerIds: offers, operations: [Offer.Operation(launch: tasks)])
        return await master.handle(call, streamID: frameworkStream.id)
    }

    func task(_ id: String, on agent: AgentID) -> TaskInfo {
        TaskInfo(name: id, taskId: TaskID(id), agentId: agent, resources: [.scalar("cpus", 1)],
                 command: CommandInfo(value: "true"))
    }

    func testSubscribeSendsSubscribedThenHeartbeat() throws {
        let types = try events(frameworkStream).map(\.type)
        XCTAssertEqual(types, [.SUBSCRIBED, .HEARTBEAT])
    }

    func testEachAgentIsOfferedOnce() async throws {
        _ = try events(frameworkStream)
        let offers = try await offers()
        XCTAssertEqual(Set(offers.map(\.agentId)).count, 2)
        let again = try await self.offers()
        XCTAssertTrue(again.isEmpty, "outstanding offers hold their resources")
    }

    func testOffersFromTwoAgentsInOneAcceptAreInvalid() async throws {
        _ = try events(frameworkStream)
        let offers = try await offers()
        let outcome = await accept(offers.map(\.id), [task("t", on: offers[0].agentId)])
        XCTAssertEqual(outcome, .accepted)
        let update = try XCTUnwrap(try events(frameworkStream).compactMap(\.update).first?.status)
        XCTAssertEqual(update.state, .TASK_LOST)
        XCTAssertEqual(update.reason, .REASON_INVALID_OFFERS)
        XCTAssertTrue(update.message?.contains("one single agent") ?? false)
    }

    func testUnknownOfferIsInvalid() async throws {
        _ = try events(frameworkStream)
        let offers = try await offers()
        _ = await accept([OfferID("nope")], [task("t", on: offers[0].agentId)])
        let update = try XCTUnwrap(try events(frameworkStream).compactMap(\.update).first?.status)
        XCTAssertEqual(update.state, .TASK_LOST)
        XCTAssertEqual(update.reason, .REASON_INVALID_OFFERS)
    }

    func testUnsupportedOperationIsRefusedWholeAndTheOfferStays() async throws {
        _ = try events(frameworkStream)
        let offer = try await offers()[0]
        var call = Call(type: .ACCEPT, frameworkId: framework)
        var reserve = Offer.Operation(launch: [])
        reserve.type = "CREATE"
        call.accept = Call.Accept(offerIds: [offer.id], operations: [reserve])
        guard case .badRequest(let message) = await master.handle(call, streamID: frameworkStream.id) else {
            return XCTFail("expected 400")
        }
        XCTAssertTrue(message.contains("not supported yet"))
        let outcome = await accept([offer.id], [task("t", on: offer.agentId)])
        XCTAssertEqual(outcome, .accepted)
        XCTAssertTrue(try events(frameworkStream).compactMap(\.update).isEmpty, "the task was launched")
    }

    func testLaunchReachesTheAgentAndWrongStreamIsRefused() async throws {
        _ = try events(frameworkStream)
        let offer = try await offers()[0]
        let outcome0 = await accept([offer.id], [task("t", on: offer.agentId)])
        XCTAssertEqual(outcome0, .accepted)
        let launched = try agentStreams.flatMap(agentEvents).filter { $0.type == .LAUNCH }
        XCTAssertEqual(launched.map(\.task?.taskId), [TaskID("t")])
        let outcome = await master.handle(Call(type: .REVIVE, frameworkId: framework), streamID: "other")
        guard case .badRequest = outcome else { return XCTFail("a wrong stream ID must be refused") }
        let unknown = await master.handle(Call(type: .REVIVE, frameworkId: FrameworkID("x")), streamID: "s")
        XCTAssertEqual(unknown, .badRequest("Framework cannot be found"))
    }

    func testDeclineFilterHoldsUntilRevive() async throws {
        _ = try events(frameworkStream)
        let offers = try await offers()
        var decline = Call(type: .DECLINE, frameworkId: framework)
        decline.decline = Call.Decline(offerIds: offers.map(\.id), filters: Filters(refuseSeconds: 30))
        _ = await master.handle(decline, streamID: frameworkStream.id)
        let filtered = try await self.offers()
        XCTAssertTrue(filtered.isEmpty)
        _ = await master.handle(Call(type: .REVIVE, frameworkId: framework), streamID: frameworkStream.id)
        let revived = try await self.offers()
        XCTAssertEqual(revived.count, 2)
    }

    func testFrameworkIsRemovedWhenItsFailoverTimeoutPasses() async throws {
        _ = try events(frameworkStream)
        let offer = try await offers()[0]
        _ = await accept([offer.id], [task("t", on: offer.agentId)])
        await master.frameworkStreamClosed(framework, streamID: frameworkStream.id)
        for _ in 0..<100 {
            if await master.completedFrameworks.contains(where: { $0.id == framework }) { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let completed = await master.completedFrameworks
        XCTAssertEqual(completed.map(\.id), [framework])
        XCTAssertEqual(completed.first?.completedTasks.first?.state, .TASK_KILLED)
        let shutdown = try agentStreams.flatMap(agentEvents).filter { $0.type == .SHUTDOWN_FRAMEWORK }
        XCTAssertEqual(shutdown.count, 1)
        // A removed framework can never come back with its ID.
        var info = FrameworkInfo(user: "", name: "test")
        info.id = framework
        guard case .refused(let message) = await master.subscribe(Call.Subscribe(frameworkInfo: info),
                                                                  stream: EventStream()) else {
            return XCTFail("resubscription of a removed framework must be refused")
        }
        XCTAssertEqual(message, "Framework has been removed")
    }

    func testReconciliation() async throws {
        _ = try events(frameworkStream)
        let offer = try await offers()[0]
        _ = await accept([offer.id], [task("t", on: offer.agentId)])
        var call = Call(type: .RECONCILE, frameworkId: framework)
        call.reconcile = Call.Reconcile(tasks: [])
        _ = await master.handle(call, streamID: frameworkStream.id)
        var states = try events(frameworkStream).compactMap(\.update?.status)
        XCTAssertEqual(states.map(\.state), [.TASK_STAGING])
        XCTAssertEqual(states.first?.reason, .REASON_RECONCILIATION)
        XCTAssertNil(states.first?.uuid)
        call.reconcile = Call.Reconcile(tasks: [.init(taskId: TaskID("ghost"), agentId: offer.agentId),
                                                .init(taskId: TaskID("nowhere"))])
        _ = await master.handle(call, streamID: frameworkStream.id)
        states = try events(frameworkStream).compactMap(\.update?.status)
        XCTAssertEqual(states.map(\.state), [.TASK_LOST, .TASK_LOST])
    }

    func frameworkWithRole(_ role: String) async throws -> (FrameworkID, EventStream) {
        let stream = EventStream()
        var info = FrameworkInfo(user: "", name: role)
        info.role = role
        guard case .subscribed(let id) = await master.subscribe(Call.Subscribe(frameworkInfo: info), stream: stream) else {
            throw CancellationError()
        }
        return (id, stream)
    }

    func testReserveInAcceptThenTheReservationIsOfferedOnlyToItsRole() async throws {
        // The role-less framework steps aside so the "eng" one gets the offers.
        _ = await master.handle(Call(type: .TEARDOWN, frameworkId: framework), streamID: frameworkStream.id)
        let (eng, engStream) = try await frameworkWithRole("eng")
        await master.runAllocation()
        let offer = try XCTUnwrap(try events(engStream).compactMap(\.offers).flatMap(\.offers).first)
        XCTAssertEqual(offer.resources.first?.role, "*")
        var reserved = Resource.scalar("cpus", 1, role: "eng")
        reserved.reservation = ReservationInfo(principal: nil)
        var call = Call(type: .ACCEPT, frameworkId: eng)
        call.accept = Call.Accept(offerIds: [offer.id], operations: [Offer.Operation(reserve: [reserved])],
                                  filters: Filters(refuseSeconds: 0))
        let outcome = await master.handle(call, streamID: engStream.id)
        XCTAssertEqual(outcome, .accepted)
        await master.runAllocation()
        let again = try XCTUnwrap(try events(engStream).compactMap(\.offers).flatMap(\.offers).first { $0.agentId == offer.agentId })
        let roles = again.resources.filter { $0.name == "cpus" }.map { $0.role ?? "" }.sorted()
        XCTAssertEqual(roles, ["*", "eng"])
        XCTAssertNotNil(again.resources.first { $0.role == "eng" }?.reservation, "a dynamic reservation shows as such")
        // Another role never sees the reserved CPU.
        let state = await master.stateView().stateJSON()
        let text = String(decoding: state.serialized(), as: UTF8.self)
        XCTAssertTrue(text.contains(#""reserved_resources":{"eng":{"cpus":1.0"#), text)
    }

    func testReserveOfResourcesNotInTheOfferIsRefusedWhole() async throws {
        _ = await master.handle(Call(type: .TEARDOWN, frameworkId: framework), streamID: frameworkStream.id)
        let (eng, engStream) = try await frameworkWithRole("eng")
        await master.runAllocation()
        let offer = try XCTUnwrap(try events(engStream).compactMap(\.offers).flatMap(\.offers).first)
        var tooMuch = Resource.scalar("cpus", 64, role: "eng")
        tooMuch.reservation = ReservationInfo(principal: nil)
        var otherRole = Resource.scalar("cpus", 1, role: "ops")
        otherRole.reservation = ReservationInfo(principal: nil)
        for resources in [[tooMuch], [otherRole], [Resource.scalar("cpus", 1, role: "eng")]] {
            var call = Call(type: .ACCEPT, frameworkId: eng)
            call.accept = Call.Accept(offerIds: [offer.id], operations: [Offer.Operation(reserve: resources)])
            guard case .badRequest = await master.handle(call, streamID: engStream.id) else {
                return XCTFail("RESERVE of \(resources) must be refused")
            }
        }
        let total = await master.agents[offer.agentId]?.total
        XCTAssertEqual(total?.reserved.isEmpty, true, "nothing was half-applied")
    }

    func testOperatorReserveAndUnreserve() async throws {
        let agentIDs = await master.agents.keys.sorted()
        let agentID = try XCTUnwrap(agentIDs.first)
        var reserved = Resource.scalar("mem", 256)
        reserved.reservations = [ReservationInfo(type: .DYNAMIC, role: "eng", principal: "ops")]
        let ok = await master.operatorReserve(OperatorCall.ReserveResources(agentId: agentID, resources: [reserved]))
        XCTAssertEqual(ok, .ok)
        let reservedMem = await master.agents[agentID]?.total.reserved(for: "eng").scalar("mem")
        XCTAssertEqual(reservedMem, 256)
        let conflict = await master.operatorReserve(OperatorCall.ReserveResources(
            agentId: agentID, resources: [{ var r = reserved; r.scalar = Scalar(value: 4096); return r }()]))
        guard case .conflict = conflict else { return XCTFail("cannot reserve more than is free") }
        let back = await master.operatorUnreserve(OperatorCall.UnreserveResources(agentId: agentID, resources: [reserved]))
        XCTAssertEqual(back, .ok)
        let left = await master.agents[agentID]?.total.reserved
        XCTAssertEqual(left?.isEmpty, true)
    }
}

extension MasterCoreTests {
    func testMultiRoleFrameworkGetsOffersPerRoleAndCanSuppressOne() async throws {
        _ = await master.handle(Call(type: .TEARDOWN, frameworkId: framework), streamID: frameworkStream.id)
        let stream = EventStream()
        var info = FrameworkInfo(user: "", name: "multi", capabilities: [.init(type: "MULTI_ROLE")])
        info.roles = ["a", "b"]
        guard case .subscribed(let id) = await master.subscribe(Call.Subscribe(frameworkInfo: info), stream: stream) else {
            return XCTFail("subscribe refused")
        }
        var suppress = Call(type: .SUPPRESS, frameworkId: id)
        suppress.suppress = Call.Roles(roles: ["a"])
        let outcome = await master.handle(suppress, streamID: stream.id)
        XCTAssertEqual(outcome, .accepted)
        await master.runAllocation()
        let offers = try events(stream).compactMap(\.offers).flatMap(\.offers)
        XCTAssertEqual(offers.count, 2)
        XCTAssertEqual(Set(offers.compactMap(\.allocationInfo?.role)), ["b"])
        XCTAssertTrue(offers.allSatisfy { $0.resources.allSatisfy { $0.allocationInfo?.role == "b" } })
        var unknown = Call(type: .REVIVE, frameworkId: id)
        unknown.revive = Call.Roles(roles: ["c"])
        guard case .badRequest = await master.handle(unknown, streamID: stream.id) else {
            return XCTFail("reviving a role the framework does not have must be refused")
        }
        // A task launched on a "b" offer keeps its allocation tags on the way in.
        let offer = offers[0]
        var task = TaskInfo(name: "t", taskId: TaskID("t"), agentId: offer.agentId,
                            resources: offer.resources.filter { $0.name == "cpus" }, command: CommandInfo(value: "true"))
        task.resources = task.resources?.map { var r = $0; r.scalar = Scalar(value: 1); return r }
        var accept = Call(type: .ACCEPT, frameworkId: id)
        accept.accept = Call.Accept(offerIds: [offer.id], operations: [Offer.Operation(launch: [task])])
        _ = await master.handle(accept, streamID: stream.id)
        XCTAssertTrue(try events(stream).compactMap(\.update).isEmpty, "the task was valid")
        let roles = await master.frameworks[id]?.tasks[TaskID("t")]?.role
        XCTAssertEqual(roles, "b")
    }
}

extension MasterCoreTests {
    /// A refined reservation: resources statically reserved for `eng` are reserved further for
    /// `eng/web`, with a label, by a framework that speaks RESERVATION_REFINEMENT.
    func testRefinedReservationWithLabels() async throws {
        _ = await master.handle(Call(type: .TEARDOWN, frameworkId: framework), streamID: frameworkStream.id)
        let agentStream = EventStream()
        let info = AgentInfo(hostname: "r", port: 5051, resources: [.scalar("cpus", 2, role: "eng")],
                             attributes: nil, id: nil)
        let registered = await master.registerAgent(
            AgentRegistration(agentInfo: info, endpoint: "127.0.0.1:6000", frameworks: [], tasks: []),
            stream: agentStream)
        let agentID = try XCTUnwrap(registered)
        let stream = EventStream()
        var fw = FrameworkInfo(user: "", name: "web", capabilities: [.init(type: "MULTI_ROLE"),
                                                                     .init(type: "RESERVATION_REFINEMENT")])
        fw.roles = ["eng/web"]
        guard case .subscribed(let id) = await master.subscribe(Call.Subscribe(frameworkInfo: fw), stream: stream) else {
            return XCTFail("subscribe refused")
        }
        await master.runAllocation()
        let offer = try XCTUnwrap(try events(stream).compactMap(\.offers).flatMap(\.offers).first { $0.agentId == agentID })
        let engCPU = try XCTUnwrap(offer.resources.first { $0.reservations?.first?.role == "eng" })
        XCTAssertNil(engCPU.role, "refinement-capable frameworks see the stack form")
        var refined = engCPU
        refined.scalar = Scalar(value: 1)
        refined.reservations?.append(ReservationInfo(type: .DYNAMIC, role: "eng/web",
                                                     labels: Labels(labels: [Label(key: "tier", value: "gold")])))
        var call = Call(type: .ACCEPT, frameworkId: id)
        call.accept = Call.Accept(offerIds: [offer.id], operations: [Offer.Operation(reserve: [refined])])
        let outcome = await master.handle(call, streamID: stream.id)
        XCTAssertEqual(outcome, .accepted)
        let total = await master.agents[agentID]?.total
        XCTAssertEqual(total?.reserved(for: "eng/web").scalar("cpus"), 1)
        XCTAssertEqual(total?.reserved(for: "eng").scalar("cpus"), 1)
        let label = total?.reserved(for: "eng/web").resources.first?.reservations?.last?.labels?.labels.first
        XCTAssertEqual(label, Label(key: "tier", value: "gold"))
    }
}

extension MasterCoreTests {
    func testOfferTimeoutRescindsUnansweredOffers() async throws {
        let master = Master(config: MasterConfig(port: 0, offerTimeout: .milliseconds(1)))
        let agentStream = EventStream()
        _ = await master.registerAgent(AgentRegistration(
            agentInfo: AgentInfo(hostname: "h", port: 5051, resources: [.scalar("cpus", 1)], attributes: nil, id: nil),
            endpoint: "127.0.0.1:5051", frameworks: [], tasks: []), stream: agentStream)
        let stream = EventStream()
        _ = await master.subscribe(Call.Subscribe(frameworkInfo: FrameworkInfo(user: "", name: "t")), stream: stream)
        await master.runAllocation()
        let offer = try XCTUnwrap(try events(stream).compactMap(\.offers).flatMap(\.offers).first)
        try await Task.sleep(for: .milliseconds(10))
        await master.expireOffers()
        let rescinded = try events(stream).compactMap(\.rescind?.offerId)
        XCTAssertEqual(rescinded, [offer.id])
        await master.runAllocation()
        XCTAssertEqual(try events(stream).compactMap(\.offers).flatMap(\.offers).count, 1, "the resources are offered again")
    }
}

extension MasterCoreTests {
    /// A master that restarted learns of an agent's executors from its registration and does not
    /// offer their resources again; an executor the agent no longer reports is freed.
    func testReportedExecutorsAreCountedAfterAMasterRestart() async throws {
        var config = MasterConfig(port: 0)
        config.eagerAllocationDelay = nil
        let master = Master(config: config)
        let fid = FrameworkID("restarted-fw")
        var fwInfo = FrameworkInfo(user: "", name: "t")
        fwInfo.id = fid
        fwInfo.failoverTimeout = 60
        var executor = ExecutorInfo(executorId: ExecutorID("e"), command: CommandInfo(value: "run"))
        executor.resources = [.scalar("cpus", 1), .scalar("mem", 128)]
        let task = TaskInfo(name: "t", taskId: TaskID("t"), agentId: AgentID("A"), resources: [.scalar("cpus", 0.5)],
                            command: nil)
        var withExecutor = task
        withExecutor.executor = executor
        let info = AgentInfo(hostname: "h", port: 5051, resources: [.scalar("cpus", 4), .scalar("mem", 1024)],
                             attributes: nil, id: AgentID("A"))
        let registration = AgentRegistration(
            agentInfo: info, endpoint: "127.0.0.1:5051", frameworks: [fwInfo],
            tasks: [AgentTaskReport(frameworkId: fid, task: withExecutor, state: .TASK_RUNNING)],
            executors: [AgentExecutorReport(frameworkId: fid, executor: executor)])
        _ = await master.registerAgent(registration, stream: EventStream())
        let stream = EventStream()
        let outcome = await master.subscribe(Call.Subscribe(frameworkInfo: fwInfo), stream: stream)
        guard case .subscribed = outcome else { return XCTFail("subscribe refused: \(outcome)") }
        await master.runAllocation()
        let offered = try events(stream).compactMap(\.offers).flatMap(\.offers).map { Resources($0.resources) }
        XCTAssertEqual(offered.first?.scalar("cpus"), 2.5, "4 less the task's 0.5 and the executor's 1")

        var gone = registration
        gone.tasks = []
        gone.executors = []
        _ = await master.registerAgent(gone, stream: EventStream())
        let executors = await master.executors[AgentID("A")]
        XCTAssertNil(executors)
    }
}
