import Foundation

/// A libprocess peer's name, `id@host:port` (Mesos calls it a UPID): the master is
/// `master@ip:port`, an agent `slave(1)@ip:port`, a driver something like
/// `scheduler-<uuid>@ip:port`. Messages go to `http://host:port/<id>/<message name>`.
public struct ProcessID: Hashable, Sendable, CustomStringConvertible {
    public var id: String
    public var host: String
    public var port: Int

    public init(id: String, host: String, port: Int) {
        self.id = id
        self.host = host
        self.port = port
    }

    /// Parses `id@host:port`; nil for anything else (an empty id, a port out of range).
    public init?(_ text: some StringProtocol) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let at = trimmed.lastIndex(of: "@"), let colon = trimmed.lastIndex(of: ":"), at < colon else { return nil }
        let id = String(trimmed[..<at]), host = String(trimmed[trimmed.index(after: at)..<colon])
        guard !id.isEmpty, !host.isEmpty, let port = Int(trimmed[trimmed.index(after: colon)...]),
              (1...65_535).contains(port) else { return nil }
        self.init(id: id, host: host, port: port)
    }

    public var description: String { "\(id)@\(host):\(port)" }
}

/// One libprocess message: the protobuf type's full name and its serialised bytes.
public struct LibprocessMessage: Sendable {
    public var name: String
    public var body: [UInt8]

    public init(name: String, body: [UInt8]) {
        self.name = name
        self.body = body
    }
}
