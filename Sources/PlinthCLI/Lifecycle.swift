import ServiceLifecycle

/// Runs `start`, waits for a graceful shutdown (SIGINT/SIGTERM), then runs `stop`. Listed last in
/// the service group so it stops first: streams close and tasks die before the servers stop.
struct LifecycleHook: Service {
    let start: @Sendable () async -> Void
    let stop: @Sendable () async -> Void

    func run() async throws {
        await start()
        try? await gracefulShutdown()
        await stop()
    }
}
