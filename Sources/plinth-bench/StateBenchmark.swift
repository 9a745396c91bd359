import ArgumentParser
import AsyncHTTPClient
import Foundation
import HTTPSupport
import Logging
import Master
import MesosAPI
import ServiceLifecycle

/// `plinth-bench state`: a master (in this process, with its HTTP server on loopback) holding A
/// simulated agents, T running and C completed tasks; ten clients poll `/master/state` while
/// `/health` is timed and a framework keeps declining every offer it gets. It reports the state's
/// median latency and size, `/health`'s p99, and the offer rate with and without the polling.
struct StateBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state", abstract: "Poll /master/state of a large cluster and watch scheduling meanwhile.")

    @Option(name: .customLong("agents")) var agents = 10_000
    @Option(name: .customLong("tasks")) var tasks = 100_000
    @Option(name: .customLong("completed")) var completed = 100_000
    @Option(name: .customLong("clients"), help: "Concurrent pollers of /master/state.") var clients = 10
    @Option(name: .customLong("seconds"), help: "Length of each measured phase.") var seconds = 10.0

    func run() async throws {
        var logger = Logger(label: "plinth.bench")
        logger.logLevel = .error
        var config = MasterConfig(port: 0, allocationInterval: .seconds(1))
        config.maxCompletedTasksPerFramework = max(completed, 1000)
        let master = Master(config: config, logger: logger)
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = MasterServer(master: master).application(logger: logger) { portSink.yield($0) }
        let server = Task { try await ServiceGroup(services: [app], logger: logger).run() }
        var portIterator = ports.makeAsyncIterator()
        guard let port = await portIterator.next() else { throw BenchError("the master did not start") }
        try await master.start()

        let framework = try await BenchFramework.subscribe(master)
        try await StateFixture(agents: agents, tasks: tasks, completed: completed, framework: framework.id).build(on: master)
        framework.drain()
        say("built: \(agents) agents, \(tasks) running and \(completed) completed tasks")
        try await Self.breakdown(master)

        let offersWithout = try await framework.offerRate(master, for: seconds)
        say("offers without polling: \(Int(offersWithout))/s")
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: clients + 2)))
        let base = "http://127.0.0.1:\(port)"
        async let polled = StatePollers(http: http, url: "\(base)/master/state", clients: clients).run(for: seconds)
        async let health = HealthProbe(http: http, url: "\(base)/health").run(for: seconds)
        let offersDuring = try await framework.offerRate(master, for: seconds)
        let (stateMs, stateBytes) = try await polled
        let healthP99 = try await health
        try await http.shutdown()
        server.cancel()
        _ = try? await server.value  // whatever the server logs as it stops comes before the figures
        say("offers while polling: \(Int(offersDuring))/s (\(Int((offersDuring / max(offersWithout, 1)) * 100))% of without)")
        say(String(format: "state: agents=%d tasks=%d completed=%d state_ms=%.0f state_mb=%.1f health_p99_ms=%.1f offers_per_s_during=%.0f",
                   agents, tasks, completed, stateMs, Double(stateBytes) / 1e6, healthP99, offersDuring))
    }
}

extension StateBenchmark {
    /// A few builds of the document without HTTP: the first writes what the master has not
    /// written for its tasks yet (adopted from agents), the next ones reuse it.
    static func breakdown(_ master: Master) async throws {
        let clock = ContinuousClock()
        let cache = StateCache()
        for round in 0..<3 {
            let start = clock.now
            let document = await master.stateDocument(cache: cache)
            say(String(format: "build %d: %.0f ms, %.1f MB in %d buffers", round, (clock.now - start) / .milliseconds(1),
                       Double(document.map(\.readableBytes).reduce(0, +)) / 1e6, document.count))
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}

/// Agents register reporting running and soon-to-be-lost tasks, then register again with only
/// the running ones: the others become completed (TASK_LOST) the way a master completes them.
struct StateFixture {
    let agents: Int
    let tasks: Int
    let completed: Int
    let framework: FrameworkID

    func build(on master: Master) async throws {
        let running = tasks / max(agents, 1)
        let ended = completed / max(agents, 1)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<agents {
                group.addTask {
                    _ = await master.registerAgent(registration(index, tasks: running + ended), stream: EventStream())
                    _ = await master.registerAgent(registration(index, tasks: running), stream: EventStream())
                }
            }
        }
    }

    private func registration(_ index: Int, tasks count: Int) -> AgentRegistration {
        let agentID = AgentID("bench-agent-\(index)")
        let info = AgentInfo(hostname: "agent\(index).bench", port: 5051,
                             resources: [.scalar("cpus", 32), .scalar("mem", 131_072), .scalar("disk", 1_000_000)],
                             attributes: nil, id: agentID)
        let reports = (0..<count).map { task in
            AgentTaskReport(frameworkId: framework,
                            task: TaskInfo(name: "task-\(index)-\(task)", taskId: TaskID("t-\(index)-\(task)"), agentId: agentID,
                                           resources: [.scalar("cpus", 0.1), .scalar("mem", 64)],
                                           command: CommandInfo(value: "sleep 1000")),
                            state: .TASK_RUNNING)
        }
        return AgentRegistration(agentInfo: info, endpoint: "10.1.\(index / 250).\(index % 250):5051",
                                 frameworks: [], tasks: reports, executors: [])
    }
}

/// A framework inside this process that declines every offer at once, without a filter, so the
/// allocator offers again as fast as it can: its rate of offers is the scheduling throughput.
struct BenchFramework {
    let id: FrameworkID
    let stream: EventStream

