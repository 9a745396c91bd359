import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MesosAPI

/// One line of the agent's checkpoint log: what a checkpointing framework has on this agent.
/// A flat record with a kind, so the file stays readable with `jq` and old lines keep decoding
/// when a field is added.
struct StateRecord: Codable, Sendable, Equatable {
    enum Kind: String, Codable, Sendable {
        /// A framework's info, written before its first task here and whenever it changes.
        case framework
        /// A task, before anything of it starts.
        case task
        /// A custom executor (`executor` set) or the built-in default executor of a task group.
        case executor
        /// The first process of a container, right after it was spawned.
        case process
        /// A status update, before it leaves the agent.
        case update
        /// The framework acknowledged `uuid`.
        case ack
        /// The task is over and acknowledged: nothing of it needs recovering.
        case forgetTask
        case forgetExecutor
        case forgetFramework
    }

    var kind: Kind
    var frameworkInfo: FrameworkInfo?
    var frameworkId: FrameworkID?
    var task: TaskInfo?
    var taskId: TaskID?
    var executor: ExecutorInfo?
    var executorId: ExecutorID?
    var containerId: ContainerID?
    var sandbox: String?
    var taskGroup: String?
    /// A task's state when the log was compacted (its acknowledged updates are gone from it).
    var state: TaskState?
    var process: ProcessIdentity?
    var status: TaskStatus?
    var uuid: String?
    /// A native executor's libprocess name (on an `executor` record).
    var libprocessPID: String?

    init(kind: Kind, frameworkId: FrameworkID? = nil) {
        self.kind = kind
        self.frameworkId = frameworkId
    }
}

/// The checkpoint log, `meta/slaves/<agent id>/state.log`: JSON lines, appended with a plain
/// `write` at the moment of each change. A `write` is in the kernel's page cache when it
/// returns, so it survives a crash of the agent; `sync` (fdatasync) runs before anything the
/// change caused leaves the agent, so what the master or an executor was told survives a crash
/// of the machine too. A torn last line (the machine died mid-write) is ignored when read.
final class StateLog: @unchecked Sendable {
    let path: String
    private var fd: Int32
    private var dirty = false
    /// Lines appended since the log was last rewritten.
    private(set) var appended = 0

    init(path: String) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        if fd < 0 { throw StateLogError("Failed to open \(path): \(String(cString: strerror(errno)))") }
    }

    deinit { Glibc.close(fd) }

    func append(_ record: StateRecord) {
        guard var line = try? WireCodec.encode(record) else { return }
        line.append(0x0A)
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue } else { return } }
                offset += n
            }
        }
        dirty = true
        appended += 1
    }

    /// Makes everything appended so far durable.
    func sync() {
        guard dirty else { return }
        fdatasync(fd)
        dirty = false
    }

    /// Replaces the log with `records` (the live state): written to a temporary file, synced,
    /// renamed over the log, so a crash leaves the old log or the new one.
    func rewrite(_ records: [StateRecord]) throws {
        let temporary = path + ".tmp"
        var data = Data()
        for record in records {
            data.append(try WireCodec.encode(record))
            data.append(0x0A)
        }
        let out = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if out < 0 { throw StateLogError("Failed to write \(temporary): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { Glibc.write(out, $0.baseAddress, $0.count) }
        fdatasync(out)
        Glibc.close(out)
        guard written == data.count, rename(temporary, path) == 0 else {
            throw StateLogError("Failed to replace \(path)")
        }
        let reopened = Glibc.open(path, O_WRONLY | O_APPEND | O_CLOEXEC, 0o600)
        if reopened < 0 { throw StateLogError("Failed to reopen \(path)") }
        Glibc.close(fd)
        fd = reopened
        dirty = false
        appended = 0
    }

    /// Every complete record in the log, in order. Reading stops at the first line that does not
    /// decode (the torn tail of a crash), so nothing after a damaged write is trusted.
    static func read(_ path: String) -> [StateRecord] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var records: [StateRecord] = []
        var start = data.startIndex
        while let newline = data[start...].firstIndex(of: 0x0A) {
            guard let record = try? WireCodec.decode(StateRecord.self, from: data[start..<newline]) else { break }
            records.append(record)
            start = data.index(after: newline)
        }
        return records
    }
}

struct StateLogError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
