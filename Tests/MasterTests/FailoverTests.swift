import Foundation
import HTTPSupport
import MesosAPI
import Registry
import XCTest
@testable import Master

/// What a master does with the registry it recovers: admitted agents get their time to come
/// back, the missing ones are marked unreachable (within the limits), and an agent that returns
/// from unreachable has the tasks that were reported lost shut down.
final class FailoverTests: XCTestCase {
    func agentInfo(_ n: Int) -> AgentInfo {
        AgentInfo(hostname: "h\(n)", port: 5051, resources: [.scalar("cpus", 4), .scalar("mem", 1024)],
                  attributes: nil, id: AgentID("A\(n)"))
    }

    func registration(_ n: Int, tasks: [AgentTaskReport] = [], frameworks: [FrameworkInfo] = []) -> AgentRegistration {
        AgentRegistration(agentInfo: agentInfo(n), endpoint: "127.0.0.1:\(6000 + n)", frameworks: frameworks, tasks: tasks)
    }

    func config(reregister: Duration, limit: Double = 1, interval: Duration? = nil) -> MasterConfig {
        var config = MasterConfig(port: 0)
        config.eagerAllocationDelay = nil
        config.agentReregisterTimeout = reregister
        config.recoveryAgentRemovalLimit = limit
        config.agentRemovalInterval = interval
        return config
    }

    /// A registry that admitted agents A0..A(n-1), as a previous leader left it.
    func registry(admitting count: Int) async throws -> InMemoryRegistry {
        let store = InMemoryRegistry()
        let registrar = Registrar(store: store)
        _ = try await registrar.recover()
        try await registrar.apply((0..<count).map { .admitAgent(agentInfo($0)) })
        return store
    }

    func testAgentsMissingAfterRecoveryAreMarkedUnreachable() async throws {
        let store = try await registry(admitting: 3)
        let master = Master(config: config(reregister: .milliseconds(200)), registry: store)
        try await master.start()
        let id = await master.registerAgent(registration(0), stream: EventStream())
        XCTAssertEqual(id, AgentID("A0"), "an admitted agent keeps its ID")
        try await Task.sleep(for: .milliseconds(600))
        let unreachable = await master.unreachableAgents
        XCTAssertEqual(Set(unreachable.keys), [AgentID("A1"), AgentID("A2")])
        let stored = try await Registrar(store: store).recover()
        XCTAssertEqual(Set(stored.unreachable.keys), [AgentID("A1"), AgentID("A2")])
        XCTAssertEqual(Set(stored.agents.keys), [AgentID("A0")])
        await master.shutdown()
    }

    func testTooManyMissingAgentsAreNotMarked() async throws {
        let store = try await registry(admitting: 3)
        let master = Master(config: config(reregister: .milliseconds(100), limit: 0.5), registry: store)
        try await master.start()
        _ = await master.registerAgent(registration(0), stream: EventStream())
        try await Task.sleep(for: .milliseconds(400))
        let unreachable = await master.unreachableAgents
        XCTAssertTrue(unreachable.isEmpty, "two of three missing is beyond a 50% limit")
        await master.shutdown()
    }

    func testRemovalsAreRateLimited() async throws {
        let store = try await registry(admitting: 3)
        let master = Master(config: config(reregister: .milliseconds(100), interval: .seconds(30)), registry: store)
        try await master.start()
        try await Task.sleep(for: .milliseconds(500))
        let unreachable = await master.unreachableAgents
        XCTAssertEqual(unreachable.count, 1, "one removal now, the next only 30 s later")
        await master.shutdown()
    }

