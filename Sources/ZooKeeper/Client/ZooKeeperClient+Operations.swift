import NIOCore

/// The znode operations. Each is one request/reply; errors map to
/// `ZooKeeperError` so callers can branch on the expected cases.
extension ZooKeeperClient {
    /// Returns the created path, which for sequential modes carries the
    /// server-assigned 10-digit suffix.
    public func create(_ path: String, data: [UInt8] = [], mode: CreateMode = .persistent) async throws -> String {
        var body = try await submit(.create) {
            $0.writeCreateRequest(path: path, data: data, mode: mode)
        }.payload()
        return try body.readJuteString()
    }

    /// Idempotent, so concurrent callers (or another process) creating the
    /// same ancestors is harmless.
    public func ensurePath(_ path: String) async throws {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            do {
                _ = try await create(prefix)
            } catch ZooKeeperError.nodeExists {
                continue
            }
        }
    }

    public func getData(_ path: String, watch: Bool = false) async throws -> ([UInt8], Stat) {
        var body = try await submit(.getData) { $0.writePathWatch(path: path, watch: watch) }.payload()
        let data = try body.readJuteBuffer()
        return (data, try Stat(jute: &body))
    }

    /// `version` -1 means "whatever the current version is".
    public func setData(_ path: String, data: [UInt8], version: Int32 = -1) async throws -> Stat {
        var body = try await submit(.setData) {
            $0.writeSetDataRequest(path: path, data: data, version: version)
        }.payload()
        return try Stat(jute: &body)
    }

    /// A missing node is an answer, not an error; with `watch` the server
    /// then reports its creation as `.nodeCreated`.
    public func exists(_ path: String, watch: Bool = false) async throws -> Stat? {
        let reply = try await submit(.exists) { $0.writePathWatch(path: path, watch: watch) }
        if ZooKeeperError(code: reply.err) == .noNode { return nil }
        var body = try reply.payload()
        return try Stat(jute: &body)
    }

    /// Names only (not full paths), in the server's (unspecified) order.
    public func getChildren(_ path: String, watch: Bool = false) async throws -> [String] {
        var body = try await submit(.getChildren) { $0.writePathWatch(path: path, watch: watch) }.payload()
        return try body.readJuteStringVector()
    }

    public func delete(_ path: String, version: Int32 = -1) async throws {
        _ = try await submit(.delete) { $0.writePathVersion(path: path, version: version) }.payload()
    }

    /// All or nothing. On failure throws the error of the op that caused it.
    public func multi(_ ops: [ZooKeeperOp]) async throws {
        guard !ops.isEmpty else { return }
        var body = try await submit(.multi) { Multi.writeRequest(ops, to: &$0) }.payload()
        if let code = try Multi.firstError(in: &body) {
            throw ZooKeeperError(code: code)
        }
    }
}