    static func subscribe(_ master: Master) async throws -> BenchFramework {
        let stream = EventStream()
        var info = FrameworkInfo(user: "bench", name: "state-bench")
        info.failoverTimeout = 3600
        guard case .subscribed(let id) = await master.subscribe(Call.Subscribe(frameworkInfo: info), stream: stream) else {
            throw BenchError("the bench framework was refused")
        }
        return BenchFramework(id: id, stream: stream)
    }

    func drain() { _ = stream.takePending() }

    /// Offers received per second over `seconds`, each declined as it comes.
    func offerRate(_ master: Master, for seconds: Double) async throws -> Double {
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(Int64(seconds * 1000))
        var offers = 0
        var decoder = RecordIODecoder()
        while clock.now < end {
            decoder.feed(stream.takePending().readableBytesView)
            var ids: [OfferID] = []
            while let record = try decoder.next() {
                guard let event = try? WireCodec.decode(OfferIDs.self, from: record), event.type == "OFFERS" else { continue }
                ids += event.offers?.offers.map(\.id) ?? []
            }
            offers += ids.count
            if ids.isEmpty {
                try await Task.sleep(for: .milliseconds(2))
                continue
            }
            var call = Call(type: .DECLINE, frameworkId: id)
            call.decline = Call.Decline(offerIds: ids, filters: Filters(refuseSeconds: 0))
            _ = await master.handle(call, streamID: stream.id)
        }
        return Double(offers) / seconds
    }
}

/// Just the IDs of an OFFERS event: a remote framework's cost of reading the rest is not the
/// master's, and decoding whole offers in this process took a sixth of its two cores.
private struct OfferIDs: Decodable {
    struct Offers: Decodable {
        struct Offer: Decodable { let id: OfferID }
        let offers: [Offer]
    }
    let type: String
    let offers: Offers?
}

/// Clients that GET the state back to back; the median latency and the body's size.
struct StatePollers {
    let http: HTTPClient
    let url: String
    let clients: Int

    func run(for seconds: Double) async throws -> (medianMs: Double, bytes: Int) {
        let end = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        let results = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
            for _ in 0..<clients {
                group.addTask {
                    var latencies: [Double] = []
                    var size = 0
                    while ContinuousClock.now < end {
                        let started = ContinuousClock.now
                        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
                        // Until the last byte is in: counted as it arrives, not gathered into one
                        // more 70 MB buffer on the cores the master needs.
                        var received = 0
                        for try await chunk in response.body { received += chunk.readableBytes }
                        latencies.append((ContinuousClock.now - started) / .milliseconds(1))
                        size = received
                    }
                    return (latencies, size)
                }
            }
            return try await group.reduce(into: [([Double], Int)]()) { $0.append($1) }
        }
        let all = results.flatMap(\.0).sorted()
        return (all.isEmpty ? 0 : all[all.count / 2], results.map(\.1).max() ?? 0)
    }
}

/// `/health` every 20 ms; its 99th percentile latency.
struct HealthProbe {
    let http: HTTPClient
    let url: String

    func run(for seconds: Double) async throws -> Double {
        let end = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        var latencies: [Double] = []
        while ContinuousClock.now < end {
            let started = ContinuousClock.now
            let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 16)
            latencies.append((ContinuousClock.now - started) / .milliseconds(1))
            try await Task.sleep(for: .milliseconds(20))
        }
        latencies.sort()
        return latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))]
    }
}
