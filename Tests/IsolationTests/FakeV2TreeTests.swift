import Foundation
import XCTest
@testable import Isolation

/// cgroup v2 as a pure v2 host has it, played by a plain directory: this machine's own v2 tree
/// offers no controllers, so the v2 code paths are checked by what they write.
final class FakeV2TreeTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "fake-cgroup2-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: "\(root)/agent.slice", withIntermediateDirectories: true)
        try "cpu memory pids\n".write(toFile: "\(root)/cgroup.controllers", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    func layout() -> CgroupLayout {
        CgroupLayout.detect(mountinfo: "25 20 0:22 / \(root) rw - cgroup2 cgroup2 rw",
                            selfCgroup: "0::/agent.slice\n") { try? String(contentsOfFile: "\($0)/cgroup.controllers", encoding: .utf8) }
    }

    func testPrepareEnablesControllersDownToTheBaseAndWritesV2Limits() throws {
        let config = IsolationConfig(isolators: [.cgroupsCPU, .cgroupsMem, .cgroupsPids], cgroupsRoot: "mesos",
                                     enableCFS: true, pidsMax: 128)
        let cgroups = try Cgroups.prepare(config: config, layout: layout(), isRoot: true)
        XCTAssertEqual(Set(cgroups.bases.values), ["\(root)/agent.slice/mesos"])
        for level in [root, "\(root)/agent.slice", "\(root)/agent.slice/mesos"] {
            let enabled = try String(contentsOfFile: "\(level)/cgroup.subtree_control", encoding: .utf8)
            XCTAssertFalse(enabled.isEmpty, level)
        }
        let container = cgroups.container("c1")
        try container.create(limits: ContainerLimits(cpus: 0.5, memMB: 128))
        XCTAssertEqual(container.directories, ["\(root)/agent.slice/mesos/c1"])
        XCTAssertEqual(container.procsFiles, ["\(root)/agent.slice/mesos/c1/cgroup.procs"])
        let read = { (file: String) in try String(contentsOfFile: "\(self.root)/agent.slice/mesos/c1/\(file)", encoding: .utf8) }
        XCTAssertEqual(try read("cpu.weight"), "20")
        XCTAssertEqual(try read("cpu.max"), "50000 100000")
        XCTAssertEqual(try read("memory.max"), "\(128 << 20)")
        XCTAssertEqual(try read("pids.max"), "128")
        try "oom 1\noom_kill 2\n".write(toFile: "\(root)/agent.slice/mesos/c1/memory.events", atomically: false, encoding: .utf8)
        XCTAssertEqual(container.oomKills(), 2)
        try "usage_usec 3000000\nuser_usec 2000000\nsystem_usec 1000000\nnr_periods 10\nnr_throttled 4\nthrottled_usec 500000\n"
            .write(toFile: "\(root)/agent.slice/mesos/c1/cpu.stat", atomically: false, encoding: .utf8)
        try "anon 4096\nfile 8192\n".write(toFile: "\(root)/agent.slice/mesos/c1/memory.stat", atomically: false, encoding: .utf8)
        let usage = container.usage(now: 1)
        XCTAssertEqual(usage.cpusUserTimeSecs, 2)
        XCTAssertEqual(usage.cpusSystemTimeSecs, 1)
        XCTAssertEqual(usage.cpusNrThrottled, 4)
        XCTAssertEqual(usage.cpusThrottledTimeSecs, 0.5)
        XCTAssertEqual(usage.memRSSBytes, 4096)
        XCTAssertEqual(usage.memCacheBytes, 8192)
        XCTAssertEqual(usage.memLimitBytes, 128 << 20)
    }

    func testV2KillWritesCgroupKill() throws {
        let cgroups = try Cgroups.prepare(config: IsolationConfig(isolators: [.cgroupsPids]), layout: layout(), isRoot: true)
        let container = cgroups.container("c2")
        try container.create()
        FileManager.default.createFile(atPath: "\(root)/agent.slice/mesos/c2/cgroup.kill", contents: nil)
        container.killAll()
        XCTAssertEqual(try String(contentsOfFile: "\(root)/agent.slice/mesos/c2/cgroup.kill", encoding: .utf8), "1")
    }
}
