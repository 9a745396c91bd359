import Foundation
import Logging
import MesosAPI
import ZooKeeper

/// What a contending master learns about the election.
public enum Leadership: Sendable, Equatable {
    /// This master leads.
    case leading
    /// Another master leads (nil: its candidacy is there but its info could not be read).
    case following(MasterInfo?)
    /// No candidacy at all (only while this master's own is being created).
    case noLeader
    /// This master's ZooKeeper session expired: its candidacy is gone, and it must stop acting.
    case sessionLost
}

/// One master's candidacy: creates its `json.info_` znode and follows the election until its
/// session ends. Owns its ZooKeeper client and that client's event stream.
public actor MasterContender {
    let client: ZooKeeperClient
    let path: String
    let info: MasterInfo
    let logger: Logger
    private(set) var candidacy: String?

    /// The full path of this master's candidacy znode, once created: what its registry writes
    /// are fenced on.
    public var candidacyPath: String? { candidacy.map { "\(path)/\($0)" } }

    public init(client: ZooKeeperClient, path: String, info: MasterInfo, logger: Logger) {
        self.client = client
        self.path = path
        self.info = info
        self.logger = logger
    }

    /// Election news, each change once, until `.sessionLost`.
    public func contend() async throws -> AsyncStream<Leadership> {
        try await client.ensurePath(path)
        let created = try await client.create("\(path)/\(Candidacy.prefix)", data: Candidacy.encode(info),
                                              mode: .ephemeralSequential)
        let name = String(created.split(separator: "/").last ?? "")
        candidacy = name
        logger.info("Contending for leadership as \(created)")
        let (stream, continuation) = AsyncStream<Leadership>.makeStream()
        let events = client.events
        Task {
            var last: Leadership?
            func publish(_ news: Leadership) {
                if news != last { continuation.yield(news) }
                last = news
            }
            if let news = await self.read(mine: name) { publish(news) }
            for await event in events {
                switch event {
                case .sessionExpired:
                    publish(.sessionLost)
                    continuation.finish()
                    return
                case .nodeChildrenChanged, .nodeDeleted, .nodeDataChanged, .reconnected:
                    if let news = await self.read(mine: name) { publish(news) }
                case .nodeCreated, .disconnected:
                    continue
                }
            }
            continuation.finish()
        }
        return stream
    }

    /// The election as it stands, setting the children watch again; nil when ZooKeeper could not
    /// be asked (a lost connection says nothing about who leads: the session's fate will).
    private func read(mine: String) async -> Leadership? {
        do {
            let children = try await client.getChildren(path, watch: true)
            guard let leader = Candidacy.leader(of: children) else { return .noLeader }
            if leader == mine { return .leading }
            let (data, _) = try await client.getData("\(path)/\(leader)", watch: true)
            return .following(Candidacy.decode(data))
        } catch ZooKeeperError.sessionExpired {
            return .sessionLost
        } catch {
            logger.warning("Failed to read the election at \(path): \(error)")
            return nil
        }
    }
}
