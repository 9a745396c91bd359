import Synchronization

/// Mesos's `master/event_queue_*` gauges: work waiting for (or running on) the master actor,
/// counted at the HTTP edge as it goes in and comes out, so reading them costs the actor nothing.
/// Messages are framework and agent calls, HTTP requests everything else; dispatches are the
/// master's own scheduled work (an allocation round due).
public final class EventQueue: Sendable {
    private let messages = Atomic<Int>(0)
    private let httpRequests = Atomic<Int>(0)

    public init() {}

    public enum Kind: Sendable { case message, httpRequest }

    /// Runs `body` counted as queued work of `kind`.
    public func counting<T>(_ kind: Kind, _ body: () async throws -> T) async rethrows -> T {
        add(kind, 1)
        defer { add(kind, -1) }
        return try await body()
    }

    private func add(_ kind: Kind, _ delta: Int) {
        switch kind {
        case .message: messages.add(delta, ordering: .relaxed)
        case .httpRequest: httpRequests.add(delta, ordering: .relaxed)
        }
    }

    var pendingMessages: Int { messages.load(ordering: .relaxed) }
    var pendingHTTPRequests: Int { httpRequests.load(ordering: .relaxed) }
}
