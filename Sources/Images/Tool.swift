import Foundation

/// Runs the external programs this module leans on (tar, cp, sha256sum).
///
/// Synchronous on purpose: callers are already off Swift's cooperative pool (see
/// `Blocking`), and a blocking wait is the simplest correct way to collect an exit status.
enum Tool {
    /// The program's absolute path, preferring `/usr/bin` (Debian's merged /usr) to `/bin`.
    static func path(_ name: String) -> String {
        if name.hasPrefix("/") { return name }
        for directory in ["/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/\(name)"
    }

    /// Runs `name` with `arguments`; returns its stdout, and on a non-zero exit throws with
    /// its stderr so that the failure says what the tool said.
    @discardableResult
    static func run(_ name: String, _ arguments: [String]) throws(ImageError) -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path(name))
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        let rendered = ([name] + arguments).joined(separator: " ")
        do {
            try process.run()
        } catch {
            throw ImageError("Failed to run '\(rendered)': \(error)")
        }
        // Drain stderr on another thread while this one drains stdout: reading one pipe to
        // its end while the other fills up would deadlock a chatty tool.
        let errorOutput = PipeReader(stderr.fileHandleForReading)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errorOutput.wait(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let status = process.terminationReason == .exit
                ? "exited with status \(process.terminationStatus)"
                : "was killed by signal \(process.terminationStatus)"
            throw ImageError("'\(rendered)' \(status)" + (errorText.isEmpty ? "" : ": \(errorText)"))
        }
        return output
    }
}

/// Reads a pipe to its end on a background thread.
private final class PipeReader: @unchecked Sendable {
    // Safe: `data` is written once by the reading thread before `done` is signalled, and read
    // only after waiting on `done`.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        DispatchQueue.global().async {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}

/// Moves blocking work (tar, cp, directory walks) onto a Dispatch thread, so that a long
/// layer extraction does not occupy one of the few threads of Swift's cooperative pool that
/// the agent's HTTP server and actors share.
enum Blocking {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws(ImageError) -> T) async throws(ImageError) -> T {
        let result: Result<T, ImageError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do throws(ImageError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
