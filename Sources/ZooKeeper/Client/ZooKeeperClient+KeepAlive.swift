import NIOCore

/// Keeping the session alive on a healthy connection, and noticing an
/// unhealthy one before the server gives up on us.
extension ZooKeeperClient {
    /// Checked often relative to the ping period so a ping goes out soon
    /// after the connection has been idle for a third of the timeout.
    func keepAliveCheckInterval(generation current: UInt64) -> Duration? {
        guard current == generation else { return nil }
        return max(credentials.timeout / 10, .milliseconds(20))
    }

    /// Pings after timeout/3 of idleness and gives up on a connection that
    /// has been silent for 2/3 of the timeout (as ZooKeeper's own client
    /// does), which leaves a third of the timeout to resume elsewhere.
    func keepAlive(generation current: UInt64) -> Bool {
        guard current == generation, case .connected(let connection) = state else { return false }
        let now = ContinuousClock.now
        if now - lastReceived > credentials.timeout * 2 / 3 {
            logger.warning("ZooKeeper server \(connection.server) silent too long; dropping connection")
            connectionEnded(generation: current)
            return false
        }
        if now - lastSent >= credentials.timeout / 3 {
            lastSent = now
            connection.send(makeFrame { RequestHeader(xid: SpecialXid.ping, opCode: .ping).write(to: &$0) })
        }
        return true
    }
}

extension Duration {
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
