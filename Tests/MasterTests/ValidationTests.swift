import XCTest
@testable import Master
import MesosAPI

final class ValidationTests: XCTestCase {
    let agent = AgentID("M-S0")
    let offered = Resources([.scalar("cpus", 2), .scalar("mem", 1024), .ranges("ports", [31000...32000])])

    func task(_ id: String = "t1", agent: AgentID? = nil, resources: [Resource]? = nil,
              command: CommandInfo? = CommandInfo(value: "true")) -> TaskInfo {
        TaskInfo(name: "n", taskId: TaskID(id), agentId: agent ?? self.agent,
                 resources: resources ?? [.scalar("cpus", 0.1), .scalar("mem", 32)], command: command)
    }

    func check(_ t: TaskInfo, known: Set<String> = []) -> String? {
        Validation.checkTask(t, offerAgent: agent, offered: offered, isKnownTask: { known.contains($0.value) })
    }

    func testValidTaskPasses() {
        XCTAssertNil(check(task()))
    }

    func testIDRules() {
        for bad in ["", ".", "..", "a/b", "a\\b", "tab\there", String(repeating: "x", count: 256)] {
            XCTAssertNotNil(check(task(bad)), "task ID \(bad.debugDescription) should be rejected")
        }
        XCTAssertNil(Validation.checkID("ok-1_2.3", kind: "Task ID"))
    }

    func testDuplicateTaskID() {
        XCTAssertEqual(check(task("t1"), known: ["t1"]), "Task has duplicate ID: t1")
    }

    func testAgentMismatch() {
        XCTAssertNotNil(check(task(agent: AgentID("other")))?.range(of: "offer is for agent"))
    }

    func testNoResources() {
        XCTAssertEqual(check(task(resources: [])), "Task t1 uses no resources")
    }

    func testInvalidResources() {
        XCTAssertNotNil(check(task(resources: [.scalar("cpus", -1)])))
        XCTAssertNotNil(check(task(resources: [.scalar("cpus", .nan)])))
        XCTAssertNotNil(check(task(resources: [.scalar("", 1)])))
        XCTAssertNotNil(check(task(resources: [Resource(name: "ports", type: .RANGES, ranges: Ranges(range: [ValueRange(begin: 31005, end: 31000)]))])))
        XCTAssertNotNil(check(task(resources: [.set("s", ["a", "a"])])))
        XCTAssertNotNil(check(task(resources: [Resource(name: "cpus", type: .SCALAR)])))
    }

    func testResourcesNotInOffer() {
        XCTAssertNotNil(check(task(resources: [.scalar("cpus", 3)]))?.range(of: "more resources"))
        XCTAssertNotNil(check(task(resources: [.ranges("ports", [40000...40001])])))
        XCTAssertNotNil(check(task(resources: [.scalar("gpus", 1)])))
    }

    func testCommandXorExecutor() {
        XCTAssertNotNil(check(task(command: nil))?.range(of: "at least one (but not both)"))
        var both = task()
        both.executor = ExecutorInfo(executorId: ExecutorID("e"), command: CommandInfo(value: "x"))
        XCTAssertNotNil(check(both)?.range(of: "at least one (but not both)"))
    }

    func testCustomExecutorRules() {
        var t = task(command: nil)
        t.executor = ExecutorInfo(executorId: ExecutorID("e"), command: CommandInfo(value: "x"))
        XCTAssertNil(check(t))
        var other = ExecutorInfo(executorId: ExecutorID("e"), command: CommandInfo(value: "y"))
        XCTAssertNotNil(Validation.checkTask(t, offerAgent: t.agentId, offered: Resources(t.resources ?? []),
                                             runningExecutor: other, isKnownTask: { _ in false })?
            .range(of: "not compatible"))
        other.command = CommandInfo(value: "x")
        XCTAssertNil(Validation.checkTask(t, offerAgent: t.agentId, offered: Resources(t.resources ?? []),
                                          runningExecutor: other, isKnownTask: { _ in false }))
        t.executor?.type = "DEFAULT"
        XCTAssertNotNil(check(t)?.range(of: "not supported"))
        t.executor = ExecutorInfo(executorId: ExecutorID("e"), command: nil)
        XCTAssertNotNil(check(t)?.range(of: "must have 'command'"))
        t.executor = ExecutorInfo(executorId: ExecutorID("a/b"), command: CommandInfo(value: "x"))
        XCTAssertNotNil(check(t)?.range(of: "Executor ID"))
    }

