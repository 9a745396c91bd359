import Foundation
import Logging

/// `--log_dir`: the log goes to standard output as always, and is appended to a file as well,
/// which the master's file API serves as `/master/log`.
enum LogFile {
    static func logger(label: String, file: String?) throws -> Logger {
        guard let file else { return Logger(label: label) }
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let sink = try Sink(path: file)
        return Logger(label: label) { label in
            MultiplexLogHandler([StreamLogHandler.standardOutput(label: label), FileLogHandler(label: label, sink: sink)])
        }
    }

    /// An append-only descriptor: each line is one write(2), so concurrent writers never interleave
    /// within a line and no lock is needed.
    final class Sink: Sendable {
        let fd: Int32

        init(path: String) throws {
            fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            if fd < 0 { throw CLIError("Cannot open the log file \(path): \(String(cString: strerror(errno)))") }
        }

        func write(_ line: String) {
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBytes { _ = Glibc.write(fd, $0.baseAddress, $0.count) }
        }

        deinit { close(fd) }
    }

    struct FileLogHandler: LogHandler {
        let label: String
        let sink: Sink
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let context = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            sink.write("\(Date().formatted(.iso8601)) \(event.level) \(label):\(context) \(event.message)\n")
        }
    }
}
