import XCTest
import ZooKeeper

final class ZooKeeperURLTests: XCTestCase {
    func testSingleHostWithPath() throws {
        let url = try ZooKeeperURL(parsing: "zk://127.0.0.1:2181/mesos")
        XCTAssertEqual(url, ZooKeeperURL(hosts: ["127.0.0.1:2181"], path: "/mesos"))
    }

    func testMultipleHostsAndNestedChroot() throws {
        let url = try ZooKeeperURL(parsing: "zk://zk1:2181,zk2:2182,10.0.0.3:2183/plinth/masters")
        XCTAssertEqual(url.hosts, ["zk1:2181", "zk2:2182", "10.0.0.3:2183"])
        XCTAssertEqual(url.path, "/plinth/masters")
    }

    func testWithoutSchemeAndWithoutPath() throws {
        XCTAssertEqual(try ZooKeeperURL(parsing: "zk1:2181,zk2:2181"),
                       ZooKeeperURL(hosts: ["zk1:2181", "zk2:2181"], path: "/"))
        XCTAssertEqual(try ZooKeeperURL(parsing: "zk://zk1:2181/").path, "/")
        XCTAssertEqual(try ZooKeeperURL(parsing: "zk://zk1:2181/mesos/").path, "/mesos")
    }

    func testCredentialsAreIgnored() throws {
        let url = try ZooKeeperURL(parsing: "zk://user:secret@zk1:2181,zk2:2181/mesos")
        XCTAssertEqual(url, ZooKeeperURL(hosts: ["zk1:2181", "zk2:2181"], path: "/mesos"))
    }

    func testDefaultPortAndIPv6() throws {
        XCTAssertEqual(try ZooKeeperURL(parsing: "zk://zk1/mesos").hosts, ["zk1:2181"])
        XCTAssertEqual(try ZooKeeperURL(parsing: "zk://[::1]:2182/x").hosts, ["[::1]:2182"])
        XCTAssertEqual(try ZooKeeperURL(parsing: "ZK://zk1:1").hosts, ["zk1:1"])
    }

    func testRejectsMalformedInput() {
        for bad in [
            "", "zk://", "zk:///mesos", "http://zk1:2181/mesos", "zk://zk1:2181,,zk2:2181/m",
            "zk://zk1:abc/m", "zk://zk1:0/m", "zk://zk1:70000/m", "zk://zk1:2181/a//b",
            "zk://[::1/m", "zk://::1:2181/m",
        ] {
            XCTAssertThrowsError(try ZooKeeperURL(parsing: bad), "accepted '\(bad)'") { error in
                XCTAssertTrue(error is ZooKeeperURL.ParseError)
            }
        }
    }
}
