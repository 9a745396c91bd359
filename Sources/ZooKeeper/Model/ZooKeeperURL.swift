/// The `--zk` / `--master=zk://…` form Mesos uses:
/// `zk://[user:pass@]host1:port1,host2:port2/some/path`. The credentials are
/// accepted (so existing flags keep working) but ignored: this client does
/// not authenticate.
public struct ZooKeeperURL: Sendable, Equatable {
    /// Each entry is "host:port" (port filled in as 2181 when omitted).
    public var hosts: [String]
    /// The znode path under which the caller keeps its data; "/" if none.
    public var path: String

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var input: String
        public var reason: String
        public var description: String { "invalid ZooKeeper URL '\(input)': \(reason)" }
    }

    public init(hosts: [String], path: String) {
        self.hosts = hosts
        self.path = path
    }

    public init(parsing text: String) throws {
        func fail(_ reason: String) -> ParseError { ParseError(input: text, reason: reason) }
        var rest = Substring(text.trimmingWhitespace())
        if let schemeEnd = rest.firstRange(of: "://") {
            guard rest[..<schemeEnd.lowerBound].lowercased() == "zk" else {
                throw fail("scheme must be zk://")
            }
            rest = rest[schemeEnd.upperBound...]
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<slash]
        let rawPath = rest[slash...]
        if let at = authority.lastIndex(of: "@") {
            authority = authority[authority.index(after: at)...]
        }
        guard !authority.isEmpty else { throw fail("no hosts") }

        var hosts: [String] = []
        for entry in authority.split(separator: ",", omittingEmptySubsequences: false) {
            guard let hostPort = HostPort(parsing: String(entry)) else {
                throw fail("bad host entry '\(entry)'")
            }
            hosts.append(hostPort.description)
        }

        var path = String(rawPath)
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        if path.isEmpty { path = "/" }
        if path != "/", path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().contains(where: \.isEmpty) {
            throw fail("path '\(path)' has an empty component")
        }
        self.init(hosts: hosts, path: path)
    }
}
