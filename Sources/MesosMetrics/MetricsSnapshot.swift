/// A flat set of named values, as Mesos's `/metrics/snapshot` serves them: names with slashes
/// (`master/tasks_running`), numbers only. Built fresh for each read from the owner's state and
/// counters, so a read never waits on a metrics system of its own.
public struct MetricsSnapshot: Sendable, Equatable {
    public private(set) var values: [String: Double] = [:]

    public init() {}

    public subscript(name: String) -> Double? { values[name] }

    public mutating func set(_ name: String, _ value: Double) { values[name] = value }
    public mutating func set(_ name: String, _ value: Int) { values[name] = Double(value) }
    public mutating func set(_ name: String, _ value: Bool) { values[name] = value ? 1 : 0 }

    /// Mesos's `<name>_total`, `<name>_used` and `<name>_percent` for one resource.
    public mutating func setUsage(_ prefix: String, total: Double, used: Double) {
        set("\(prefix)_total", total)
        set("\(prefix)_used", used)
        set("\(prefix)_percent", total > 0 ? used / total : 0)
    }

    public mutating func merge(_ other: MetricsSnapshot) { values.merge(other.values) { $1 } }

    /// Sorted by name: stable output for people and diffs.
    public var sorted: [(name: String, value: Double)] { values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
}
