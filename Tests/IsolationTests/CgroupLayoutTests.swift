import XCTest
@testable import Isolation

final class CgroupLayoutTests: XCTestCase {
    /// This CI machine's kind: one v1 mount per controller plus a v2 tree with only hugetlb.
    let hybridMounts = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """
    let hybridSelf = """
        9:name=systemd:/
        8:pids:/
        4:memory:/process_api/abc
        1:cpu:/
        2:cpuacct:/
        6:freezer:/
        0::/
        """

    func testHybridHostUsesV1ControllersAndItsOwnMemoryCgroup() {
        let layout = CgroupLayout.detect(mountinfo: hybridMounts, selfCgroup: hybridSelf) { _ in "hugetlb\n" }
        XCTAssertEqual(layout.hierarchies[.memory], .init(version: .v1, mount: "/sys/fs/cgroup/memory", own: "/process_api/abc"))
        XCTAssertEqual(layout.hierarchies[.cpu]?.version, .v1)
        XCTAssertEqual(layout.hierarchies[.freezer]?.mount, "/sys/fs/cgroup/freezer")
        XCTAssertEqual(layout.unified?.mount, "/sys/fs/cgroup/unified")
        XCTAssertEqual(layout.missing([.cpu, .memory, .pids, .freezer]), [])
    }

    func testPureV2Host() {
        let mounts = "25 20 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate"
        let layout = CgroupLayout.detect(mountinfo: mounts, selfCgroup: "0::/system.slice/agent.service\n") { path in
            XCTAssertEqual(path, "/sys/fs/cgroup")
            return "cpuset cpu io memory hugetlb pids rdma misc\n"
        }
        for controller in CgroupController.allCases {
            XCTAssertEqual(layout.hierarchies[controller],
                           .init(version: .v2, mount: "/sys/fs/cgroup", own: "/system.slice/agent.service"), "\(controller)")
        }
    }

    func testV2WithoutMemoryControllerReportsItMissing() {
        let mounts = "25 20 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw"
        let layout = CgroupLayout.detect(mountinfo: mounts, selfCgroup: "0::/\n") { _ in "cpu pids" }
        XCTAssertEqual(layout.missing([.memory, .cpu, .pids]), [.memory])
    }

    func testNoCgroupsAtAll() {
        let layout = CgroupLayout.detect(mountinfo: "22 1 0:5 / /proc rw - proc proc rw", selfCgroup: "") { _ in nil }
        XCTAssertEqual(layout.missing([.cpu, .memory]), [.cpu, .memory])
    }

    func testIsolationFlagParsing() throws {
        XCTAssertEqual(try IsolationConfig.parse(IsolationConfig.defaultFlag), [.posixCPU, .posixMem])
        XCTAssertEqual(try IsolationConfig.parse("cgroups/all, namespaces/pid"),
                       [.cgroupsCPU, .cgroupsMem, .cgroupsPids, .namespacesPID])
        XCTAssertEqual(try IsolationConfig.parse("posix/disk"), [.diskDU])
        XCTAssertThrowsError(try IsolationConfig.parse("cgroups/cpu,network/cni")) { error in
            XCTAssertTrue("\(error)".contains("network/cni"))
        }
        XCTAssertThrowsError(try IsolationConfig.parse("docker/runtime"))
        var config = IsolationConfig(isolators: [.cgroupsMem])
        XCTAssertEqual(config.controllers, [.memory, .freezer])
        config.isolators = [.posixCPU]
        XCTAssertFalse(config.usesCgroups)
    }

    func testPrepareRefusesWithoutRootOrControllers() {
        let config = IsolationConfig(isolators: [.cgroupsMem])
        let hybrid = CgroupLayout.detect(mountinfo: hybridMounts, selfCgroup: hybridSelf) { _ in "" }
        XCTAssertThrowsError(try Cgroups.prepare(config: config, layout: hybrid, isRoot: false)) { error in
            XCTAssertTrue("\(error)".contains("root"), "\(error)")
        }
        let none = CgroupLayout(hierarchies: [:], unified: nil)
        XCTAssertThrowsError(try Cgroups.prepare(config: config, layout: none, isRoot: true)) { error in
            XCTAssertTrue("\(error)".contains("memory"), "\(error)")
        }
    }
}

final class CgroupSettingsTests: XCTestCase {
    func testV1SettingsWithCFS() {
        let config = IsolationConfig(isolators: [.cgroupsCPU, .cgroupsMem, .cgroupsPids], enableCFS: true, pidsMax: 100)
        let settings = CgroupSettings.settings(for: ContainerLimits(cpus: 0.5, memMB: 64), config: config) { _ in .v1 }
        XCTAssertEqual(settings.map { "\($0.file)=\($0.value)" }, [
            "cpu.shares=512", "cpu.cfs_period_us=100000", "cpu.cfs_quota_us=50000",
            "memory.soft_limit_in_bytes=67108864", "memory.limit_in_bytes=67108864", "pids.max=100",
        ])
    }

    func testV2Settings() {
        let config = IsolationConfig(isolators: [.cgroupsCPU, .cgroupsMem], enableCFS: true)
        let settings = CgroupSettings.settings(for: ContainerLimits(cpus: 1, memMB: 16), config: config) { _ in .v2 }
        XCTAssertEqual(settings.map { "\($0.file)=\($0.value)" }, [
            "cpu.weight=39", "cpu.max=100000 100000", "memory.max=33554432", "memory.swap.max=0",
        ])
    }

    func testFloors() {
        XCTAssertEqual(CgroupSettings.shares(cpus: 0.0001), 2)
        XCTAssertEqual(CgroupSettings.quota(cpus: 0.001), 1000)
        XCTAssertEqual(ContainerLimits(memMB: 1).memBytes, 32 << 20)
        XCTAssertEqual(CgroupSettings.weight(shares: 2), 1)
        XCTAssertEqual(CgroupSettings.weight(shares: 262_144), 10000)
    }

    func testNoCPUSettingsWithoutTheIsolator() {
        let config = IsolationConfig(isolators: [.cgroupsMem])
        XCTAssertEqual(CgroupSettings.settings(for: ContainerLimits(cpus: 2), config: config) { _ in .v1 }, [])
    }
}
