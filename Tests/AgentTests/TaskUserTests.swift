import Foundation
import XCTest
@testable import Agent

final class TaskUserTests: XCTestCase {
    func testEmptyOrOwnUserSwitchesNothing() throws {
        XCTAssertNil(try TaskUser.resolve(nil, switchUser: true).get())
        XCTAssertNil(try TaskUser.resolve("", switchUser: true).get())
        let me = String(cString: getpwuid(geteuid())!.pointee.pw_name)
        XCTAssertNil(try TaskUser.resolve(me, switchUser: true).get())
        XCTAssertNil(try TaskUser.resolve("nobody", switchUser: false).get())
    }

    func testUnknownUserIsAClearFailure() {
        guard case .failure(let problem) = TaskUser.resolve("no-such-user-here", switchUser: true) else {
            return XCTFail("an unknown user must fail")
        }
        XCTAssertTrue(problem.description.contains("no such user"))
    }

    func testOtherUserNeedsRootAndWrapsTheCommand() throws {
        let result = TaskUser.resolve("nobody", switchUser: true)
        guard geteuid() == 0 else {
            guard case .failure = result else { return XCTFail("a non-root agent cannot switch users") }
            return
        }
        let user = try XCTUnwrap(try result.get())
        XCTAssertEqual(user.uid, 65534)
        guard case .executable(let path, let arguments) = user.wrap(.shell("id -un")) else { return XCTFail() }
        XCTAssertEqual(path, "/usr/bin/setpriv")
        XCTAssertEqual(Array(arguments.suffix(3)), ["/bin/sh", "-c", "id -un"])
    }
}
