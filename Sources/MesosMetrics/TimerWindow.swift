/// A Mesos timer metric: the last duration, and count, min, max and percentiles over the most
/// recent samples (Mesos keeps a time window; a fixed number of samples bounds memory the same way).
public struct TimerWindow: Sendable, Equatable {
    public let capacity: Int
    private var samples: [Double] = []
    private var next = 0
    public private(set) var count = 0
    public private(set) var last: Double?

    public init(capacity: Int = 1000) {
        self.capacity = capacity
    }

    public mutating func record(_ milliseconds: Double) {
        count += 1
        last = milliseconds
        if samples.count < capacity {
            samples.append(milliseconds)
        } else {
            samples[next] = milliseconds
        }
        next = (next + 1) % capacity
    }

    /// `name`, `name/count`, `name/min`, `name/max` and `name/p50` … `name/p9999`, as Mesos names them.
    public func write(_ name: String, into snapshot: inout MetricsSnapshot) {
        guard let last else { return }
        snapshot.set(name, last)
        snapshot.set("\(name)/count", count)
        let ordered = samples.sorted()
        snapshot.set("\(name)/min", ordered.first ?? 0)
        snapshot.set("\(name)/max", ordered.last ?? 0)
        for (suffix, quantile) in [("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99), ("p999", 0.999), ("p9999", 0.9999)] {
            let index = min(ordered.count - 1, Int((Double(ordered.count) * quantile).rounded(.down)))
            snapshot.set("\(name)/\(suffix)", ordered[index])
        }
    }
}
