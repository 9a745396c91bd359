import XCTest
import Images

/// A scratch directory per test, and the checks that decide whether the image tests can run.
struct Fixture {
    let root: String
    var registry: String { "\(root)/registry" }
    var store: String { "\(root)/store" }

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("images-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: "\(root)/registry", withIntermediateDirectories: true)
    }

    /// Extracting layers keeps their owners and creates whiteout devices, which needs root;
    /// the test image needs Debian's busybox-static.
    static func requireRootAndBusybox() throws {
        guard getuid() == 0 else {
            print("ImagesTests: skipping, not running as root")
            throw XCTSkip("image extraction needs root")
        }
        guard FileManager.default.isExecutableFile(atPath: TestImage.busyboxPath) else {
            print("ImagesTests: skipping, \(TestImage.busyboxPath) is missing (apt-get install busybox-static)")
            throw XCTSkip("\(TestImage.busyboxPath) is missing")
        }
    }

    func file(_ path: String, _ contents: String) throws {
        let full = "\(root)/\(path)"
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: full))
    }

    /// A two-layer image: busybox plus `/etc/victim` and `/data/{a,b}` below; above, a
    /// whiteout of `/etc/victim`, an opaque `/data` holding only `c`, and `/etc/added`.
    func buildWhiteoutImage(layout: TestImage.Layout = .legacy) throws {
        try TestImage.buildBusybox(at: "\(root)/base.tar", extraFiles: [
            "/etc/victim": "doomed", "/data/a": "a", "/data/b": "b",
        ])
        let base = "\(root)/base"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        _ = try runProgram("/usr/bin/tar", ["-xf", "\(root)/base.tar", "-C", base])
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(base)/manifest.json"))) as! [[String: Any]]
        let lowerTar = "\(base)/\((manifest[0]["Layers"] as! [String])[0])"
        try FileManager.default.createDirectory(atPath: "\(root)/lower", withIntermediateDirectories: true)
        _ = try runProgram("/usr/bin/tar", ["-xf", lowerTar, "-C", "\(root)/lower"])

        try file("upper/etc/.wh.victim", "")
        try file("upper/etc/added", "new")
        try file("upper/data/.wh..wh..opq", "")
        try file("upper/data/c", "c")
        try TestImage.buildArchive(at: "\(registry)/layered:v1.tar", repository: "layered", tag: "v1",
                                   layers: ["\(root)/lower", "\(root)/upper"],
                                   config: ImageConfig(cmd: ["sh"], env: ["PATH=/bin"]), layout: layout)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// Runs a program, returning its stdout, failing on a non-zero exit.
@discardableResult
func runProgram(_ path: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ImageError("\(path) \(arguments) exited with \(process.terminationStatus)")
    }
    return String(decoding: data, as: UTF8.self)
}

func isMounted(_ path: String) -> Bool {
    let table = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
    return table.split(separator: "\n").contains { $0.split(separator: " ").dropFirst(4).first.map(String.init) == path }
}
