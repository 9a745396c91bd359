import Foundation
import MesosAPI

/// How the registry is cut into documents. ZooKeeper refuses a znode over 1 MB, so per-agent
/// and per-framework records are spread over fixed shards by a stable hash of their ID: at
/// 40,000 agents an agent shard holds about 625 of them (some 200 KB). A change rewrites only
/// the shards it touched. The layout is pure; stores only keep named blobs.
public enum RegistryLayout {
    public static let agentShards = 64
    public static let frameworkShards = 16

    public enum Key: Hashable, Sendable, Comparable, CustomStringConvertible {
        /// Weights and quota.
        case roles
        /// The maintenance schedule and the machines that are down.
        case maintenance
        case agents(Int)
        case frameworks(Int)

        public var description: String {
            switch self {
            case .roles: "roles"
            case .maintenance: "maintenance"
            case .agents(let shard): "agents-" + String(format: "%02d", shard)
            case .frameworks(let shard): "frameworks-" + String(format: "%02d", shard)
            }
        }

        public init?(_ name: String) {
            if name == "roles" { self = .roles; return }
            if name == "maintenance" { self = .maintenance; return }
            let parts = name.split(separator: "-")
            guard parts.count == 2, let shard = Int(parts[1]) else { return nil }
            switch parts[0] {
            case "agents" where shard < RegistryLayout.agentShards: self = .agents(shard)
            case "frameworks" where shard < RegistryLayout.frameworkShards: self = .frameworks(shard)
            default: return nil
            }
        }

        public static func < (a: Key, b: Key) -> Bool { a.description < b.description }
    }

    public static func key(for agent: AgentID) -> Key { .agents(shard(agent.value, of: agentShards)) }
    public static func key(for framework: FrameworkID) -> Key { .frameworks(shard(framework.value, of: frameworkShards)) }

    /// FNV-1a: Swift's own hashing is seeded per process, and shards must agree across masters.
    static func shard(_ id: String, of count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int(hash % UInt64(count))
    }

    /// The named documents for `keys`, from `state`: one pass over each table, so a batch that
    /// touches many shards costs no more than one that touches all.
    public static func documents(of state: RegistryState, keys: Set<Key>) throws -> [String: Data] {
        var agentShards: [Int: AgentShard] = [:]
        var frameworkShards: [Int: [FrameworkInfo]] = [:]
        for key in keys {
            switch key {
            case .roles, .maintenance: continue
            case .agents(let shard): agentShards[shard] = AgentShard()
            case .frameworks(let shard): frameworkShards[shard] = []
            }
        }
        if !agentShards.isEmpty { AgentShard.fill(&agentShards, from: state) }
        if !frameworkShards.isEmpty {
            for (id, info) in state.frameworks.sorted(by: { $0.key < $1.key }) {
                frameworkShards[shard(id.value, of: RegistryLayout.frameworkShards)]?.append(info)
            }
        }
        var out: [String: Data] = [:]
        if keys.contains(.roles) {
            out[Key.roles.description] = try WireCodec.encode(
                RolesDocument(weights: state.weights, quotas: state.quotas.values.sorted { $0.role < $1.role }))
        }
        if keys.contains(.maintenance) {
            out[Key.maintenance.description] = try WireCodec.encode(state.maintenance)
        }
        for (shard, document) in agentShards { out[Key.agents(shard).description] = try WireCodec.encode(document) }
        for (shard, infos) in frameworkShards { out[Key.frameworks(shard).description] = try WireCodec.encode(infos) }
        return out
    }

    /// The registry from every stored document; names it does not know are skipped.
    public static func state(from documents: [String: Data]) throws -> RegistryState {
        var state = RegistryState()
        for (name, data) in documents {
            guard let key = Key(name) else { continue }
            switch key {
            case .roles:
                let roles = try WireCodec.decode(RolesDocument.self, from: data)
                state.weights = roles.weights
                for quota in roles.quotas { state.quotas[quota.role] = quota }
            case .maintenance:
                state.maintenance = try WireCodec.decode(MaintenanceState.self, from: data)
            case .agents:
                try WireCodec.decode(AgentShard.self, from: data).merge(into: &state)
            case .frameworks:
                for info in try WireCodec.decode([FrameworkInfo].self, from: data) {
                    if let id = info.id { state.frameworks[id] = info }
                }
            }
        }
        return state
    }
}

struct RolesDocument: Codable {
    var weights: [String: Double]
    var quotas: [QuotaConfig]
}

/// Everything the registry keeps about the agents of one shard.
struct AgentShard: Codable {
    struct Mark: Codable { var id: AgentID; var time: Double }
    struct Reserved: Codable { var id: AgentID; var resources: [Resource] }
    struct Drain: Codable { var id: AgentID; var record: DrainRecord }

    var admitted: [AgentInfo] = []
    var unreachable: [Mark] = []
    var gone: [Mark] = []
    var reservations: [Reserved] = []
    var drains: [Drain] = []

    /// Sorts every agent record into the shards present in `shards`.
    static func fill(_ shards: inout [Int: AgentShard], from state: RegistryState) {
        func shard(_ id: AgentID) -> Int { RegistryLayout.shard(id.value, of: RegistryLayout.agentShards) }
        for (id, info) in state.agents { shards[shard(id)]?.admitted.append(info) }
        for (id, time) in state.unreachable {
            shards[shard(id)]?.unreachable.append(Mark(id: id, time: time))
        }
        for (id, time) in state.gone { shards[shard(id)]?.gone.append(Mark(id: id, time: time)) }
        for (id, resources) in state.reservations {
            shards[shard(id)]?.reservations.append(Reserved(id: id, resources: resources))
        }
        for (id, record) in state.drains {
            shards[shard(id)]?.drains.append(Drain(id: id, record: record))
        }
        for key in shards.keys { shards[key]?.sort() }
    }

    /// ID order, so the same registry always writes the same bytes.
    mutating func sort() {
        admitted.sort { ($0.id?.value ?? "") < ($1.id?.value ?? "") }
        unreachable.sort { $0.id < $1.id }
        gone.sort { $0.id < $1.id }
        reservations.sort { $0.id < $1.id }
        drains.sort { $0.id < $1.id }
    }

    func merge(into state: inout RegistryState) {
        for info in admitted { if let id = info.id { state.agents[id] = info } }
        for mark in unreachable { state.unreachable[mark.id] = mark.time }
        for mark in gone { state.gone[mark.id] = mark.time }
        for reserved in reservations { state.reservations[reserved.id] = reserved.resources }
        for drain in drains { state.drains[drain.id] = drain.record }
    }
}
