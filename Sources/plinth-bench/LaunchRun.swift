import AsyncHTTPClient
import Foundation
import MesosAPI
import SchedulerClient

/// One framework that packs as many tasks into every offer as fit, acknowledges every update,
/// and records ACCEPT-to-RUNNING latencies.
struct LaunchRun {
    let tasks: Int
    let command: String
    let resources: Resources
    /// The scheduler API the framework speaks: the v1 HTTP API or the native driver protocol.
    var native = false

    struct Result {
        var finished = 0
        var failed = 0
        var seconds = 0.0
        var p50 = 0.0
        var p99 = 0.0
    }

    func run(master: String, http: HTTPClient) async throws -> Result {
        let client = SchedulerClient(master: master, http: http)
        let info = FrameworkInfo(user: "", name: "plinth-bench")
        let connection = native ? try await client.subscribeNative(info) : try await client.subscribe(info)
        let clock = ContinuousClock()
        var launched = 0
        var done = 0
        var result = Result()
        var acceptedAt: [TaskID: ContinuousClock.Instant] = [:]
        var latencies: [Double] = []
        var start: ContinuousClock.Instant?
        for try await event in connection.events {
            switch event.type {
            case .OFFERS:
                for offer in event.offers?.offers ?? [] {
                    let batch = packTasks(into: offer, each: resources, command: command, prefix: "t",
                                          from: launched, upTo: tasks)
                    if batch.isEmpty {
                        try await connection.decline([offer.id], refuseSeconds: 0)
                        continue
                    }
                    let now = clock.now
                    if start == nil { start = now }
                    for task in batch { acceptedAt[task.taskId] = now }
                    launched += batch.count
                    try await connection.launch(batch, offers: [offer.id], refuseSeconds: 0)
                }
            case .UPDATE:
                guard let status = event.update?.status else { continue }
                if status.state == .TASK_RUNNING, let t0 = acceptedAt[status.taskId] {
                    latencies.append(seconds(clock.now - t0))
                }
                // Acknowledge without waiting for the reply, so one slow round trip does not hold
                // up every event behind it.
                Task { try? await connection.acknowledge(status) }
                if status.state.isTerminal {
                    done += 1
                    if status.state == .TASK_FINISHED { result.finished += 1 } else { result.failed += 1 }
                    if done == tasks {
                        result.seconds = seconds(clock.now - (start ?? clock.now))
                        latencies.sort()
                        result.p50 = latencies.isEmpty ? 0 : latencies[latencies.count / 2]
                        result.p99 = latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
                        try? await connection.teardown()
                        return result
                    }
                }
            default:
                continue
            }
        }
        throw BenchError("the master closed the stream after \(done) tasks")
    }
}
