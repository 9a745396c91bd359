/// `FrameworkInfo`, `MasterInfo`, `AgentInfo` and the address messages.
public struct FrameworkInfo: Codable, Hashable, Sendable {
    public struct Capability: Codable, Hashable, Sendable {
        /// Kept as a string so a capability this build does not know is carried, not rejected.
        public var type: String
        public init(type: String) { self.type = type }
    }

    public var user: String
    public var name: String
    public var id: FrameworkID?
    public var failoverTimeout: Double?
    public var checkpoint: Bool?
    public var role: String?
    public var roles: [String]?
    public var hostname: String?
    public var principal: String?
    public var webuiUrl: String?
    public var capabilities: [Capability]?
    public var labels: Labels?

    public init(user: String, name: String, id: FrameworkID? = nil, failoverTimeout: Double? = nil,
                capabilities: [Capability]? = nil) {
        self.user = user; self.name = name; self.id = id
        self.failoverTimeout = failoverTimeout; self.capabilities = capabilities
    }

    public func hasCapability(_ type: String) -> Bool {
        capabilities?.contains { $0.type == type } ?? false
    }

    public var isPartitionAware: Bool { hasCapability("PARTITION_AWARE") }

    enum CodingKeys: String, CodingKey {
        case user
        case name
        case id
        case failoverTimeout = "failover_timeout"
        case checkpoint
        case role
        case roles
        case hostname
        case principal
        case webuiUrl = "webui_url"
        case capabilities
        case labels
    }
}

public struct Address: Codable, Hashable, Sendable {
    public var hostname: String?
    public var ip: String?
    public var port: Int32
    public init(hostname: String?, ip: String?, port: Int32) {
        self.hostname = hostname; self.ip = ip; self.port = port
    }
}

public struct MasterInfo: Codable, Hashable, Sendable {
    public struct Capability: Codable, Hashable, Sendable {
        public var type: String
        public init(type: String) { self.type = type }
    }

    public var id: String
    /// IPv4 `s_addr` in network byte order read as a host integer, as Mesos writes it.
    public var ip: UInt32
    public var port: UInt32
    public var pid: String?
    public var hostname: String?
    public var version: String?
    public var address: Address?
    public var capabilities: [Capability]?

    public init(id: String, ip: String, port: Int, hostname: String, version: String) {
        self.id = id
        self.ip = MasterInfo.packedIPv4(ip)
        self.port = UInt32(port)
        self.pid = "master@\(ip):\(port)"
        self.hostname = hostname
        self.version = version
        self.address = Address(hostname: hostname, ip: ip, port: Int32(port))
        self.capabilities = ["AGENT_UPDATE", "AGENT_DRAINING", "QUOTA_V2"].map { Capability(type: $0) }
    }

    static func packedIPv4(_ ip: String) -> UInt32 {
        let parts = ip.split(separator: ".").compactMap { UInt32($0) }
        guard parts.count == 4 else { return 0 }
        return parts[0] | parts[1] << 8 | parts[2] << 16 | parts[3] << 24
    }
}

public struct AgentInfo: Codable, Hashable, Sendable {
    public var hostname: String
    public var port: Int32?
    public var resources: [Resource]?
    public var attributes: [Attribute]?
    public var id: AgentID?
    public init(hostname: String, port: Int32?, resources: [Resource]?, attributes: [Attribute]?, id: AgentID?) {
        self.hostname = hostname; self.port = port; self.resources = resources
        self.attributes = attributes; self.id = id
    }
}

public struct MesosURL: Codable, Hashable, Sendable {
    public var scheme: String
    public var address: Address
    public var path: String?
    public init(scheme: String, address: Address, path: String?) {
        self.scheme = scheme; self.address = address; self.path = path
    }
}
