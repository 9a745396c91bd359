import Foundation
import ToolRunner

/// Finds and runs the external archive tools.
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

    /// Runs `executable` to completion off the cooperative pool; a non-zero exit becomes a
    /// failure carrying the tool's own complaint.
    static func run(
        _ executable: String, _ arguments: [String], standardOutputPath: String? = nil
    ) async throws(FetchFailure) {
        let name = (executable as NSString).lastPathComponent
        let result: ToolRunner.Result
        do {
            result = try await ToolRunner.runDetached(executable, arguments, standardOutputPath: standardOutputPath)
        } catch {
            throw FetchFailure("\(error)")
        }
        guard result.succeeded else {
            throw FetchFailure("\(name) \(result.outcome)" + (result.standardError.isEmpty ? "" : ": \(result.standardError)"))
        }
    }
}