    func testHealthCheckAndCheckRules() {
        var t = task()
        t.healthCheck = HealthCheck(type: "HTTP")
        XCTAssertNotNil(check(t)?.range(of: "Expecting 'http'"))
        t.healthCheck?.http = HealthCheck.HTTP(port: 80, path: "health")
        XCTAssertNotNil(check(t)?.range(of: "must start with '/'"))
        t.healthCheck?.http = HealthCheck.HTTP(port: 80, path: "/health")
        XCTAssertNil(check(t))
        t.healthCheck?.http?.scheme = "https"
        XCTAssertNotNil(check(t)?.range(of: "scheme"))
        t.healthCheck = HealthCheck(type: "TCP")
        t.healthCheck?.tcp = HealthCheck.TCP(port: 80)
        t.healthCheck?.intervalSeconds = -1
        XCTAssertNotNil(check(t)?.range(of: "non-negative"))
        t.healthCheck = HealthCheck(type: "GRPC")
        XCTAssertNotNil(check(t)?.range(of: "Unsupported health check type"))
        t.healthCheck = nil
        t.check = CheckInfo(type: "COMMAND")
        XCTAssertNotNil(check(t)?.range(of: "Expecting 'command'"))
        t.check?.command = HealthCheck.Command(command: CommandInfo(value: "true"))
        XCTAssertNil(check(t))
    }

    func testNegativeKillPolicyAndCompletionTime() {
        var t = task()
        t.killPolicy = KillPolicy(gracePeriod: DurationInfo(nanoseconds: -1))
        XCTAssertNotNil(check(t)?.range(of: "grace_period"))
        t = task()
        t.maxCompletionTime = DurationInfo(nanoseconds: -1)
        XCTAssertNotNil(check(t)?.range(of: "max_completion_time"))
    }

    func testCommandRules() {
        XCTAssertNotNil(check(task(command: CommandInfo(value: ""))))
        XCTAssertNotNil(check(task(command: CommandInfo(value: nil, shell: false))))
        var command = CommandInfo(value: "true")
        var variable = CommandInfo.Environment.Variable(name: "X", value: "1")
        variable.value = nil
        command.environment = CommandInfo.Environment(variables: [variable])
        XCTAssertNotNil(check(task(command: command))?.range(of: "must have a value"))
        variable.type = "SECRET"
        command.environment = CommandInfo.Environment(variables: [variable])
        XCTAssertNotNil(check(task(command: command)))
    }

    func testFrameworkInfoRules() {
        var info = FrameworkInfo(user: "", name: "f")
        XCTAssertNil(Validation.checkFrameworkInfo(info))
        info.id = FrameworkID("a/b")
        XCTAssertNotNil(Validation.checkFrameworkInfo(info))
        info.id = nil
        info.roles = ["a"]
        XCTAssertNotNil(Validation.checkFrameworkInfo(info)?.range(of: "MULTI_ROLE"))
        info.roles = nil
        info.role = "eng/frontend"
        XCTAssertNil(Validation.checkFrameworkInfo(info))
        XCTAssertNotNil(Validation.checkFrameworkInfo(info, whitelist: ["ops"])?.range(of: "--roles"))
        for bad in ["", "/eng", "eng/", "a//b", "a/./b", "..", "a/*", "-x", "a/-b", "with space"] {
            info.role = bad
            XCTAssertNotNil(Validation.checkFrameworkInfo(info), "role \(bad.debugDescription) should be rejected")
        }
        info.role = nil
        info.capabilities = [.init(type: "MULTI_ROLE")]
        info.roles = ["a", "a"]
        XCTAssertNotNil(Validation.checkFrameworkInfo(info)?.range(of: "duplicate"))
        info.roles = ["a", "b"]
        XCTAssertNil(Validation.checkFrameworkInfo(info))
        info.role = "a"
        XCTAssertNotNil(Validation.checkFrameworkInfo(info))
        info.role = nil
        info.roles = nil
        info.capabilities = nil
        info.failoverTimeout = -1
        XCTAssertNotNil(Validation.checkFrameworkInfo(info))
    }

    func testAcknowledgementUUID() {
        XCTAssertNil(Validation.checkUUID("hTaLQ0b5Q1OZuab7QclTKQ=="))
        XCTAssertEqual(Validation.checkUUID("ZDQwZjNmMjctZGFhNy00OTQ1LWE2OTMtMGQyMjM0ZmFjODcyCg=="), "Not a valid UUID")
        XCTAssertEqual(Validation.checkUUID("not base64!"), "Not a valid UUID")
        XCTAssertEqual(Validation.checkUUID(""), "Not a valid UUID")
    }

    func testCallStructure() {
        XCTAssertEqual(Call(type: .KILL).structuralProblem, "Expecting 'framework_id' to be present")
        XCTAssertEqual(Call(type: .KILL, frameworkId: FrameworkID("f")).structuralProblem, "Expecting 'kill' to be present")
        XCTAssertEqual(Call(type: .ACCEPT, frameworkId: FrameworkID("f")).structuralProblem, "Expecting 'accept' to be present")
        XCTAssertEqual(Call(type: .SUBSCRIBE).structuralProblem, "Expecting 'subscribe' to be present")
        var sub = Call(type: .SUBSCRIBE, frameworkId: FrameworkID("a"))
        sub.subscribe = Call.Subscribe(frameworkInfo: FrameworkInfo(user: "", name: "n", id: FrameworkID("b")))
        XCTAssertEqual(sub.structuralProblem, "'framework_id' differs from 'subscribe.framework_info.id'")
        XCTAssertNil(Call(type: .REVIVE, frameworkId: FrameworkID("f")).structuralProblem)
    }
}
