import XCTest
import ZooKeeper

final class MultiTests: ZooKeeperTestCase {
    func testMultiCommitsAllOps() async throws {
        let zk = try await makeClient()
        _ = try await zk.create("/m", data: [0])
        _ = try await zk.create("/m/old")
        try await zk.multi([
            .check(path: "/m", version: 0),
            .create(path: "/m/a", data: [1], mode: .persistent),
            .setData(path: "/m", data: [2], version: 0),
            .delete(path: "/m/old", version: -1),
        ])
        let children = try await zk.getChildren("/m")
        XCTAssertEqual(Set(children), ["a"])
        let (data, stat) = try await zk.getData("/m")
        XCTAssertEqual(data, [2])
        XCTAssertEqual(stat.version, 1)
    }

    func testFailingOpLeavesNothingChanged() async throws {
        let zk = try await makeClient()
        _ = try await zk.create("/m", data: [0])

        await assertThrows(.badVersion) {
            try await zk.multi([
                .create(path: "/m/b", data: [], mode: .persistent),
                .setData(path: "/m", data: [5], version: -1),
                .check(path: "/m", version: 99),
            ])
        }
        await assertThrows(.noNode) {
            try await zk.multi([
                .create(path: "/m/c", data: [], mode: .persistent),
                .check(path: "/m/missing", version: 0),
            ])
        }
        await assertThrows(.nodeExists) {
            try await zk.multi([
                .setData(path: "/m", data: [6], version: 0),
                .create(path: "/m", data: [], mode: .persistent),
            ])
        }

        let children = try await zk.getChildren("/m")
        XCTAssertEqual(children, [])
        let (data, stat) = try await zk.getData("/m")
        XCTAssertEqual(data, [0])
        XCTAssertEqual(stat.version, 0)
    }
}
