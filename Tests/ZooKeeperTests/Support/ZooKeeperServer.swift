import Foundation
import NIOCore
import NIOPosix
import XCTest

/// A throwaway standalone ZooKeeper on a free loopback port, started through
/// scripts/zookeeper-server.sh so tests and humans start it the same way.
/// `@unchecked Sendable`: `process` and `log` are only touched by `start`
/// and `stop`.
final class ZooKeeperServer: @unchecked Sendable {
    let port: Int
    let directory: URL
    private let process: Process
    private let log: FileHandle

    /// The form `ZooKeeperClient(hosts:)` takes.
    var host: String { "127.0.0.1:\(port)" }

    private init(port: Int, directory: URL, process: Process, log: FileHandle) {
        self.port = port
        self.directory = directory
        self.process = process
        self.log = log
    }

    /// Throws XCTSkip when java or Debian's ZooKeeper jar is missing, so the
    /// suite degrades to "skipped" rather than "failed" on bare machines.
    static func start() async throws -> ZooKeeperServer {
        try skipUnlessInstalled()
        let port = try await freeLoopbackPort()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("zk-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let logURL = directory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [scriptPath, String(port), directory.path]
        process.standardOutput = log
        process.standardError = log
        try process.run()

        let server = ZooKeeperServer(port: port, directory: directory, process: process, log: log)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline, process.isRunning {
            if await ruok(port: port) { return server }
            try await Task.sleep(for: .milliseconds(100))
        }
        let output = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        server.stop()
        throw StartFailure(description: "ZooKeeper did not answer ruok on port \(port):\n\(output)")
    }

    /// SIGTERM reaches the JVM itself because the script execs it.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? log.close()
        try? FileManager.default.removeItem(at: directory)
    }

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// The package root is three levels above this file (Tests/ZooKeeperTests/Support).
    static let scriptPath: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/zookeeper-server.sh").path

    private static func skipUnlessInstalled() throws {
        let environment = ProcessInfo.processInfo.environment
        let jar = environment["ZOOKEEPER_JAR"] ?? "/usr/share/java/zookeeper.jar"
        guard FileManager.default.fileExists(atPath: jar) else {
            throw XCTSkip("ZooKeeper not installed (\(jar) missing; apt-get install zookeeper)")
        }
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        let hasJava = path.split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/java")
        }
        guard hasJava else { throw XCTSkip("java not found on PATH") }
    }

    /// Binds port 0 and releases it. Racy in principle, fine for a test box.
    private static func freeLoopbackPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    /// ZooKeeper's four-letter health check: "imok" once it serves clients.
    private static func ruok(port: Int) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(1))
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            // A server that is still starting can accept the connection and
            // never answer; closing after a deadline turns that into "not yet"
            // (and a retry) instead of a hung test.
            let raw = channel.channel
            let deadline = raw.eventLoop.scheduleTask(in: .seconds(1)) { raw.close(promise: nil) }
            defer { deadline.cancel() }
            let reply = try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "ruok"))
                var text = ""
                for try await chunk in inbound { text += String(buffer: chunk) }
                return text
            }
            return reply == "imok"
        } catch {
            return false
        }
    }
}
