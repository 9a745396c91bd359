import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Small file helpers for cgroup control files: one `open`/`write` per value, no buffering,
/// because the kernel acts on each write.
enum CgroupFiles {
    /// O_CREAT changes nothing on cgroupfs, where every control file already exists, and lets
    /// the same code run against a plain directory standing in for a cgroup tree in tests.
    static func write(_ value: String, to path: String) throws(IsolationError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw IsolationError("Failed to open '\(path)': \(errnoText())") }
        defer { close(fd) }
        let ok = value.withCString { pointer in
            Glibc.write(fd, pointer, strlen(pointer)) >= 0
        }
        if !ok { throw IsolationError("Failed to write '\(value)' to '\(path)': \(errnoText())") }
    }

    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func mkdirs(_ path: String) throws(IsolationError) {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT, let slash = path.lastIndex(of: "/"), slash != path.startIndex else {
            throw IsolationError("Failed to create cgroup '\(path)': \(errnoText())")
        }
        try mkdirs(String(path[..<slash]))
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw IsolationError("Failed to create cgroup '\(path)': \(errnoText())")
        }
    }

    /// `key value` lines (cpu.stat, memory.stat, memory.events, memory.oom_control).
    static func keyValues(_ text: String?) -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        for line in (text ?? "").split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = UInt64(parts[1]) { out[String(parts[0])] = value }
        }
        return out
    }

    static func pids(_ text: String?) -> [pid_t] {
        (text ?? "").split(separator: "\n").compactMap { pid_t($0) }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

public struct IsolationError: Error, Sendable, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
