#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest
#if canImport(Agent)
import Agent
#else
import TaskProcess
#endif

final class TaskProcessTests: XCTestCase {
    private var sandbox = ""

    override func setUpWithError() throws {
        sandbox = NSTemporaryDirectory() + "taskprocess-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: sandbox)
    }

    private func request(_ command: SpawnCommand, env: [String: String] = [:],
                         cwd: String? = nil) -> SpawnRequest {
        SpawnRequest(command: command, environment: ["PATH": "/usr/bin:/bin"].merging(env) { $1 },
                     workingDirectory: cwd,
                     stdoutPath: sandbox + "/stdout", stderrPath: sandbox + "/stderr")
    }

    private func output(_ name: String) -> String {
        (try? String(contentsOfFile: sandbox + "/" + name, encoding: .utf8)) ?? ""
    }

    func testStdoutAndStderrLandInFiles() async throws {
        let pid = try ProcessSpawner().spawn(request(.shell("echo hello; echo oops >&2")))
        let status = await waitForExit(pid: pid)
        XCTAssertEqual(status, .exited(code: 0))
        XCTAssertEqual(output("stdout"), "hello\n")
        XCTAssertEqual(output("stderr"), "oops\n")
        // Appends rather than truncates, as Mesos sandboxes keep earlier output.
        _ = await waitForExit(pid: try ProcessSpawner().spawn(request(.shell("echo again"))))
        XCTAssertEqual(output("stdout"), "hello\nagain\n")
        let mode = try FileManager.default.attributesOfItem(atPath: sandbox + "/stdout")[.posixPermissions]
        XCTAssertEqual((mode as? NSNumber)?.intValue ?? 0, 0o644 & ~Int(currentUmask()))
    }

    func testExitCodeReported() async throws {
        let status = await waitForExit(pid: try ProcessSpawner().spawn(request(.shell("exit 3"))))
        XCTAssertEqual(status, .exited(code: 3))
        XCTAssertEqual(status.waitStatus, 3 << 8)
        XCTAssertEqual(status.message, "Command exited with status 3")
        XCTAssertEqual(ExitStatus(waitStatus: 3 << 8), status)
    }

    func testSignalStatusAndMessage() async throws {
        let status = await waitForExit(pid: try ProcessSpawner().spawn(request(.shell("kill -KILL $$"))))
        XCTAssertEqual(status, .signaled(signal: SIGKILL))
        XCTAssertEqual(status.waitStatus, SIGKILL)
        XCTAssertEqual(status.message, "Command terminated with signal Killed")
    }

