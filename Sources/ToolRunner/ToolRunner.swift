import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the external programs the fetcher and the image store lean on (tar, unzip, cp, ...):
/// `posix_spawn` and a `waitpid` for that one pid. Foundation's `Process` waits through its own
/// monitoring machinery, which cost about 50 ms per process here; these tools run once per
/// layer or archive, so that was most of the time a small fetch or pull took.
public enum ToolRunner {
    public struct Result: Sendable {
        /// The raw wait status.
        public let waitStatus: Int32
        public let standardOutput: Data
        public let standardError: String

        public var succeeded: Bool { waitStatus == 0 }

        /// "exited with status N" or "was killed by signal N".
        public var outcome: String {
            let signal = waitStatus & 0x7f
            return signal == 0 ? "exited with status \((waitStatus >> 8) & 0xff)" : "was killed by signal \(signal)"
        }
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Blocking. Output goes to temporary files, not pipes, so a chatty tool can never fill a
    /// pipe nobody drains; `standardOutputPath` sends stdout to a file the caller keeps instead.
    public static func run(_ executable: String, _ arguments: [String],
                           standardOutputPath: String? = nil) throws(Failure) -> Result {
        let scratch = NSTemporaryDirectory() + "plinth-tool-\(UUID().uuidString)"
        let outPath = standardOutputPath ?? scratch + ".out"
        let errPath = scratch + ".err"
        defer {
            if standardOutputPath == nil { unlink(outPath) }
            unlink(errPath)
        }
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        let output = O_WRONLY | O_CREAT | O_TRUNC
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, output, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, output, 0o600)
        // Signals ignored or blocked here (Swift ignores SIGPIPE) must not leak into the tool.
        var all = sigset_t()
        var none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else {
            throw Failure(description: "cannot run \(executable): \(String(cString: strerror(rc)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw Failure(description: "cannot wait for \(executable): \(String(cString: strerror(errno)))") }
        }
        let stdout = standardOutputPath == nil ? (FileManager.default.contents(atPath: outPath) ?? Data()) : Data()
        let stderr = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return Result(waitStatus: status, standardOutput: stdout, standardError: stderr)
    }

    /// The same on a Dispatch thread, so a long extraction never holds one of the few threads
    /// of Swift's cooperative pool.
    public static func runDetached(_ executable: String, _ arguments: [String],
                                   standardOutputPath: String? = nil) async throws(Failure) -> Result {
        let result: Swift.Result<Result, Failure> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do throws(Failure) {
                    continuation.resume(returning: .success(try run(executable, arguments,
                                                                    standardOutputPath: standardOutputPath)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
