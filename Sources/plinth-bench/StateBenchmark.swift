import ArgumentParser
import AsyncHTTPClient
import Foundation
import HTTPSupport
import Logging
import Master
import MesosAPI
import NIOCore
import NIOPosix
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
        try await framework.declinePending(master)
        say("built: \(agents) agents, \(tasks) running and \(completed) completed tasks")
        try await Self.breakdown(master)

        let offersWithout = try await framework.offerRate(master, for: seconds)
        say("offers without polling: \(Int(offersWithout))/s")
        // Each poller and the health probe is a client of its own, with a thread of its own, as
        // separate processes would be: on the master's own event loops they would share its two
        // threads with its server, and a probe would queue behind 70 MB bodies on its side.
        let pollers = Clients(threads: 2, connections: clients)
        let prober = Clients(threads: 1, connections: 1)
        let base = "http://127.0.0.1:\(port)"
        async let polled = StatePollers(http: pollers.http, url: "\(base)/master/state", clients: clients).run(for: seconds)
        async let health = HealthProbe(http: prober.http, url: "\(base)/health").run(for: seconds)
        let offersDuring = try await framework.offerRate(master, for: seconds)
        let (stateMs, stateBytes) = try await polled
        let healthP99 = try await health
        try await pollers.shutdown()
        try await prober.shutdown()
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

    /// Offers received per second over `seconds`, each declined as it comes.
    func offerRate(_ master: Master, for seconds: Double) async throws -> Double {
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(Int64(seconds * 1000))
        var offers = 0
        var decoder = RecordIODecoder()
        while clock.now < end {
            let declined = try await declinePending(master, decoder: &decoder)
            offers += declined
            if declined == 0 { try await Task.sleep(for: .milliseconds(2)) }
        }
        return Double(offers) / seconds
    }

    /// Declines, without a filter, every offer that has come since the last call; how many.
    /// Those that came while the state was built are declined too: a framework that kept them
    /// would hold half the cluster on offer for good.
    @discardableResult
    func declinePending(_ master: Master) async throws -> Int {
        var decoder = RecordIODecoder()
        return try await declinePending(master, decoder: &decoder)
    }

    private func declinePending(_ master: Master, decoder: inout RecordIODecoder) async throws -> Int {
        decoder.feed(stream.takePending().readableBytesView)
        var ids: [OfferID] = []
        while let record = try decoder.next() {
            guard let event = try? WireCodec.decode(OfferIDs.self, from: record), event.type == "OFFERS" else { continue }
            ids += event.offers?.offers.map(\.id) ?? []
        }
        guard !ids.isEmpty else { return 0 }
        var call = Call(type: .DECLINE, frameworkId: id)
        call.decline = Call.Decline(offerIds: ids, filters: Filters(refuseSeconds: 0))
        _ = await master.handle(call, streamID: stream.id)
        return ids.count
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

/// An HTTP client on event loops of its own.
struct Clients {
    let loops: MultiThreadedEventLoopGroup
    let http: HTTPClient

    init(threads: Int, connections: Int) {
        loops = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        http = HTTPClient(eventLoopGroupProvider: .shared(loops), configuration: .init(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections + 2)))
    }

    func shutdown() async throws {
        try await http.shutdown()
        try await loops.shutdownGracefully()
    }
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
                        // Until the last byte is in, counted on the event loop as each part arrives:
                        // not gathered, and not handed to a task per part, so the harness takes as
                        // little of the two cores as a client can.
                        let request = try HTTPClient.Request(url: url)
                        let received = try await http.execute(request: request, delegate: ByteCounter(),
                                                              deadline: .now() + .seconds(60)).get()
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

/// Counts a response's body bytes and keeps none of them.
final class ByteCounter: HTTPClientResponseDelegate, @unchecked Sendable {
    private var count = 0  // touched only on the request's event loop

    func didReceiveBodyPart(task: HTTPClient.Task<Int>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        count += buffer.readableBytes
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Int>) throws -> Int { count }
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
