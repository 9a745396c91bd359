import XCTest
@testable import Agent

/// The exit-status wrapper, run for real: it must pass on exits and deaths by signal unchanged,
/// leave the task's signals at their defaults, and write what it saw.
final class TaskWrapperTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wrapper-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func run(_ script: String) throws -> (TaskProcessHandle, String) {
        let file = "\(dir)/status"
        let argv = TaskWrapper.wrap(["/bin/sh", "-c", script], statusFile: file)
        let handle = try TaskProcessHandle(spawning: SpawnRequest(
            command: .executable(path: argv[0], arguments: argv), environment: ["PATH": "/usr/bin:/bin"],
            stdoutPath: "\(dir)/stdout", stderrPath: "\(dir)/stderr"))
        return (handle, file)
    }

    func testAnExitCodePassesThroughAndIsWritten() async throws {
        let (handle, file) = try run("exit 3")
        let exit = await handle.waitForExit()
        XCTAssertEqual(exit, .exited(code: 3))
        XCTAssertEqual(TaskWrapper.readStatus(file), .exited(code: 3))
    }

    func testATermReachesTheTaskAndTheWrapperDiesTheSameWay() async throws {
        let (handle, file) = try run("echo ready; sleep 30")
        try await waitForOutput("ready")
        _ = handle.signalGroup(SIGTERM)
        let exit = await handle.waitForExit()
        XCTAssertEqual(exit, .signaled(signal: SIGTERM))
        XCTAssertEqual(TaskWrapper.readStatus(file), .signaled(signal: SIGTERM))
    }

    func testTheTaskStartsWithDefaultSignals() async throws {
        let (handle, _) = try run("grep '^SigIgn' /proc/self/status")
        _ = await handle.waitForExit()
        let out = try String(contentsOfFile: "\(dir)/stdout", encoding: .utf8)
        let mask = UInt64(out.split(separator: "\t").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "", radix: 16)
        // The standard signals (1-31); glibc keeps two real-time signals of its own.
        XCTAssertEqual(mask.map { $0 & 0x7fff_ffff }, 0, out)
    }

    func testAMissingFileReadsAsNoStatus() {
        XCTAssertNil(TaskWrapper.readStatus("\(dir)/absent"))
    }

    func testAProcessIsKnownByItsStartTime() {
        let me = ProcessIdentity.of(getpid())
        XCTAssertNotNil(me)
        XCTAssertNotNil(me?.open(), "this process is itself")
        XCTAssertNil(ProcessIdentity(pid: getpid(), startTime: (me?.startTime ?? 0) + 1).open())
    }

    private func waitForOutput(_ text: String) async throws {
        for _ in 0..<200 {
            if (try? String(contentsOfFile: "\(dir)/stdout", encoding: .utf8))?.contains(text) == true { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTFail("no '\(text)' in the output")
    }
}
