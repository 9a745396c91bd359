import XCTest
import Images

/// The table in Mesos's docs/isolators/docker-runtime.md, row by row.
final class ImageCommandTests: XCTestCase {
    /// The four image columns: Entrypoint/Cmd absent or present.
    private let neither = ImageConfig()
    private let cmdOnly = ImageConfig(cmd: ["/cmd", "c1", "c2"])
    private let entrypointOnly = ImageConfig(entrypoint: ["/entry", "e1"])
    private let both = ImageConfig(entrypoint: ["/entry", "e1"], cmd: ["/cmd", "c1", "c2"])

    private func argv(_ shell: Bool, _ value: String?, _ arguments: [String], _ config: ImageConfig) -> [String]? {
        try? ImageCommand.argv(shell: shell, value: value, arguments: arguments, config: config)
    }

    func testNoShellNoValueNoArguments() {
        XCTAssertNil(argv(false, nil, [], neither))
        XCTAssertEqual(argv(false, nil, [], cmdOnly), ["/cmd", "c1", "c2"])
        XCTAssertEqual(argv(false, nil, [], entrypointOnly), ["/entry", "e1"])
        XCTAssertEqual(argv(false, nil, [], both), ["/entry", "e1", "/cmd", "c1", "c2"])
    }

    func testNoShellNoValueWithArguments() {
        let arguments = ["a1", "a2"]
        XCTAssertNil(argv(false, nil, arguments, neither))
        XCTAssertEqual(argv(false, nil, arguments, cmdOnly), ["/cmd", "a1", "a2"])
        XCTAssertEqual(argv(false, nil, arguments, entrypointOnly), ["/entry", "e1", "a1", "a2"])
        XCTAssertEqual(argv(false, nil, arguments, both), ["/entry", "e1", "a1", "a2"])
    }

    func testValueWithoutShellIgnoresTheImage() {
        for config in [neither, cmdOnly, entrypointOnly, both] {
            XCTAssertEqual(argv(false, "/bin/echo", [], config), ["/bin/echo"])
            // Mesos's arguments are the whole argv: arguments[0] is argv[0], not an argument.
            XCTAssertEqual(argv(false, "/bin/echo", ["echo", "hi", "there"], config), ["/bin/echo", "hi", "there"])
        }
    }

    func testShellWithoutValueIsAnError() {
        for config in [neither, cmdOnly, entrypointOnly, both] {
            for arguments in [[], ["a1"]] {
                XCTAssertThrowsError(try ImageCommand.argv(shell: true, value: nil, arguments: arguments, config: config)) { error in
                    XCTAssertTrue((error as? ImageError)?.message.contains("no command value") ?? false)
                }
            }
        }
    }

    func testShellWithValueRunsTheShell() {
        for config in [neither, cmdOnly, entrypointOnly, both] {
            XCTAssertEqual(argv(true, "echo $HOME", [], config), ["/bin/sh", "-c", "echo $HOME"])
            XCTAssertEqual(argv(true, "echo $HOME", ["ignored"], config), ["/bin/sh", "-c", "echo $HOME"])
        }
    }

    func testEmptyEntrypointCountsAsAbsent() {
        XCTAssertEqual(argv(false, nil, [], ImageConfig(entrypoint: [], cmd: ["sh"])), ["sh"])
        XCTAssertNil(argv(false, nil, [], ImageConfig(entrypoint: [], cmd: [])))
    }

    func testTaskEnvironmentOverridesTheImage() {
        let environment = ImageCommand.environment(
            image: ["PATH=/bin", "A=1=2", "BROKEN", "B=image"],
            task: ["B": "task", "C": "3"])
        XCTAssertEqual(environment, ["PATH": "/bin", "A": "1=2", "B": "task", "C": "3"])
    }

    func testConfigDecodesDockerJSON() throws {
        let json = #"{"Entrypoint":null,"Cmd":["sh"],"Env":["PATH=/bin"],"WorkingDir":"","User":""}"#
        let config = try JSONDecoder().decode(ImageConfig.self, from: Data(json.utf8))
        XCTAssertEqual(config, ImageConfig(cmd: ["sh"], env: ["PATH=/bin"]))
        XCTAssertEqual(try JSONDecoder().decode(ImageConfig.self, from: Data("{}".utf8)), ImageConfig())
    }
}
