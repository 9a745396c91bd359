import Prometheus

/// The same values as `/metrics/snapshot`, in Prometheus's text format, through swift-prometheus.
/// Prometheus names allow no slashes, so `master/tasks_running` becomes `master_tasks_running`.
/// One registry per server, reused across scrapes: a value's gauge is made once and then set.
public final class PrometheusExposition: Sendable {
    private let registry = PrometheusCollectorRegistry()

    public init() {}

    public func render(_ snapshot: MetricsSnapshot) -> String {
        for (name, value) in snapshot.sorted {
            registry.makeGauge(name: Self.prometheusName(name)).set(value)
        }
        return registry.emitToString()
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`: anything else becomes `_`.
    public static func prometheusName(_ name: String) -> String {
        var out = ""
        for (index, scalar) in name.unicodeScalars.enumerated() {
            let letter = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || scalar == "_" || scalar == ":"
            let digit = scalar >= "0" && scalar <= "9"
            out.unicodeScalars.append(letter || (digit && index > 0) ? scalar : "_")
        }
        return out
    }
}
