import XCTest
import Images

final class RootfsTests: XCTestCase {
    private var fixture: Fixture!

    override func setUpWithError() throws {
        fixture = try Fixture()
    }

    override func tearDown() {
        Rootfs.destroy(target: "\(fixture.root)/rootfs", scratch: "\(fixture.root)/scratch")
        fixture.remove()
    }

    private func provisionLayered(_ backend: RootfsBackend) async throws -> (target: String, scratch: String, used: RootfsBackend) {
        try Fixture.requireRootAndBusybox()
        try fixture.buildWhiteoutImage()
        let image = try await ImageStore(registry: fixture.registry, storeDirectory: fixture.store).pull("layered:v1")
        let target = "\(fixture.root)/rootfs"
        let scratch = "\(fixture.root)/scratch"
        let used = try Rootfs.provision(layers: image.layerPaths, target: target, scratch: scratch, prefer: backend)
        return (target, scratch, used)
    }

    private func assertWhiteoutsApplied(_ target: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let files = FileManager.default
        XCTAssertTrue(files.isExecutableFile(atPath: "\(target)/bin/busybox"), file: file, line: line)
        XCTAssertFalse(files.fileExists(atPath: "\(target)/etc/victim"), "whited-out file is visible", file: file, line: line)
        XCTAssertEqual(try String(contentsOfFile: "\(target)/etc/added", encoding: .utf8), "new", file: file, line: line)
        XCTAssertTrue(files.fileExists(atPath: "\(target)/etc/passwd"), file: file, line: line)
        XCTAssertEqual(FileSystemProbe.children("\(target)/data"), ["c"], "opaque directory shows lower entries", file: file, line: line)
        XCTAssertEqual(FileSystemProbe.children("\(target)/etc").filter { $0.hasPrefix(".wh.") }, [], file: file, line: line)
    }

    func testCopyBackendAppliesWhiteouts() async throws {
        let (target, scratch, used) = try await provisionLayered(.copy)
        XCTAssertEqual(used, .copy)
        XCTAssertFalse(isMounted(target))
        try assertWhiteoutsApplied(target)

        Rootfs.destroy(target: target, scratch: scratch)
        XCTAssertFalse(FileManager.default.fileExists(atPath: target))
    }

    func testOverlayBackendAppliesWhiteoutsAndDestroyUnmounts() async throws {
        let (target, scratch, used) = try await provisionLayered(.overlay)
        guard used == .overlay else {
            print("RootfsTests: overlayfs mount failed here; the copy fallback was used")
            throw XCTSkip("overlayfs is not available")
        }
        XCTAssertTrue(isMounted(target))
        try assertWhiteoutsApplied(target)

        // Writes land in the scratch upper directory, not in the shared layers.
        try Data("w".utf8).write(to: URL(fileURLWithPath: "\(target)/tmp/written"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(scratch)/upper/tmp/written"))

        // A busy mount inside (as the agent's /proc or sandbox mounts would be) goes too.
        try FileManager.default.createDirectory(atPath: "\(target)/mnt/inner", withIntermediateDirectories: true)
        try runProgram("/usr/bin/mount", ["-t", "tmpfs", "tmpfs", "\(target)/mnt/inner"])
        let busy = FileHandle(forReadingAtPath: "\(target)/etc/added")

        Rootfs.destroy(target: target, scratch: scratch)
        try busy?.close()
        XCTAssertFalse(isMounted(target))
        XCTAssertFalse(isMounted("\(target)/mnt/inner"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: target))
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch))
    }

    func testRootfsRunsBusyboxUnderChroot() async throws {
        let (target, _, _) = try await provisionLayered(.overlay)
        XCTAssertEqual(try runProgram("/usr/sbin/chroot", [target, "/bin/busybox", "echo", "hi"]), "hi\n")
        XCTAssertEqual(try runProgram("/usr/sbin/chroot", [target, "/bin/sh", "-c", "cat /etc/added; ls /data"]), "newc\n")
    }
}
