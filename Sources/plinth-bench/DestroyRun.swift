import AsyncHTTPClient
import Foundation
import MesosAPI
import SchedulerClient

/// Starts N long-running containers, waits until all run, then kills them all at once and
/// times the kills until the last terminal update: how fast the agent destroys containers.
struct DestroyRun {
    let tasks: Int
    let resources: Resources

    struct Result {
        var killed = 0
        var seconds = 0.0
    }

    func run(master: String, http: HTTPClient, whenAllRunning: () -> Void) async throws -> Result {
        let client = SchedulerClient(master: master, http: http)
        let connection = try await client.subscribe(FrameworkInfo(user: "", name: "plinth-bench-destroy"))
        let clock = ContinuousClock()
        var launched = 0
        var running = Set<TaskID>()
        var agents: [TaskID: AgentID] = [:]
        var result = Result()
        var killStart: ContinuousClock.Instant?
        for try await event in connection.events {
            switch event.type {
            case .OFFERS:
                let batch = try await launchLongRunning(event.offers?.offers ?? [], on: connection, each: resources,
                                                        command: "sleep 1000", prefix: "sleep", from: launched, upTo: tasks)
                for task in batch { agents[task.taskId] = task.agentId }
                launched += batch.count
            case .UPDATE:
                guard let status = event.update?.status else { continue }
                Task { try? await connection.acknowledge(status) }
                if status.state == .TASK_RUNNING { running.insert(status.taskId) }
                if status.state.isTerminal {
                    guard killStart != nil else {
                        throw BenchError("task \(status.taskId.value) ended before the kill: \(status.message ?? "")")
                    }
                    result.killed += 1
                    if result.killed == tasks {
                        result.seconds = seconds(clock.now - killStart!)
                        try? await connection.teardown()
                        return result
                    }
                } else if running.count == tasks && killStart == nil {
                    whenAllRunning()
                    killStart = clock.now
                    for id in running {
                        let agent = agents[id]
                        Task { try? await connection.kill(id, agent: agent) }
                    }
                }
            default:
                continue
            }
        }
        throw BenchError("the master closed the stream after \(result.killed) kills")
    }
}
