import XCTest
import Images

final class ImageStoreTests: XCTestCase {
    private var fixture: Fixture!

    override func setUpWithError() throws {
        fixture = try Fixture()
    }

    override func tearDown() {
        fixture.remove()
    }

    func testMissingImageNamesItAndTheRegistry() async throws {
        let store = ImageStore(registry: fixture.registry, storeDirectory: fixture.store)
        do {
            _ = try await store.pull("nosuch:1.0")
            XCTFail("pull of a missing image succeeded")
        } catch {
            XCTAssertTrue(error.message.contains("'nosuch:1.0'"), error.message)
            XCTAssertTrue(error.message.contains(fixture.registry), error.message)
            XCTAssertTrue(error.message.contains("\(fixture.registry)/nosuch:1.0.tar"), error.message)
        }
    }

    func testPullsBusyboxIntoTheStore() async throws {
        try Fixture.requireRootAndBusybox()
        try TestImage.buildBusybox(at: "\(fixture.registry)/busybox:latest.tar", workingDir: "/tmp")
        let store = ImageStore(registry: fixture.registry, storeDirectory: fixture.store)

        let image = try await store.pull("docker.io/library/busybox")
        XCTAssertEqual(image.reference, try ImageReference(parsing: "busybox:latest"))
        XCTAssertEqual(image.layerPaths.count, 1)
        let layer = image.layerPaths[0]
        XCTAssertTrue(layer.hasPrefix("\(fixture.store)/layers/"), layer)
        XCTAssertTrue(layer.hasSuffix("/rootfs"), layer)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: "\(layer)/bin/busybox"))
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: "\(layer)/bin/sh"), "busybox")
        for directory in ["proc", "dev", "tmp", "mnt/mesos/sandbox"] {
            var isDirectory: ObjCBool = false
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(layer)/\(directory)", isDirectory: &isDirectory) && isDirectory.boolValue, directory)
        }
        XCTAssertEqual(image.config.cmd, ["sh"])
        XCTAssertEqual(image.config.env, ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"])
        XCTAssertEqual(image.config.workingDir, "/tmp")
        XCTAssertNil(image.config.entrypoint)
        XCTAssertEqual(FileSystemProbe.children("\(fixture.store)/staging"), [], "staging is cleaned up")
    }

    func testFindsArchiveUnderLibraryName() async throws {
        try Fixture.requireRootAndBusybox()
        try TestImage.buildBusybox(at: "\(fixture.registry)/library/busybox:1.36.tar", repository: "library/busybox", tag: "1.36")
        let store = ImageStore(registry: fixture.registry, storeDirectory: fixture.store)
        let image = try await store.pull("busybox:1.36")
        XCTAssertEqual(image.reference.repository, "busybox")
    }

    func testLayersAreExtractedOnceAcrossPullsAndStores() async throws {
        try Fixture.requireRootAndBusybox()
        try TestImage.buildBusybox(at: "\(fixture.registry)/busybox:latest.tar")
        let first = try await ImageStore(registry: fixture.registry, storeDirectory: fixture.store).pull("busybox")
        let layer = first.layerPaths[0]
        let marker = "\(layer)/.extracted-once"
        XCTAssertTrue(FileManager.default.createFile(atPath: marker, contents: Data()))
        let inode = try FileManager.default.attributesOfItem(atPath: layer)[.systemFileNumber] as? UInt64

        // A new store instance, as after an agent restart: the layer on disk is reused.
        let second = try await ImageStore(registry: fixture.registry, storeDirectory: fixture.store).pull("busybox:latest")
        XCTAssertEqual(second.layerPaths, first.layerPaths)
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker), "the layer was extracted again")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: layer)[.systemFileNumber] as? UInt64, inode)
    }

    func testConcurrentPullsShareOneExtraction() async throws {
        try Fixture.requireRootAndBusybox()
        try TestImage.buildBusybox(at: "\(fixture.registry)/busybox:latest.tar")
        let store = ImageStore(registry: fixture.registry, storeDirectory: fixture.store)
        let images = try await withThrowingTaskGroup(of: ProvisionedImage.self) { group in
            for _ in 0..<4 { group.addTask { try await store.pull("busybox") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(Set(images.map(\.layerPaths)).count, 1)
        XCTAssertEqual(FileSystemProbe.children("\(fixture.store)/layers").count, 1)
        XCTAssertEqual(FileSystemProbe.children("\(fixture.store)/staging"), [])
    }

    func testPullsTheOCILayout() async throws {
        try Fixture.requireRootAndBusybox()
        try fixture.buildWhiteoutImage(layout: .oci)
        let image = try await ImageStore(registry: fixture.registry, storeDirectory: fixture.store).pull("layered:v1")
        XCTAssertEqual(image.layerPaths.count, 2)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(image.layerPaths[0])/bin/busybox"))
        XCTAssertEqual(image.config.cmd, ["sh"])
    }

    func testWhiteoutsAreStoredInOverlayForm() async throws {
        try Fixture.requireRootAndBusybox()
        try fixture.buildWhiteoutImage()
        let image = try await ImageStore(registry: fixture.registry, storeDirectory: fixture.store).pull("layered:v1")
        let upper = image.layerPaths[1]
        var info = stat()
        XCTAssertEqual(lstat("\(upper)/etc/victim", &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFCHR)
        XCTAssertEqual(info.st_rdev, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(upper)/etc/.wh.victim"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(upper)/data/.wh..wh..opq"))
    }
}

enum FileSystemProbe {
    static func children(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }
}

final class ArchiveNamingTests: XCTestCase {
    /// Archives re-packed with `tar -C dir .` name members "./manifest.json"; `docker save`
    /// does not, and both must load.
    func testDotSlashMemberNames() async throws {
        try Fixture.requireRootAndBusybox()
        let fixture = try Fixture()
        defer { fixture.remove() }
        try TestImage.buildBusybox(at: "\(fixture.root)/plain.tar")
        let unpacked = "\(fixture.root)/unpacked"
        try FileManager.default.createDirectory(atPath: unpacked, withIntermediateDirectories: true)
        try runProgram("/usr/bin/tar", ["-xf", "\(fixture.root)/plain.tar", "-C", unpacked])
        try runProgram("/usr/bin/tar", ["-cf", "\(fixture.registry)/busybox:dotted.tar", "-C", unpacked, "."])

        let image = try await ImageStore(registry: fixture.registry, storeDirectory: fixture.store).pull("busybox:dotted")
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: "\(image.layerPaths[0])/bin/busybox"))
    }
}
