import Foundation

/// Runs the external archive tools. Their stderr goes to a temporary file rather than a pipe:
/// a pipe nobody drains while waiting can fill up and deadlock a chatty `tar`.
enum Tool {
    /// Finds `name` on `PATH` (plus the usual system directories, since the agent may run
    /// with a minimal environment).
    static func locate(_ name: String, preferring preferred: String? = nil) -> String? {
        let fm = FileManager.default
        if let preferred, fm.isExecutableFile(atPath: preferred) { return preferred }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/bin", "/usr/local/bin"]
        for directory in directories where !directory.isEmpty {
            let candidate = directory + "/" + name
            if fm.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `executable` to completion without blocking a thread while it works; a non-zero
    /// exit becomes a failure carrying the tool's own complaint.
    @concurrent
    static func run(
        _ executable: String, _ arguments: [String], standardOutputPath: String? = nil
    ) async throws(FetchFailure) {
        let fm = FileManager.default
        let name = (executable as NSString).lastPathComponent
        let errorPath = (NSTemporaryDirectory() as NSString)
            .appendingPathComponent("plinth-fetcher-\(UUID().uuidString).stderr")
        guard fm.createFile(atPath: errorPath, contents: nil),
              let errorHandle = FileHandle(forWritingAtPath: errorPath)
        else { throw FetchFailure("cannot create a temporary file for \(name)'s output") }
        defer {
            try? errorHandle.close()
            try? fm.removeItem(atPath: errorPath)
        }

        var outputHandle: FileHandle?
        if let standardOutputPath {
            guard fm.createFile(atPath: standardOutputPath, contents: nil),
                  let handle = FileHandle(forWritingAtPath: standardOutputPath)
            else { throw FetchFailure("cannot create '\(standardOutputPath)'") }
            outputHandle = handle
        }
        defer { try? outputHandle?.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outputHandle ?? FileHandle.nullDevice
        process.standardError = errorHandle

        let launch: Result<(Int32, Process.TerminationReason), FetchFailure> =
            await withCheckedContinuation { continuation in
                process.terminationHandler = { finished in
                    continuation.resume(returning: .success((finished.terminationStatus, finished.terminationReason)))
                }
                do {
                    try process.run()
                } catch {
                    process.terminationHandler = nil
                    continuation.resume(returning: .failure(FetchFailure("cannot run \(name): \(describe(error))")))
                }
            }
        let (status, reason) = try launch.get()
        guard reason == .exit, status == 0 else {
            let stderr = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            let trimmed = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            let how = reason == .exit ? "exited with status \(status)" : "was killed by signal \(status)"
            throw FetchFailure("\(name) \(how)" + (trimmed.isEmpty ? "" : ": \(trimmed)"))
        }
    }
}
