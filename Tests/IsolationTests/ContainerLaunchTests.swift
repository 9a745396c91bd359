import XCTest
@testable import Isolation

final class ContainerLaunchTests: XCTestCase {
    func testPlainLaunchIsUntouched() {
        let launch = ContainerLaunch()
        XCTAssertTrue(launch.isPlain)
        XCTAssertEqual(launch.wrap(["/bin/sh", "-c", "true"]), ["/bin/sh", "-c", "true"])
    }

    func testCgroupsAreJoinedFirst() {
        let launch = ContainerLaunch(cgroupProcs: ["/a/cgroup.procs", "/b/cgroup.procs"], pidNamespace: true)
        let argv = launch.wrap(["/bin/sh", "-c", "true"])
        XCTAssertEqual(Array(argv.prefix(2)), ["/bin/sh", "-c"])
        XCTAssertEqual(Array(argv[3...6]), ["plinth-cgroups", "/a/cgroup.procs", "/b/cgroup.procs", "--"])
        XCTAssertEqual(argv[7], "/usr/bin/unshare")
        XCTAssertTrue(argv.contains("--mount-proc"))
        XCTAssertEqual(Array(argv.suffix(3)), ["/bin/sh", "-c", "true"])
    }

    func testImageLaunchMountsItsOwnProc() {
        let image = ContainerLaunch.Image(rootfs: "/r", sandbox: "/s", workingDirectory: "/w")
        let argv = ContainerLaunch(pidNamespace: true, mountNamespace: true, image: image).wrap(["/bin/echo", "hi"])
        XCTAssertFalse(argv.contains("--mount-proc"))
        XCTAssertEqual(Array(argv.suffix(5)), ["/r", "/s", "/w", "/bin/echo", "hi"])
        let script = argv[argv.firstIndex(of: "plinth-container")! - 1]
        XCTAssertTrue(script.contains("--root=\"$r\""), script)
        XCTAssertTrue(script.hasSuffix("& wait $!"), script)
    }

    /// The cgroup-joining step really moves the process before exec, checked with a fake
    /// cgroup.procs file: the pid written is the one that then runs the command.
    func testJoinStepWritesItsOwnPidThenExecs() throws {
        let dir = NSTemporaryDirectory() + "launch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let procs = "\(dir)/cgroup.procs"
        FileManager.default.createFile(atPath: procs, contents: nil)
        let argv = ContainerLaunch(cgroupProcs: [procs]).wrap(["/bin/sh", "-c", "echo $$ > \(dir)/pid"])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let written = try String(contentsOfFile: procs, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let ran = try String(contentsOfFile: "\(dir)/pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(written, "\(process.processIdentifier)")
        XCTAssertEqual(ran, written)
    }

    func testProcStatParsing() {
        let stat = "1234 (my (odd) cmd) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 12345 1000000 256 18446744073709551615"
        let entry = ProcessTable.parse(stat: stat)
        XCTAssertEqual(entry, .init(pid: 1234, parent: 1, group: 1234, userTicks: 250, systemTicks: 50, threads: 3, rssPages: 256, startTime: 12345))
    }
}

final class ProcessTableTests: XCTestCase {
    func testUsageOfOwnProcessGroup() {
        let group = getpgrp()
        let usage = ProcessTable.usage(groups: [group], now: 0)[group]
        XCTAssertNotNil(usage)
        XCTAssertGreaterThan(usage?.memRSSBytes ?? 0, 0)
        XCTAssertGreaterThanOrEqual(usage?.processes ?? 0, 1)
    }
}

final class ResourceUsageTests: XCTestCase {
    func testFieldsUseMesosNames() {
        var usage = ResourceUsage(timestamp: 1)
        usage.memRSSBytes = 4096
        usage.memLimitBytes = 64 << 20
        usage.cpusUserTimeSecs = 1.5
        let fields = Dictionary(uniqueKeysWithValues: usage.fields)
        XCTAssertEqual(fields["mem_rss_bytes"], 4096)
        XCTAssertEqual(fields["mem_limit_bytes"], Double(64 << 20))
        XCTAssertEqual(fields["cpus_user_time_secs"], 1.5)
        XCTAssertNil(fields["cpus_limit"])
    }
}
