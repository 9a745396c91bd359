#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What to run: Mesos `CommandInfo` semantics (`shell: true` vs `shell: false`).
public enum SpawnCommand: Sendable, Hashable {
    /// Run through `/bin/sh -c`, so pipes, `&` and `trap` work as the user wrote them.
    case shell(String)
    /// Exec `path` directly with `arguments` as the full argv (argv[0] included, as in
    /// Mesos); an empty array means `[path]`. A path without a slash is looked up in the
    /// agent's own `PATH` (glibc `posix_spawnp` ignores the child's environment here).
    case executable(path: String, arguments: [String])
}

/// Everything needed to start one task process.
public struct SpawnRequest: Sendable {
    public var command: SpawnCommand
    /// The complete child environment: nothing of the agent's is inherited.
    public var environment: [String: String]
    /// `nil` keeps the agent's cwd. Applied after the output files are opened, so
    /// relative output paths resolve against the agent's cwd, not the sandbox.
    public var workingDirectory: String?
    public var stdoutPath: String
    public var stderrPath: String

    public init(command: SpawnCommand, environment: [String: String] = [:],
                workingDirectory: String? = nil,
                stdoutPath: String = "/dev/null", stderrPath: String = "/dev/null") {
        self.command = command
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
    }
}

/// A failed spawn. glibc reports exec, chdir and open failures of the child through
/// `posix_spawn`'s return value, so "not found" surfaces here rather than as exit 127.
public struct SpawnError: Error, Sendable, CustomStringConvertible {
    public let errno: Int32
    public let operation: String
    public let path: String

    public var description: String {
        "\(operation) '\(path)' failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Starts task processes with `posix_spawn` rather than `Foundation.Process`, because we
/// need a new process group (so `killpg` reaches the whole task tree), a clean signal
/// state, and full control over who reaps the child.
public struct ProcessSpawner: Sendable {
    public init() {}

    /// Returns the pid, which is also the pgid of the task's new process group.
    /// The caller owns the child and must reap it (see `waitForExit(pid:)`).
    public func spawn(_ request: SpawnRequest) throws(SpawnError) -> pid_t {
        let (path, argv): (String, [String])
        switch request.command {
        case .shell(let cmd):
            (path, argv) = ("/bin/sh", ["sh", "-c", cmd])
        case .executable(let exe, let args):
            (path, argv) = (exe, args.isEmpty ? [exe] : args)
        }
        let env = request.environment.map { "\($0.key)=\($0.value)" }

        var actions = posix_spawn_file_actions_t()
        var attr = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attr)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attr)
        }

        func check(_ rc: Int32, _ op: String, _ p: String) throws(SpawnError) {
            if rc != 0 { throw SpawnError(errno: rc, operation: op, path: p) }
        }
        let out = O_WRONLY | O_CREAT | O_APPEND
        // No O_CLOEXEC: glibc may open straight onto fd 0/1/2, and exec would close it.
        try check(posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0),
                  "addopen", "/dev/null")
        try check(posix_spawn_file_actions_addopen(&actions, 1, request.stdoutPath, out, 0o644),
                  "addopen", request.stdoutPath)
        try check(posix_spawn_file_actions_addopen(&actions, 2, request.stderrPath, out, 0o644),
                  "addopen", request.stderrPath)
        if let dir = request.workingDirectory {
            guard let addchdir = SpawnExtensions.addchdir else {
                throw SpawnError(errno: ENOSYS, operation: "posix_spawn_file_actions_addchdir_np", path: dir)
            }
            try check(addchdir(&actions, dir), "addchdir", dir)
        }
        // Best effort: keeps agent sockets and other tasks' pipes that lack CLOEXEC
        // from leaking into (and being held open by) this task.
        if let closefrom = SpawnExtensions.addclosefrom {
            _ = closefrom(&actions, 3)
        }

        var allSignals = sigset_t()
        var noSignals = sigset_t()
        sigfillset(&allSignals)
        sigemptyset(&noSignals)
        // Ignored dispositions (Swift runtimes ignore SIGPIPE) and blocked masks survive
        // exec; a task must start with the defaults a shell would give it.
        try check(posix_spawnattr_setsigdefault(&attr, &allSignals), "setsigdefault", path)
        try check(posix_spawnattr_setsigmask(&attr, &noSignals), "setsigmask", path)
        try check(posix_spawnattr_setpgroup(&attr, 0), "setpgroup", path)
        let flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        try check(posix_spawnattr_setflags(&attr, Int16(flags)), "setflags", path)

        var pid: pid_t = 0
        let rc = withCStringArray(argv) { cArgv in
            withCStringArray(env) { cEnv in
                path.contains("/")
                    ? posix_spawn(&pid, path, &actions, &attr, cArgv, cEnv)
                    : posix_spawnp(&pid, path, &actions, &attr, cArgv, cEnv)
            }
        }
        try check(rc, "posix_spawn", path)
        return pid
    }
}

/// GNU extensions the Swift Glibc module hides (it is imported without `_GNU_SOURCE`),
/// looked up once at runtime instead of adding a C target.
private enum SpawnExtensions {
    typealias AddChdir = @convention(c) (
        UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32
    typealias AddClosefrom = @convention(c) (
        UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    static let addchdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")
    static let addclosefrom: AddClosefrom? = symbol("posix_spawn_file_actions_addclosefrom_np")

    private static func symbol<T>(_ name: String) -> T? {
        dlsym(dlopen(nil, RTLD_NOW), name).map { unsafeBitCast($0, to: T.self) }
    }
}

/// NULL-terminated `char *const[]` for argv/envp, freed when `body` returns.
private func withCStringArray<R>(
    _ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R
) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return body(pointers)
}
