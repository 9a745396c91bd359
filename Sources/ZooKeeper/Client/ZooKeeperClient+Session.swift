import Logging
import NIOCore

/// Session lifecycle: first connect, keep-alive, reconnect, expiry, close.
extension ZooKeeperClient {
    enum AttemptOutcome {
        case connected(Connection, ConnectResponse)
        case expired
        case timedOut
        case aborted
    }

    /// Concurrent callers share one attempt. Fails with `.connectionLoss` if
    /// no host answered within the session timeout; calling again retries.
    public func connect() async throws {
        switch state {
        case .connected, .reconnecting: return
        case .expired: throw ZooKeeperError.sessionExpired
        case .closed: throw ZooKeeperError.closed
        case .connecting(let attempt): return try await attempt.value
        case .idle: break
        }
        let attempt = Task { try await self.establishFirstSession() }
        state = .connecting(attempt)
        try await attempt.value
    }

    private func establishFirstSession() async throws {
        let outcome = await attemptSession(until: .now + requestedTimeout)
        guard case .connecting = state, !isClosing else {
            if case .connected(let connection, _) = outcome { connection.close() }
            throw ZooKeeperError.closed
        }
        guard case let .connected(connection, response) = outcome else {
            state = .idle
            throw ZooKeeperError.connectionLoss
        }
        install(connection, response)
        logger.info("ZooKeeper session \(credentials.sessionID.hex) established on \(connection.server)")
    }

    /// Tries the hosts round robin, backing off after each full round, until
    /// one completes the handshake or `deadline` passes. A host is always
    /// tried before giving up, so a server that knows the session is dead
    /// gets to say so (rather than us guessing from the clock).
    func attemptSession(until deadline: ContinuousClock.Instant) async -> AttemptOutcome {
        guard !servers.isEmpty else { return .timedOut }
        var backoff = Duration.milliseconds(50)
        while true {
            while reconnectBlocked, !isShutDown {
                try? await Task.sleep(for: .milliseconds(20))
            }
            if isShutDown { return .aborted }
            let server = servers[nextServer % servers.count]
            nextServer &+= 1
            let request = ConnectRequest(
                lastZxidSeen: credentials.lastZxid,
                timeoutMilliseconds: Int32(clamping: requestedTimeout.milliseconds),
                sessionID: credentials.sessionID,
                password: credentials.password
            )
            do {
                let (connection, response) = try await Connection.open(
                    to: server, request: request, timeout: attemptTimeout(until: deadline), group: group)
                if response.sessionExpired {
                    connection.close()
                    return .expired
                }
                return .connected(connection, response)
            } catch {
                logger.debug("ZooKeeper server \(server) did not answer: \(error)")
            }
            let now = ContinuousClock.now
            if now >= deadline { return .timedOut }
            if nextServer % servers.count == 0 {
                try? await Task.sleep(for: min(backoff, deadline - now))
                backoff = min(backoff * 2, .seconds(1))
            }
        }
    }

    /// A silent host may use its share of the session timeout, never all of
    /// it, so the other hosts still get a turn.
    private func attemptTimeout(until deadline: ContinuousClock.Instant) -> Duration {
        let share = max(requestedTimeout / servers.count, .milliseconds(500))
        return max(min(share, deadline - .now), .milliseconds(250))
    }

    var isShutDown: Bool {
        if case .closed = state { return true }
        return isClosing
    }

    func install(_ connection: Connection, _ response: ConnectResponse) {
        generation &+= 1
        let current = generation
        credentials.sessionID = response.sessionID
        credentials.password = response.password
        credentials.timeout = .milliseconds(Int64(response.timeoutMilliseconds))
        lastReceived = .now
        lastSent = .now
        state = .connected(connection)
        let reader = Task { [weak self] in
            for await frame in connection.frames {
                await self?.receive(frame, generation: current)
            }
            await self?.connectionEnded(generation: current)
        }
        let pinger = Task { [weak self] in
            while let interval = await self?.keepAliveCheckInterval(generation: current) {
                do { try await Task.sleep(for: interval) } catch { return }
                guard await self?.keepAlive(generation: current) == true else { return }
            }
        }
        connectionTasks = [reader, pinger]
    }

    func connectionEnded(generation current: UInt64) {
        guard current == generation, case .connected(let connection) = state else { return }
        generation &+= 1
        connection.close()
        for task in connectionTasks { task.cancel() }
        connectionTasks = []
        failPending(with: .connectionLoss)
        if isClosing {
            state = .closed
            return
        }
        logger.warning("lost ZooKeeper connection to \(connection.server); resuming session \(credentials.sessionID.hex)")
        eventSink.yield(.disconnected)
        state = .reconnecting
        // The server expires the session one timeout after it last heard
        // from us; our last receive is the closest estimate we have.
        let deadline = lastReceived + credentials.timeout
        connectionTasks = [Task { [weak self] in await self?.reconnect(until: deadline) }]
    }

    func reconnect(until deadline: ContinuousClock.Instant) async {
        let outcome = await attemptSession(until: deadline)
        guard case .reconnecting = state, !isClosing else {
            if case .connected(let connection, _) = outcome { connection.close() }
            return
        }
        switch outcome {
        case let .connected(connection, response):
            install(connection, response)
            logger.info("ZooKeeper session \(credentials.sessionID.hex) resumed on \(connection.server)")
            eventSink.yield(.reconnected)
        case .expired, .timedOut:
            let why = if case .expired = outcome { "server reported it expired" } else { "no server answered in time" }
            logger.warning("ZooKeeper session \(credentials.sessionID.hex) expired: \(why)")
            state = .expired
            failPending(with: .sessionExpired)
            eventSink.yield(.sessionExpired)
        case .aborted:
            break
        }
    }

    /// Ends the session on the server (so its ephemeral nodes vanish now, not
    /// a timeout later), then the connection. Never throws: there is nothing
    /// a caller could do about a failed goodbye.
    public func close() async {
        if isShutDown { return }
        isClosing = true
        if case .connected = state {
            do {
                _ = try await submit(.closeSession, duringClose: true)
            } catch {
                logger.debug("closeSession did not complete: \(error)")
            }
        }
        generation &+= 1
        if case .connected(let connection) = state { connection.close() }
        state = .closed
        for task in connectionTasks { task.cancel() }
        connectionTasks = []
        failPending(with: .closed)
        eventSink.finish()
    }
}