    func testAnAgentBackFromUnreachableHasItsLostTasksShutDown() async throws {
        var config = config(reregister: .seconds(600))
        config.agentRemovalTimeout = .milliseconds(50)
        let master = Master(config: config)
        try await master.start()
        var plain = FrameworkInfo(user: "", name: "plain")
        plain.id = FrameworkID("plain")
        plain.failoverTimeout = 600
        var aware = FrameworkInfo(user: "", name: "aware", capabilities: [.init(type: "PARTITION_AWARE")])
        aware.id = FrameworkID("aware")
        aware.failoverTimeout = 600
        func report(_ framework: FrameworkID, _ task: String) -> AgentTaskReport {
            AgentTaskReport(frameworkId: framework,
                            task: TaskInfo(name: task, taskId: TaskID(task), agentId: AgentID("A0"),
                                           resources: [.scalar("cpus", 1)], command: nil),
                            state: .TASK_RUNNING)
        }
        let tasks = [report(plain.id!, "p"), report(aware.id!, "a")]
        let first = EventStream()
        _ = await master.registerAgent(registration(0, tasks: tasks, frameworks: [plain, aware]), stream: first)
        await master.agentStreamClosed(AgentID("A0"), streamID: first.id)
        try await Task.sleep(for: .milliseconds(300))
        let unreachable = await master.unreachableAgents
        XCTAssertNotNil(unreachable[AgentID("A0")])
        let lost = await master.frameworks[plain.id!]?.completedTasks.last?.state
        XCTAssertEqual(lost, .TASK_LOST)
        let partitioned = await master.frameworks[aware.id!]?.completedTasks.last?.state
        XCTAssertEqual(partitioned, .TASK_UNREACHABLE)

        let second = EventStream()
        _ = await master.registerAgent(registration(0, tasks: tasks, frameworks: [plain, aware]), stream: second)
        let events = try agentEvents(second)
        XCTAssertEqual(events.filter { $0.type == .SHUTDOWN_FRAMEWORK }.map(\.frameworkId), [plain.id])
        let plainTask = await master.frameworks[plain.id!]?.tasks[TaskID("p")]
        let awareTask = await master.frameworks[aware.id!]?.tasks[TaskID("a")]
        XCTAssertNil(plainTask, "a task reported lost is not taken back")
        XCTAssertEqual(awareTask?.state, .TASK_RUNNING, "a partition-aware framework gets its task back")
        let reachable = await master.unreachableAgents
        XCTAssertTrue(reachable.isEmpty)
        await master.shutdown()
    }

    func testFrameworksAndDrainsOutliveTheMaster() async throws {
        let store = try await registry(admitting: 1)
        let first = Master(config: config(reregister: .seconds(600)), registry: store)
        try await first.start()
        _ = await first.registerAgent(registration(0), stream: EventStream())
        let outcome = await first.operatorDeactivate(AgentID("A0"))
        XCTAssertEqual(outcome, .ok)
        let subscribed = await first.subscribe(Call.Subscribe(frameworkInfo: FrameworkInfo(user: "", name: "f")),
                                               stream: EventStream())
        guard case .subscribed(let fid) = subscribed else { return XCTFail("\(subscribed)") }
        await first.shutdown()

        let second = Master(config: config(reregister: .seconds(600)), registry: store)
        try await second.start()
        let known = await second.registeredFrameworks
        XCTAssertEqual(known, [fid])
        _ = await second.registerAgent(registration(0), stream: EventStream())
        let deactivated = await second.agents[AgentID("A0")]?.deactivated
        XCTAssertEqual(deactivated, true, "a deactivated agent stays deactivated under the next master")
        await second.shutdown()
    }

    func testReconciliationKnowsWhereAnAgentStands() async throws {
        let store = try await registry(admitting: 2)
        let registrar = Registrar(store: store)
        _ = try await registrar.recover()
        try await registrar.apply([.markUnreachable(AgentID("A1"), time: 1), .markGone(AgentID("A9"), time: 2)])
        let master = Master(config: config(reregister: .seconds(600)), registry: store)
        try await master.start()
        let stream = EventStream()
        var info = FrameworkInfo(user: "", name: "f", capabilities: [.init(type: "PARTITION_AWARE")])
        info.failoverTimeout = 60
        guard case .subscribed(let fid) = await master.subscribe(Call.Subscribe(frameworkInfo: info), stream: stream) else {
            return XCTFail("not subscribed")
        }
        _ = try events(stream)
        var call = Call(type: .RECONCILE, frameworkId: fid)
        call.reconcile = Call.Reconcile(tasks: [
            .init(taskId: TaskID("on-recovered"), agentId: AgentID("A0")),
            .init(taskId: TaskID("on-unreachable"), agentId: AgentID("A1")),
            .init(taskId: TaskID("on-gone"), agentId: AgentID("A9")),
            .init(taskId: TaskID("nowhere"), agentId: nil),
        ])
        let outcome = await master.handle(call, streamID: stream.id)
        XCTAssertEqual(outcome, .accepted)
        let answers = Dictionary(try events(stream).compactMap(\.update).map { ($0.status.taskId.value, $0.status.state) },
                                 uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(answers, ["on-unreachable": .TASK_UNREACHABLE, "on-gone": .TASK_GONE_BY_OPERATOR],
                       "no answer while an agent may still re-register")
        await master.shutdown()
    }
}
