/// A parsed "host:port" entry. Kept separate from the public `String` form so
/// that `ZooKeeperURL.hosts` stays exactly what Mesos flags contain while the
/// client still gets a numeric port to dial.
struct HostPort: Sendable, Equatable, CustomStringConvertible {
    static let defaultPort = 2181

    var host: String
    var port: Int

    /// Accepts `host:port`, `[v6addr]:port`, and a bare host (ZooKeeper's
    /// default port, as ZooKeeper's own connect strings allow).
    init?(parsing text: String) {
        let text = text.trimmingWhitespace()
        guard !text.isEmpty else { return nil }
        var hostPart = Substring(text)
        var portPart: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portPart = rest.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            // More than one colon without brackets is an ambiguous IPv6 form.
            guard text.firstIndex(of: ":") == colon else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { return nil }
        self.host = String(hostPart)
        if let portPart {
            guard let port = Int(portPart), (1...65_535).contains(port) else { return nil }
            self.port = port
        } else {
            self.port = Self.defaultPort
        }
    }

    var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
