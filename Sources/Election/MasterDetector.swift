import Foundation
import Logging
import MesosAPI
import ZooKeeper

/// Finds the leading master through ZooKeeper, as agents, `plinth execute` and Mesos's
/// drivers do: the lowest `json.info_` znode under the path, read again whenever the children
/// change.
public actor MasterDetector {
    let url: ZooKeeperURL
    let sessionTimeout: Duration
    var client: ZooKeeperClient
    let logger: Logger
    private var current: MasterInfo?
    private var waiters: [CheckedContinuation<MasterInfo, Never>] = []
    private var watchers: [UUID: AsyncStream<MasterInfo?>.Continuation] = [:]
    private var started = false

    public init(url: ZooKeeperURL, sessionTimeout: Duration = .seconds(10), logger: Logger) {
        self.url = url
        self.sessionTimeout = sessionTimeout
        self.client = ZooKeeperClient(hosts: url.hosts, sessionTimeout: sessionTimeout, logger: logger)
        self.logger = logger
    }

    /// Connects and keeps following the election (with a new session if one expires).
    public func start() async throws {
        guard !started else { return }
        do {
            try await client.connect()
        } catch {
            // A fresh client for the next attempt: a failed one may hold half a session.
            client = ZooKeeperClient(hosts: url.hosts, sessionTimeout: sessionTimeout, logger: logger)
            throw error
        }
        started = true
        await refresh()
        follow(client)
    }

    private func follow(_ session: ZooKeeperClient) {
        let events = session.events
        Task {
            for await event in events {
                switch event {
                case .nodeChildrenChanged, .nodeDeleted, .nodeDataChanged, .reconnected, .nodeCreated:
                    await self.refresh()
                case .sessionExpired:
                    await self.renew()
                    return
                case .disconnected:
                    continue
                }
            }
        }
    }

    /// The leader now, or nil while none is known.
    public func leader() -> MasterInfo? { current }

    /// The leader, waiting for one to be elected.
    public func awaitLeader() async -> MasterInfo {
        if let current { return current }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// Every change of leader (nil: none known), starting with the current one.
    public func changes() -> AsyncStream<MasterInfo?> {
        let (stream, continuation) = AsyncStream<MasterInfo?>.makeStream()
        let id = UUID()
        watchers[id] = continuation
        continuation.yield(current)
        continuation.onTermination = { _ in Task { await self.unwatch(id) } }
        return stream
    }

    private func unwatch(_ id: UUID) { watchers[id] = nil }

    private func refresh() async {
        var found: MasterInfo?
        do {
            let children = try await client.getChildren(url.path, watch: true)
            if let leader = Candidacy.leader(of: children) {
                let (data, _) = try await client.getData("\(url.path)/\(leader)", watch: true)
                found = Candidacy.decode(data)
            }
        } catch ZooKeeperError.noNode {
            // No master has contended yet: watch for the path to appear.
            _ = try? await client.exists(url.path, watch: true)
            if (try? await client.exists(url.path)) != nil { return await refresh() }
        } catch {
            logger.warning("Failed to read the masters at \(url.path): \(error)")
            return
        }
        publish(found)
    }

    private func publish(_ found: MasterInfo?) {
        guard found != current else { return }
        current = found
        if let found {
            logger.info("Leading master: \(Candidacy.address(of: found)) (\(found.id))")
            let resumed = waiters
            waiters = []
            resumed.forEach { $0.resume(returning: found) }
        } else {
            logger.warning("No leading master in ZooKeeper at \(url.path)")
        }
        for watcher in watchers.values { watcher.yield(found) }
    }

    /// A detector outlives sessions: an expired one is replaced by a new client.
    private func renew() async {
        logger.warning("ZooKeeper session expired; reconnecting")
        while true {
            let fresh = ZooKeeperClient(hosts: url.hosts, sessionTimeout: sessionTimeout, logger: logger)
            do {
                try await fresh.connect()
                client = fresh
                await refresh()
                follow(fresh)
                return
            } catch {
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
