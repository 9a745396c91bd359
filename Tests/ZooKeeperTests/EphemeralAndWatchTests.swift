import XCTest
import ZooKeeper

final class EphemeralAndWatchTests: ZooKeeperTestCase {
    func testEphemeralSequentialNodes() async throws {
        let owner = try await makeClient()
        let observer = try await makeClient()
        _ = try await owner.create("/seq")
        let first = try await owner.create("/seq/n-", data: [1], mode: .ephemeralSequential)
        let second = try await owner.create("/seq/n-", mode: .ephemeralSequential)

        for path in [first, second] {
            XCTAssertTrue(path.hasPrefix("/seq/n-"), path)
            let suffix = path.dropFirst("/seq/n-".count)
            XCTAssertEqual(suffix.count, 10, path)
            XCTAssertTrue(suffix.allSatisfy(\.isNumber), path)
        }
        XCTAssertLessThan(first, second)

        let names = Set([first, second].map { String($0.dropFirst("/seq/".count)) })
        let seen = try await observer.getChildren("/seq")
        XCTAssertEqual(Set(seen), names)
        let stat = try await observer.exists(first)
        let ownerSession = await owner.sessionID
        XCTAssertEqual(stat?.ephemeralOwner, ownerSession)

        let persistent = try await owner.create("/seq/p-", mode: .persistentSequential)
        XCTAssertEqual(persistent.count, "/seq/p-".count + 10)

        await owner.close()
        let remaining = try await observer.getChildren("/seq")
        XCTAssertEqual(remaining, [String(persistent.dropFirst("/seq/".count))])
    }

    func testChildWatchFiresWhenAnotherClientCreatesChild() async throws {
        let watcher = try await makeClient()
        let writer = try await makeClient()
        let events = EventRecorder.recording(watcher)
        try await watcher.ensurePath("/w")
        let initial = try await watcher.getChildren("/w", watch: true)
        XCTAssertEqual(initial, [])

        _ = try await writer.create("/w/c")
        let fired = await events.waitFor(.nodeChildrenChanged("/w"))
        XCTAssertTrue(fired)
    }

    func testExistsAndDataWatches() async throws {
        let watcher = try await makeClient()
        let writer = try await makeClient()
        let events = EventRecorder.recording(watcher)

        let before = try await watcher.exists("/x", watch: true)
        XCTAssertNil(before)
        _ = try await writer.create("/x")
        let created = await events.waitFor(.nodeCreated("/x"))
        XCTAssertTrue(created)

        _ = try await watcher.getData("/x", watch: true)
        _ = try await writer.setData("/x", data: [1])
        let changed = await events.waitFor(.nodeDataChanged("/x"))
        XCTAssertTrue(changed)

        _ = try await watcher.exists("/x", watch: true)
        try await writer.delete("/x")
        let deleted = await events.waitFor(.nodeDeleted("/x"))
        XCTAssertTrue(deleted)
    }
}
