import MesosAPI

/// The agent's status-update bookkeeping, as Mesos's task status update manager keeps it:
/// per task, updates queue up in order and only the head is in flight; the head is resent with
/// exponential backoff until the framework acknowledges it, then the next one goes out. Pure
/// value type: time is passed in.
public struct StatusUpdateManager: Sendable {
    public struct Key: Hashable, Sendable {
        public var framework: FrameworkID
        public var task: TaskID
        public init(framework: FrameworkID, task: TaskID) { self.framework = framework; self.task = task }
    }

    struct Stream: Sendable {
        var queue: [TaskStatus] = []
        var latest: TaskState
        var nextAttempt: Double = 0
        var backoff: Double
        var received: Set<String> = []
    }

    public let initialBackoff: Double
    public let maxBackoff: Double
    private var streams: [Key: Stream] = [:]

    public init(initialBackoff: Double = 10, maxBackoff: Double = 600) {
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// Queues an update (it must carry a uuid); returns it when it should be sent right away
    /// because nothing else of that task is waiting.
    public mutating func add(_ status: TaskStatus, framework: FrameworkID, now: Double) -> AgentCall.Update? {
        let key = Key(framework: framework, task: status.taskId)
        var stream = streams[key] ?? Stream(latest: status.state, backoff: initialBackoff)
        if let uuid = status.uuid {
            if stream.received.contains(uuid) { return nil }
            stream.received.insert(uuid)
        }
        stream.queue.append(status)
        stream.latest = status.state
        let isHead = stream.queue.count == 1
        if isHead {
            stream.backoff = initialBackoff
            stream.nextAttempt = now + initialBackoff
        }
        streams[key] = stream
        return isHead ? update(key, stream) : nil
    }

    /// The framework acknowledged `uuid`: pop it and return the next update to send, if any.
    /// Acknowledgements of anything but the head are ignored, as duplicates.
    public mutating func acknowledge(framework: FrameworkID, task: TaskID, uuid: String, now: Double)
        -> AgentCall.Update?
    {
        let key = Key(framework: framework, task: task)
        guard var stream = streams[key], stream.queue.first?.uuid == uuid else { return nil }
        stream.queue.removeFirst()
        guard !stream.queue.isEmpty else {
            // Once a terminal update is acknowledged the stream is over.
            if stream.latest.isTerminal { streams[key] = nil } else { streams[key] = stream }
            return nil
        }
        stream.backoff = initialBackoff
        stream.nextAttempt = now + initialBackoff
        streams[key] = stream
        return update(key, stream)
    }

    /// Heads whose retry time has come; each one's backoff doubles up to the cap.
    public mutating func due(now: Double) -> [AgentCall.Update] {
        var out: [AgentCall.Update] = []
        for (key, var stream) in streams where !stream.queue.isEmpty && stream.nextAttempt <= now {
            stream.backoff = min(stream.backoff * 2, maxBackoff)
            stream.nextAttempt = now + stream.backoff
            streams[key] = stream
            out.append(update(key, stream))
        }
        return out
    }

    /// Every waiting head (of one framework, or all), to send at once after a (re)registration
    /// or a framework's return; their retry timers restart.
    public mutating func resend(framework: FrameworkID? = nil, now: Double) -> [AgentCall.Update] {
        var out: [AgentCall.Update] = []
        for (key, var stream) in streams where !stream.queue.isEmpty && (framework == nil || key.framework == framework) {
            stream.backoff = initialBackoff
            stream.nextAttempt = now + initialBackoff
            streams[key] = stream
            out.append(update(key, stream))
        }
        return out
    }

    /// The framework is gone: nobody will acknowledge its updates.
    public mutating func removeFramework(_ framework: FrameworkID) {
        streams = streams.filter { $0.key.framework != framework }
    }

    /// The task's updates not yet acknowledged, oldest first.
    public func pending(_ key: Key) -> [TaskStatus] { streams[key]?.queue ?? [] }

    public func hasPending(_ key: Key) -> Bool { !(streams[key]?.queue.isEmpty ?? true) }

    public var pendingCount: Int { streams.values.reduce(0) { $0 + $1.queue.count } }

    private func update(_ key: Key, _ stream: Stream) -> AgentCall.Update {
        AgentCall.Update(frameworkId: key.framework, status: stream.queue[0], latestState: stream.latest)
    }
}
