import XCTest
import ZooKeeper

final class BasicOperationTests: ZooKeeperTestCase {
    func testCreateGetSetWithVersions() async throws {
        let zk = try await makeClient()
        let session = await zk.sessionID
        XCTAssertNotEqual(session, 0)
        let path = try await zk.create("/a", data: [1, 2, 3])
        XCTAssertEqual(path, "/a")

        let (data, stat) = try await zk.getData("/a")
        XCTAssertEqual(data, [1, 2, 3])
        XCTAssertEqual(stat.version, 0)
        XCTAssertEqual(stat.dataLength, 3)
        XCTAssertEqual(stat.ephemeralOwner, 0)

        let updated = try await zk.setData("/a", data: [9], version: 0)
        XCTAssertEqual(updated.version, 1)
        await assertThrows(.badVersion) { try await zk.setData("/a", data: [7], version: 0) }
        let unconditional = try await zk.setData("/a", data: [8])
        XCTAssertEqual(unconditional.version, 2)
        let (after, afterStat) = try await zk.getData("/a")
        XCTAssertEqual(after, [8])
        let existsStat = try await zk.exists("/a")
        XCTAssertEqual(afterStat, existsStat)

        await assertThrows(.nodeExists) { try await zk.create("/a") }
        await assertThrows(.noNode) { try await zk.create("/missing/child") }
        await assertThrows(.noNode) { try await zk.getData("/missing") }
    }

    func testExistsAndDelete() async throws {
        let zk = try await makeClient()
        let missing = try await zk.exists("/d")
        XCTAssertNil(missing)
        _ = try await zk.create("/d", data: Array("hello".utf8))
        let present = try await zk.exists("/d")
        XCTAssertEqual(present?.dataLength, 5)

        _ = try await zk.create("/d/child")
        await assertThrows(.notEmpty) { try await zk.delete("/d") }
        await assertThrows(.badVersion) { try await zk.delete("/d/child", version: 5) }
        try await zk.delete("/d/child", version: 0)
        try await zk.delete("/d")
        let gone = try await zk.exists("/d")
        XCTAssertNil(gone)
        await assertThrows(.noNode) { try await zk.delete("/d") }
    }

    func testGetChildren() async throws {
        let zk = try await makeClient()
        _ = try await zk.create("/p")
        let none = try await zk.getChildren("/p")
        XCTAssertEqual(none, [])
        for name in ["x", "y", "z"] { _ = try await zk.create("/p/\(name)") }
        let children = try await zk.getChildren("/p")
        XCTAssertEqual(Set(children), ["x", "y", "z"])
        await assertThrows(.noNode) { try await zk.getChildren("/nope") }
    }

    func testEnsurePath() async throws {
        let zk = try await makeClient()
        try await zk.ensurePath("/a/b/c")
        try await zk.ensurePath("/a/b/c")
        try await zk.ensurePath("/")
        for path in ["/a", "/a/b", "/a/b/c"] {
            let stat = try await zk.exists(path)
            XCTAssertNotNil(stat, path)
        }
        try await zk.ensurePath("/a/b/d/")
        let children = try await zk.getChildren("/a/b")
        XCTAssertEqual(Set(children), ["c", "d"])
    }

    /// Large enough to arrive in many TCP reads, so frame reassembly is used.
    func testLargeValueRoundTrip() async throws {
        let zk = try await makeClient()
        let value = (0..<600_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        _ = try await zk.create("/big", data: value)
        let (data, stat) = try await zk.getData("/big")
        XCTAssertEqual(stat.dataLength, Int32(value.count))
        XCTAssertEqual(data, value)
    }

    func testCallsAfterCloseFailAndUnreachableServerFailsConnect() async throws {
        let zk = try await makeClient()
        await zk.close()
        await assertThrows(.closed) { try await zk.exists("/") }
        await zk.close()

        let port = try XCTUnwrap(server).port
        try XCTUnwrap(server).stop()
        let offline = ZooKeeperClient(hosts: ["127.0.0.1:\(port)"], sessionTimeout: .seconds(1))
        let start = ContinuousClock.now
        await assertThrows(.connectionLoss) { try await offline.connect() }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(3))
        await offline.close()
    }
}
