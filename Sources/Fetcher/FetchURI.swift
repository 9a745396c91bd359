/// One resource to place in a task's sandbox, mirroring `CommandInfo.URI` in Mesos's
/// `mesos.proto` so the agent can translate the wire message field by field.
public struct FetchURI: Sendable, Hashable {
    /// A local absolute path, a `file://` URL, or an `http://` / `https://` URL.
    public var value: String
    /// Marks the fetched file as a program (mode 0755); archives fetched this way are left
    /// packed, because a framework asking for an executable wants the file itself.
    public var executable: Bool
    /// Unpacks recognised archives into the sandbox. Defaults to `true` as in Mesos, where
    /// frameworks rely on tarballs being expanded without asking.
    public var extract: Bool
    /// Keeps a copy in the agent-wide cache so later tasks need not download it again.
    public var cache: Bool
    /// Name of the file inside the sandbox, relative to it; when `nil` the last path
    /// component of `value` is used.
    public var outputFile: String?

    public init(
        value: String,
        executable: Bool = false,
        extract: Bool = true,
        cache: Bool = false,
        outputFile: String? = nil
    ) {
        self.value = value
        self.executable = executable
        self.extract = extract
        self.cache = cache
        self.outputFile = outputFile
    }
}

/// Agent-wide settings, named after the Mesos agent flags they stand for.
public struct FetcherConfig: Sendable {
    /// `--fetcher_cache_dir`. The fetcher owns this directory: cache files it finds there at
    /// start-up are left over from an earlier run and are deleted, as Mesos does.
    public var cacheDirectory: String
    /// `--fetcher_cache_size`; Mesos defaults it to 2 GB.
    public var cacheSizeBytes: UInt64
    /// `--fetcher_stall_timeout`: an HTTP transfer that receives nothing for this many
    /// seconds is abandoned, so a dead server cannot hold a task in staging forever.
    public var stallTimeout: Double

    public static let defaultCacheSizeBytes: UInt64 = 2 * 1024 * 1024 * 1024

    public init(
        cacheDirectory: String,
        cacheSizeBytes: UInt64 = FetcherConfig.defaultCacheSizeBytes,
        stallTimeout: Double = 60
    ) {
        self.cacheDirectory = cacheDirectory
        self.cacheSizeBytes = cacheSizeBytes
        self.stallTimeout = stallTimeout
    }
}

/// Why one URI could not be fetched. The agent reports `description` in the task's
/// failure status, so it names the URI the framework asked for, not internal paths alone.
public struct FetchError: Error, Sendable, CustomStringConvertible {
    public let uri: String
    public let message: String

    public init(uri: String, message: String) {
        self.uri = uri
        self.message = message
    }

    public var description: String { "Failed to fetch '\(uri)': \(message)" }
}
