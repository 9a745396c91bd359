import Foundation
import ToolRunner

/// Runs the external programs this module leans on (tar, cp, sha256sum).
///
/// Synchronous on purpose: callers are already off Swift's cooperative pool (see `Blocking`).
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
        let rendered = ([name] + arguments).joined(separator: " ")
        let result: ToolRunner.Result
        do {
            result = try ToolRunner.run(path(name), arguments)
        } catch {
            throw ImageError("Failed to run '\(rendered)': \(error)")
        }
        guard result.succeeded else {
            throw ImageError("'\(rendered)' \(result.outcome)" + (result.standardError.isEmpty ? "" : ": \(result.standardError)"))
        }
        return result.standardOutput
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
