import Foundation

/// Places the resources a task asks for into its sandbox before the task starts, with an
/// agent-wide cache shared by all tasks (see Mesos's `docs/fetcher.md`).
///
/// The actor only coordinates: cache bookkeeping and the joining of concurrent downloads of
/// the same cached URI happen under its isolation, while copying, downloading and unpacking
/// run in `@concurrent` functions, so one task's large download does not hold up another's.
public actor Fetcher {
    private let config: FetcherConfig
    private var cache: FetchCache
    /// Downloads into the cache that are under way, with the number of fetches waiting for
    /// each, so a URI requested by many tasks at once is downloaded only once.
    private var inFlight: [String: (task: Task<FetchCache.Lease, any Error>, waiters: Int)] = [:]

    /// How many times a source was actually copied or downloaded (cache hits excluded).
    public private(set) var downloads = 0
    /// How many cached fetches were served from a file already in the cache.
    public private(set) var cacheHits = 0

    /// Deletes cache files left by an earlier run: their bookkeeping lived in memory and is
    /// gone, so they could never be found or evicted again.
    public init(config: FetcherConfig) {
        self.config = config
        self.cache = FetchCache(directory: config.cacheDirectory, capacity: config.cacheSizeBytes)
        let fm = FileManager.default
        if let names = try? fm.contentsOfDirectory(atPath: config.cacheDirectory) {
            for name in names where FetchCache.isCacheFileName(name) {
                try? fm.removeItem(atPath: config.cacheDirectory + "/" + name)
            }
        }
    }

    /// Bytes currently held in the cache.
    public var cachedBytes: UInt64 { cache.totalSize }

    /// Fetches every URI into `sandbox`, in order, stopping at the first failure; the sandbox
    /// may then hold the output of the URIs before it. When `owner` is given, the sandbox and
    /// everything in it is chowned to that uid and gid afterwards (also after a failure), as
    /// Mesos hands a task's sandbox to the task's user.
    public func fetch(
        _ uris: [FetchURI], into sandbox: String, owner: (uid: UInt32, gid: UInt32)? = nil
    ) async throws(FetchError) {
        var failure: FetchError?
        for uri in uris {
            do {
                try await fetchOne(uri, into: sandbox, uid: owner?.uid)
            } catch {
                failure = FetchError(uri: uri.value, message: error.message)
                break
            }
        }
        if let owner {
            do {
                try await Ownership.chownRecursively(sandbox, uid: owner.uid, gid: owner.gid)
            } catch {
                if failure == nil {
                    failure = FetchError(uri: uris.last?.value ?? sandbox, message: error.message)
                }
            }
        }
        if let failure { throw failure }
    }

    private func fetchOne(_ uri: FetchURI, into sandbox: String, uid: UInt32?) async throws(FetchFailure) {
        let source = try FetchSource(parsing: uri.value)
        let destination = try destinationPath(for: uri, source: source, sandbox: sandbox)
        if uri.cache {
            let lease = try await cachedFile(for: uri.value, source: source, uid: uid)
            do {
                try await Self.copyOut(lease.path, to: destination)
            } catch {
                release(lease)
                throw error
            }
            release(lease)
        } else {
            try await Download.transfer(source, to: destination, stallTimeout: config.stallTimeout)
            downloads += 1
        }
        try await Self.finish(uri, at: destination, sandbox: sandbox)
    }

    /// Returns a lease on the cached copy of `value`, downloading it first unless it is cached
    /// or another fetch is already downloading it.
    private func cachedFile(
        for value: String, source: FetchSource, uid: UInt32?
    ) async throws(FetchFailure) -> FetchCache.Lease {
        let key = FetchCache.key(uri: value, uid: uid)
        if let lease = cache.checkout(key) {
            cacheHits += 1
            return lease
        }
        let task: Task<FetchCache.Lease, any Error>
        if let flight = inFlight[key] {
            inFlight[key] = (flight.task, flight.waiters + 1)
            task = flight.task
        } else {
            // The task inherits this actor's isolation; it cannot start before this method's
            // next suspension, by which time `inFlight` already records it.
            task = Task { try await self.downloadIntoCache(key: key, source: source) }
            inFlight[key] = (task, 1)
        }
        do {
            return try await task.value
        } catch let failure as FetchFailure {
            throw failure
        } catch {
            throw FetchFailure(describe(error))
        }
    }

    private func downloadIntoCache(key: String, source: FetchSource) async throws -> FetchCache.Lease {
        let partial = cache.partialPath(for: key)
        do {
            try await Download.transfer(source, to: partial, stallTimeout: config.stallTimeout)
        } catch {
            inFlight[key] = nil
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
        downloads += 1
        let waiters = inFlight.removeValue(forKey: key)?.waiters ?? 1
        let size = (try? FileManager.default.attributesOfItem(atPath: partial)[.size] as? NSNumber)?
            .map { $0.uint64Value } ?? 0

        switch cache.admit(key, partialPath: partial, size: size, pins: waiters) {
        case .cached(let path, let evicted):
            for file in evicted { try? FileManager.default.removeItem(atPath: file) }
            do {
                try Download.removeIfPresent(path)
                try FileManager.default.moveItem(atPath: partial, toPath: path)
                return FetchCache.Lease(key: key, path: path, isTransient: false)
            } catch {
                cache.demote(key, partialPath: partial)
                return FetchCache.Lease(key: key, path: partial, isTransient: true)
            }
        case .transient:
            return FetchCache.Lease(key: key, path: partial, isTransient: true)
        }
    }

    private func release(_ lease: FetchCache.Lease) {
        if let doomed = cache.release(lease) {
            try? FileManager.default.removeItem(atPath: doomed)
        }
    }

    @concurrent
    private static func copyOut(_ cached: String, to destination: String) async throws(FetchFailure) {
        try Download.prepareDestination(destination)
        try Download.copyLocal(from: cached, to: destination)
    }

    /// Applies `executable` and `extract` once the file is in the sandbox. An executable is
    /// never unpacked: Mesos treats the flag as "this file is the program".
    @concurrent
    private static func finish(_ uri: FetchURI, at destination: String, sandbox: String) async throws(FetchFailure) {
        if uri.executable {
            try Ownership.makeExecutable(destination)
        } else if uri.extract, let kind = Extraction.kind(ofFileNamed: destination) {
            try await Extraction.extract(destination, kind: kind, into: sandbox)
        }
    }
}
