import Foundation
import MesosAPI

/// Mesos's leader election on ZooKeeper, as its tools read it: every master's candidacy is an
/// ephemeral sequential znode `json.info_<sequence>` under the `--zk` path, holding its
/// MasterInfo as JSON; the lowest sequence leads. Pure: which candidate leads, and how a
/// MasterInfo is written and read.
public enum Candidacy {
    public static let prefix = "json.info_"

    /// The leading candidate's znode name among `children`, if any. Sequences have ten digits, so
    /// comparing the numbers and comparing the names agree; other znodes are ignored.
    public static func leader(of children: [String]) -> String? {
        children.filter { $0.hasPrefix(prefix) }.min { sequence($0) < sequence($1) }
    }

    static func sequence(_ name: String) -> Int64 {
        Int64(name.dropFirst(prefix.count)) ?? .max
    }

    public static func encode(_ info: MasterInfo) -> [UInt8] {
        Array((try? WireCodec.encode(info)) ?? Data())
    }

    public static func decode(_ data: [UInt8]) -> MasterInfo? {
        try? WireCodec.decode(MasterInfo.self, from: Data(data))
    }

    /// `host:port` to reach a master at, from its MasterInfo.
    public static func address(of info: MasterInfo) -> String {
        let host = info.address?.ip ?? info.address?.hostname ?? info.hostname ?? "127.0.0.1"
        let port = info.address.map { Int($0.port) } ?? Int(info.port)
        return "\(host):\(port)"
    }
}
