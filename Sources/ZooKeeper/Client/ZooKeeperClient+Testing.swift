/// Hooks for tests that need a session to die without the server being told
/// (a crashed or partitioned process). `package` access keeps them out of
/// the public API while letting test targets in the same package use them.
extension ZooKeeperClient {
    /// Closes the socket without closeSession, as a crash would. With
    /// `blockingReconnect`, reconnection waits until `allowReconnect()`, so a
    /// test can let the server expire the session first.
    package func simulateConnectionLoss(blockingReconnect: Bool) {
        reconnectBlocked = blockingReconnect
        if case .connected(let connection) = state { connection.close() }
    }

    package func allowReconnect() {
        reconnectBlocked = false
    }
}
