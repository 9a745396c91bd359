import Foundation
import ZooKeeper

/// The registry in ZooKeeper, one persistent znode per document under `path`, for masters that
/// fail over to each other. Every write is a multi-op that first checks the writer's own
/// candidacy znode: once a master's session has expired its candidacy is gone, so a master
/// that was paused and resumes can no longer write, whatever it believes.
public actor ZooKeeperRegistry: RegistryStore {
    /// Stay well under ZooKeeper's 1 MB request limit (`jute.maxbuffer`) per multi-op.
    static let requestBudget = 700_000
    static let documentLimit = 1_000_000

    let client: ZooKeeperClient
    let path: String
    let fence: String
    private var existing: Set<String> = []

    /// - Parameter fence: the full path of this master's candidacy znode.
    public init(client: ZooKeeperClient, path: String, fence: String) {
        self.client = client
        self.path = path
        self.fence = fence
    }

    public func read() async throws -> [String: Data] {
        try await client.ensurePath(path)
        // Every shard asked for at once: ZooKeeper answers a session's requests in order, so
        // the reads pipeline on the one connection instead of waiting a round trip each.
        let client = self.client
        let path = self.path
        let out = try await withThrowingTaskGroup(of: (String, Data).self) { group in
            for name in try await client.getChildren(path) {
                group.addTask { (name, Data(try await client.getData("\(path)/\(name)").0)) }
            }
            return try await group.reduce(into: [String: Data]()) { $0[$1.0] = $1.1 }
        }
        existing = Set(out.keys)
        return out
    }

    /// Fenced writes, in as few multi-ops as the request limit allows. A batch that needs more
    /// than one may be partly written when a later part fails; the master dies on that failure,
    /// and each document on its own is whole.
    public func write(_ documents: [String: Data]) async throws {
        for chunk in try chunks(documents) {
            try await writeRetrying(chunk)
            existing.formUnion(chunk.map(\.0))
        }
    }

    /// A lost connection says nothing about the session: the write is tried again (it replaces
    /// whole documents, so twice is the same as once) until it lands, is fenced, or the session
    /// is found expired. Meanwhile the master waits, and acts on nothing it asked to store.
    private func writeRetrying(_ chunk: [(String, Data)]) async throws {
        while true {
            do {
                try await client.multi(operations(chunk))
                return
            } catch ZooKeeperError.noNode {
                throw RegistryError.fenced(fence)
            } catch ZooKeeperError.nodeExists {
                // A create that landed before its reply was lost.
                existing.formUnion(chunk.map(\.0))
            } catch ZooKeeperError.connectionLoss {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    private func operations(_ chunk: [(String, Data)]) -> [ZooKeeperOp] {
        var ops: [ZooKeeperOp] = [.check(path: fence, version: -1)]
        for (name, data) in chunk {
            let znode = "\(path)/\(name)"
            ops.append(existing.contains(name)
                ? .setData(path: znode, data: Array(data), version: -1)
                : .create(path: znode, data: Array(data), mode: .persistent))
        }
        return ops
    }

    private func chunks(_ documents: [String: Data]) throws -> [[(String, Data)]] {
        var out: [[(String, Data)]] = [[]]
        var size = 0
        for (name, data) in documents.sorted(by: { $0.key < $1.key }) {
            if data.count > Self.documentLimit { throw RegistryError.tooLarge(name, bytes: data.count) }
            if size + data.count > Self.requestBudget, !out[out.count - 1].isEmpty {
                out.append([])
                size = 0
            }
            out[out.count - 1].append((name, data))
            size += data.count
        }
        return out
    }
}

public enum RegistryError: Error, CustomStringConvertible, Equatable {
    /// This master no longer holds the candidacy its writes are checked against.
    case fenced(String)
    case tooLarge(String, bytes: Int)

    public var description: String {
        switch self {
        case .fenced(let znode): "the registry write was fenced: candidacy \(znode) no longer exists"
        case .tooLarge(let name, let bytes): "registry document \(name) is \(bytes) bytes, over ZooKeeper's 1 MB limit"
        }
    }
}