    func testEnvironmentIsExactlyTheGivenOne() async throws {
        let pid = try ProcessSpawner().spawn(request(
            .shell(#"printf '%s|%s' "$FOO" "${HOME-unset}""#), env: ["FOO": "bar baz"]))
        _ = await waitForExit(pid: pid)
        XCTAssertEqual(output("stdout"), "bar baz|unset")
    }

    func testWorkingDirectoryHonoured() async throws {
        let dir = sandbox + "/work"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let pid = try ProcessSpawner().spawn(request(.shell("pwd -P; touch marker"), cwd: dir))
        let status = await waitForExit(pid: pid)
        XCTAssertEqual(status, .exited(code: 0))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/marker"))
        let real = URL(fileURLWithPath: dir).resolvingSymlinksInPath().path
        XCTAssertEqual(output("stdout"), real + "\n")
    }

    func testArgvFormWithoutShell() async throws {
        let spawner = ProcessSpawner()
        let direct = try spawner.spawn(request(.executable(path: "/bin/echo", arguments: ["echo", "a  b", "$HOME"])))
        let directStatus = await waitForExit(pid: direct)
        XCTAssertEqual(directStatus, .exited(code: 0))
        let searched = try spawner.spawn(request(.executable(path: "echo", arguments: [])))  // PATH lookup
        let searchedStatus = await waitForExit(pid: searched)
        XCTAssertEqual(searchedStatus, .exited(code: 0))
        XCTAssertEqual(output("stdout"), "a  b $HOME\n\n")
    }

    func testMissingExecutableAndDirectoryAreCleanErrors() throws {
        for command in [SpawnCommand.executable(path: "/nonexistent/bin/x", arguments: []),
                        .executable(path: "no-such-command-plinth", arguments: [])] {
            XCTAssertThrowsError(try ProcessSpawner().spawn(request(command))) { error in
                XCTAssertEqual((error as? SpawnError)?.errno, ENOENT)
                XCTAssertTrue("\(error)".contains("No such file or directory"), "\(error)")
            }
        }
        XCTAssertThrowsError(try ProcessSpawner().spawn(request(.shell("true"), cwd: sandbox + "/missing"))) {
            XCTAssertEqual(($0 as? SpawnError)?.errno, ENOENT)
        }
    }

    func testChildIsItsOwnGroupLeaderWithDefaultSignals() async throws {
        // Ignored dispositions survive exec, so an agent-side SIG_IGN must not leak.
        let previous = signal(SIGUSR2, SIG_IGN)
        defer { signal(SIGUSR2, previous) }
        let handle = try TaskProcessHandle(spawning: request(
            .shell("grep -E 'Sig(Ign|Blk)' /proc/self/status; sleep 600")))
        XCTAssertEqual(getpgid(handle.pid), handle.pid)
        try await waitUntil { livingGroupMembers(handle.pid).contains { $0.comm == "sleep" } }
        let status = await handle.terminate(gracePeriod: .seconds(5))
        XCTAssertEqual(status, .signaled(signal: SIGTERM))
        let masks = Dictionary(uniqueKeysWithValues: output("stdout").split(separator: "\n").map {
            let kv = $0.split(separator: ":")
            return (String(kv[0]), UInt64(kv[1].trimmingCharacters(in: .whitespaces), radix: 16) ?? .max)
        })
        XCTAssertEqual(masks["SigBlk"], 0)
        // glibc's posix_spawn itself sets its internal signals 32/33 to SIG_IGN in the
        // child; it cannot be overridden through the API, so only 1...31 are checked.
        XCTAssertEqual(masks["SigIgn"].map { $0 & 0x7fff_ffff }, 0)
    }

    func testLeaderExitKillsLeftoverDescendants() async throws {
        let handle = try TaskProcessHandle(spawning: request(.shell("sleep 600 & echo $!")))
        let status = await handle.waitForExit()
        XCTAssertEqual(status, .exited(code: 0))
        let orphan = try XCTUnwrap(pid_t(output("stdout").trimmingCharacters(in: .whitespacesAndNewlines)))
        try await waitUntil { !isAlive(orphan) }
        XCTAssertFalse(handle.signalGroup(SIGTERM), "must not signal a reaped (reusable) pgid")
    }

    func testTerminateKillsWholeTree() async throws {
        let handle = try TaskProcessHandle(spawning: request(.shell("sleep 600 & sleep 600")))
        try await waitUntil { livingGroupMembers(handle.pid).filter { $0.comm == "sleep" }.count == 2 }
        let sleeps = livingGroupMembers(handle.pid).map(\.pid)
        let status = await handle.terminate(gracePeriod: .seconds(1))
        guard case .signaled = status else { return XCTFail("expected a signal, got \(status)") }
        try await waitUntil { livingGroupMembers(handle.pid).isEmpty }
        for pid in sleeps { XCTAssertFalse(isAlive(pid), "pid \(pid) survived") }
    }

    func testSigtermIgnoringTaskIsKilledAfterGrace() async throws {
        let handle = try TaskProcessHandle(spawning: request(.shell("trap '' TERM; sleep 600")))
        try await waitUntil { livingGroupMembers(handle.pid).contains { $0.comm == "sleep" } }
        let start = ContinuousClock.now
        let status = await handle.terminate(gracePeriod: .seconds(1))
        let elapsed = ContinuousClock.now - start
        XCTAssertEqual(status, .signaled(signal: SIGKILL))
        XCTAssertGreaterThanOrEqual(elapsed, .seconds(1))
        XCTAssertLessThan(elapsed, .seconds(5))
        try await waitUntil { livingGroupMembers(handle.pid).isEmpty }
    }

    func testManyConcurrentChildrenAllReaped() async throws {
        let spawner = ProcessSpawner()
        let pids = try (0..<200).map { i in
            (i, try spawner.spawn(request(.shell("sleep 0.0$((\(i) % 5)); exit \(i % 7)"))))
        }
        let results = await withTaskGroup(of: (Int, ExitStatus).self) { group in
            for (i, pid) in pids { group.addTask { (i, await waitForExit(pid: pid)) } }
            return await group.reduce(into: [Int: ExitStatus]()) { $0[$1.0] = $1.1 }
        }
        XCTAssertEqual(results.count, 200)
        for (i, status) in results { XCTAssertEqual(status, .exited(code: Int32(i % 7)), "task \(i)") }
        for (_, pid) in pids { XCTAssertFalse(isChildOfUs(pid), "pid \(pid) left unreaped") }
    }

    func testWaitForExitTimeout() async throws {
        let handle = try TaskProcessHandle(spawning: request(.shell("sleep 600")))
        let early = await handle.waitForExit(timeout: .milliseconds(100))
        XCTAssertNil(early)
        XCTAssertNil(handle.exitStatus)
        async let first = handle.waitForExit()
        let terminated = await handle.terminate(gracePeriod: .seconds(5))
        XCTAssertEqual(terminated, .signaled(signal: SIGTERM))
        let second = await first
        XCTAssertEqual(second, .signaled(signal: SIGTERM))
        XCTAssertEqual(handle.exitStatus, .signaled(signal: SIGTERM))
    }

    func testRawSpawnBenchmark() {
        let rate = measureRawSpawnRate(command: "true", count: 200)
        print("raw spawn rate of `true`: \(Int(rate)) spawns/s")
        XCTAssertGreaterThan(rate, 0)
    }

    /// Not a pass/fail check: prints what the reaper thread + killpg path costs per task.
    func testSpawnReapOverhead() async throws {
        let count = 500
        let req = SpawnRequest(command: .shell("true"), environment: ["PATH": "/usr/bin:/bin"])
        let spawner = ProcessSpawner()
        let clock = ContinuousClock()
        let plain = try clock.measure {
            for _ in 0..<count {
                var status: Int32 = 0
                waitpid(try spawner.spawn(req), &status, 0)
            }
        }
        var reaper = Duration.zero
        var handle = Duration.zero
        for _ in 0..<count {
            let start = clock.now
            _ = await waitForExit(pid: try spawner.spawn(req))
            reaper += clock.now - start
        }
        for _ in 0..<count {
            let start = clock.now
            _ = try await TaskProcessHandle(spawning: req).waitForExit()
            handle += clock.now - start
        }
        func perTask(_ d: Duration) -> Double { d / .microseconds(1) / Double(count) }
        print(String(format: "per task: waitpid %.0f µs, waitForExit %.0f µs, handle %.0f µs; overhead %.0f / %.0f µs",
                     perTask(plain), perTask(reaper), perTask(handle),
                     perTask(reaper) - perTask(plain), perTask(handle) - perTask(plain)))
    }
}

// MARK: - /proc helpers

private struct ProcEntry { let pid: pid_t; let comm: String; let state: Character }

/// Non-zombie processes whose pgid is `pgid`. Zombies are excluded because killed
/// orphans wait for PID 1 (or a subreaper) to reap them, which we do not control.
private func livingGroupMembers(_ pgid: pid_t) -> [ProcEntry] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return names.compactMap { name -> ProcEntry? in
        guard let pid = pid_t(name), let stat = procStat(pid), stat.pgrp == pgid,
              stat.entry.state != "Z" else { return nil }
        return stat.entry
    }
}

private func procStat(_ pid: pid_t) -> (entry: ProcEntry, ppid: pid_t, pgrp: pid_t)? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") else { return nil }
    let comm = String(text[text.index(after: open)..<close])
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 3, let state = fields[0].first,
          let ppid = pid_t(fields[1]), let pgrp = pid_t(fields[2]) else { return nil }
    return (ProcEntry(pid: pid, comm: comm, state: state), ppid, pgrp)
}

/// kill(pid, 0) also succeeds for zombies, so a zombie counts as dead here.
private func isAlive(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 || errno != ESRCH else { return false }
    return procStat(pid).map { $0.entry.state != "Z" } ?? false
}

private func isChildOfUs(_ pid: pid_t) -> Bool {
    procStat(pid)?.ppid == getpid()
}

/// Read from /proc rather than umask(2), which can only be read by changing it.
private func currentUmask() -> mode_t {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("Umask:") } ?? "Umask:\t0022"
    return mode_t(line.split(separator: "\t").last.flatMap { UInt32($0, radix: 8) } ?? 0o022)
}

private struct TimeoutError: Error, CustomStringConvertible { let description: String }

private func waitUntil(timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else {
            throw TimeoutError(description: "condition not met within \(timeout)")
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}
