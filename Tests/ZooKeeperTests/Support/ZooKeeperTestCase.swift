import Foundation
import Logging
import XCTest
import ZooKeeper

/// Gives each test its own fresh server (so tests cannot see each other's
/// znodes) and closes every client it handed out.
class ZooKeeperTestCase: XCTestCase {
    private(set) var server: ZooKeeperServer?
    private var clients: [ZooKeeperClient] = []

    override func setUp() async throws {
        try await super.setUp()
        server = try await ZooKeeperServer.start()
    }

    override func tearDown() async throws {
        for client in clients { await client.close() }
        clients = []
        server?.stop()
        server = nil
        try await super.tearDown()
    }

    func makeClient(sessionTimeout: Duration = .seconds(5)) async throws -> ZooKeeperClient {
        let server = try XCTUnwrap(server)
        var logger = Logger(label: "test.zookeeper")
        logger.logLevel = ProcessInfo.processInfo.environment["ZK_TEST_LOG"] == nil ? .critical : .info
        let client = ZooKeeperClient(hosts: [server.host], sessionTimeout: sessionTimeout, logger: logger)
        clients.append(client)
        try await client.connect()
        return client
    }
}

/// Collects a client's events in the background so tests can wait for one
/// with a timeout instead of blocking on the stream.
actor EventRecorder {
    private(set) var events: [WatchEvent] = []

    static func recording(_ client: ZooKeeperClient) -> EventRecorder {
        let recorder = EventRecorder()
        let stream = client.events
        Task {
            for await event in stream { await recorder.append(event) }
        }
        return recorder
    }

    private func append(_ event: WatchEvent) {
        events.append(event)
    }

    func waitFor(_ event: WatchEvent, timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !events.contains(event), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return events.contains(event)
    }
}

/// XCTAssertThrowsError cannot await; this can.
func assertThrows(
    _ expected: ZooKeeperError,
    file: StaticString = #filePath,
    line: UInt = #line,
    _ body: () async throws -> some Any
) async {
    do {
        _ = try await body()
        XCTFail("expected \(expected), got success", file: file, line: line)
    } catch {
        XCTAssertEqual(error as? ZooKeeperError, expected, file: file, line: line)
    }
}
