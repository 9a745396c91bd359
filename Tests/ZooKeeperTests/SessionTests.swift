import XCTest
import ZooKeeper

final class SessionTests: ZooKeeperTestCase {
    func testDroppedConnectionResumesSameSession() async throws {
        let zk = try await makeClient(sessionTimeout: .seconds(4))
        let events = EventRecorder.recording(zk)
        let session = await zk.sessionID
        _ = try await zk.create("/r", mode: .ephemeral)

        await zk.simulateConnectionLoss(blockingReconnect: false)
        let disconnected = await events.waitFor(.disconnected)
        let reconnected = await events.waitFor(.reconnected)
        XCTAssertTrue(disconnected)
        XCTAssertTrue(reconnected)
        let resumed = await zk.sessionID
        XCTAssertEqual(resumed, session)
        let stat = try await zk.exists("/r")
        XCTAssertEqual(stat?.ephemeralOwner, session)
    }

    /// Pings must keep an idle session alive well past its timeout.
    func testIdleSessionIsKeptAlive() async throws {
        let idle = try await makeClient(sessionTimeout: .seconds(2))
        let observer = try await makeClient()
        let events = EventRecorder.recording(idle)
        _ = try await idle.create("/idle", mode: .ephemeral)
        try await Task.sleep(for: .seconds(3))
        let stat = try await observer.exists("/idle")
        XCTAssertNotNil(stat)
        let seen = await events.events
        XCTAssertEqual(seen, [])
        let mine = try await idle.exists("/idle")
        XCTAssertNotNil(mine)
    }

    /// A client that vanishes without closeSession loses its ephemeral nodes
    /// once the session timeout passes, and learns of the expiry on return.
    func testSessionExpiresWhileDisconnected() async throws {
        let doomed = try await makeClient(sessionTimeout: .seconds(2))
        let observer = try await makeClient()
        let events = EventRecorder.recording(doomed)
        _ = try await doomed.create("/lock", mode: .ephemeral)
        let present = try await observer.exists("/lock")
        XCTAssertNotNil(present)

        await doomed.simulateConnectionLoss(blockingReconnect: true)
        let disconnected = await events.waitFor(.disconnected)
        XCTAssertTrue(disconnected)
        await assertThrows(.connectionLoss) { try await doomed.exists("/") }

        let deadline = ContinuousClock.now + .seconds(10)
        var stat = try await observer.exists("/lock")
        while stat != nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            stat = try await observer.exists("/lock")
        }
        XCTAssertNil(stat, "ephemeral node survived its session")

        await doomed.allowReconnect()
        let expired = await events.waitFor(.sessionExpired)
        XCTAssertTrue(expired)
        await assertThrows(.sessionExpired) { try await doomed.getData("/") }
        await assertThrows(.sessionExpired) { try await doomed.connect() }
    }
}
