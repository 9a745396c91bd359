import Election
import Foundation
import Logging
import ZooKeeper

/// Mesos-style flag plumbing: every flag may also come from `PLINTH_<FLAG>` or `MESOS_<FLAG>`.
enum Flags {
    static func env(_ flag: String) -> String? {
        let name = flag.uppercased()
        let environment = ProcessInfo.processInfo.environment
        return environment["PLINTH_\(name)"] ?? environment["MESOS_\(name)"]
    }

    static func resolve(_ value: String?, _ flag: String, default fallback: String) -> String {
        value ?? env(flag) ?? fallback
    }

    static func resolve(_ value: String?, _ flag: String) -> String? {
        value ?? env(flag)
    }

    /// Mesos durations: `500ms`, `1secs`, `2mins`, `1hrs`, `1days`, `1weeks` (also `s`, `m`, `h`).
    static func duration(_ text: String) throws -> Duration {
        let units: [(String, Double)] = [
            ("weeks", 604_800), ("days", 86_400), ("hrs", 3600), ("mins", 60), ("secs", 1), ("ms", 1e-3),
            ("us", 1e-6), ("ns", 1e-9), ("h", 3600), ("m", 60), ("s", 1),
        ]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            if let number = Double(trimmed.dropLast(suffix.count)), number >= 0 {
                return .nanoseconds(Int64((number * factor * 1e9).rounded()))
            }
        }
        if let seconds = Double(trimmed), seconds >= 0 { return .nanoseconds(Int64(seconds * 1e9)) }
        throw CLIError("Invalid duration '\(text)': expected a number with a unit such as 500ms, 1secs or 2mins")
    }

    /// `host:port`, defaulting the port to 5050 as Mesos clients do.
    static func masterAddress(_ text: String) throws -> String {
        var value = text
        if value.hasPrefix("http://") { value = String(value.dropFirst(7)) }
        if value.hasPrefix("zk://") { return value }
        if value.hasSuffix("/") { value.removeLast() }
        if !value.contains(":") { value += ":5050" }
        return value
    }
}

extension Flags {
    /// `host:port` of the master to talk to: the address itself, or the leader a `zk://` URL names
    /// (waiting up to 10 s for one to be elected).
    static func leaderAddress(_ master: String) async throws -> String {
        guard master.hasPrefix("zk://") else { return master }
        let url: ZooKeeperURL
        do {
            url = try ZooKeeperURL(parsing: master)
        } catch {
            throw CLIError("Invalid --master '\(master)': \(error)")
        }
        let detector = MasterDetector(url: url, logger: Logger(label: "plinth.detector"))
        try await detector.start()
        for _ in 0..<200 {
            if let leader = await detector.leader() { return Candidacy.address(of: leader) }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CLIError("No leading master in ZooKeeper at \(master)")
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Writes a line to stdout unbuffered, so a parent reading a pipe sees it at once.
func say(_ text: String, terminator: String = "\n") {
    FileHandle.standardOutput.write(Data((text + terminator).utf8))
}
