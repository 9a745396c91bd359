import XCTest
@testable import Images

final class ImageReferenceTests: XCTestCase {
    func testNormalisesDockerHubNames() throws {
        let cases: [(String, String, String)] = [
            ("busybox", "busybox", "latest"),
            ("busybox:latest", "busybox", "latest"),
            ("library/busybox:1.36", "busybox", "1.36"),
            ("docker.io/library/busybox", "busybox", "latest"),
            ("registry-1.docker.io/library/busybox:musl", "busybox", "musl"),
            ("docker.io/bitnami/redis:7.2", "bitnami/redis", "7.2"),
            ("localhost:5000/team/app", "localhost:5000/team/app", "latest"),
            ("quay.io/coreos/etcd:v3.5.0", "quay.io/coreos/etcd", "v3.5.0"),
        ]
        for (name, repository, tag) in cases {
            let reference = try ImageReference(parsing: name)
            XCTAssertEqual(reference.repository, repository, name)
            XCTAssertEqual(reference.tag, tag, name)
        }
        XCTAssertEqual(try ImageReference(parsing: "busybox"), try ImageReference(parsing: "docker.io/library/busybox:latest"))
    }

    func testArchiveNamesTryBothHubForms() throws {
        XCTAssertEqual(try ImageReference(parsing: "busybox").archiveCandidates,
                       ["busybox:latest.tar", "library/busybox:latest.tar"])
        XCTAssertEqual(try ImageReference(parsing: "team/app:2").archiveCandidates, ["team/app:2.tar"])
    }

    func testRejectsBadNames() {
        for name in ["", "  ", "Busybox", "busybox:", "busybox:bad tag", "../etc/passwd", "a//b",
                     "busybox@sha256:abcd", "busybox:-x"] {
            XCTAssertThrowsError(try ImageReference(parsing: name), "'\(name)' should be rejected") { error in
                XCTAssertTrue(error is ImageError)
            }
        }
    }
}
