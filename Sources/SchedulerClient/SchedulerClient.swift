import AsyncHTTPClient
import Foundation
import HTTPSupport
import MesosAPI

/// A small Swift client for the v1 scheduler API: what `plinth execute` and the benchmark use,
/// and what a Swift framework would use.
public struct SchedulerClient: Sendable {
    public let master: String
    let client: StreamingClient

    public init(master: String, http: HTTPClient) {
        self.master = master
        self.client = StreamingClient(http: http)
    }

    public struct Refused: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Subscribes and waits for SUBSCRIBED; the connection's `events` carries what follows.
    public func subscribe(_ info: FrameworkInfo) async throws -> SchedulerConnection {
        var call = Call(type: .SUBSCRIBE, frameworkId: info.id)
        call.subscribe = Call.Subscribe(frameworkInfo: info)
        let url = "http://\(master)/api/v1/scheduler"
        let (headers, records) = try await client.openStream(url: url, body: try WireCodec.encode(call))
        let streamID = headers.first(name: "Mesos-Stream-Id") ?? ""
        let (events, continuation) = AsyncThrowingStream<Event, any Error>.makeStream()
        let first: Event = try await withCheckedThrowingContinuation { firstContinuation in
            Task {
                var waiting = true
                do {
                    for try await record in records {
                        let event = try WireCodec.decode(Event.self, from: record)
                        if waiting {
                            waiting = false
                            firstContinuation.resume(returning: event)
                        } else {
                            continuation.yield(event)
                        }
                    }
                    if waiting { firstContinuation.resume(throwing: Refused(message: "The master closed the stream")) }
                    continuation.finish()
                } catch {
                    if waiting { firstContinuation.resume(throwing: error) }
                    continuation.finish(throwing: error)
                }
            }
        }
        guard first.type == .SUBSCRIBED, let subscribed = first.subscribed else {
            throw Refused(message: first.error?.message ?? "Unexpected first event \(first.type)")
        }
        return SchedulerConnection(frameworkID: subscribed.frameworkId, streamID: streamID, master: master,
                                   client: client, events: events)
    }
}

public struct SchedulerConnection: Sendable {
    public let frameworkID: FrameworkID
    /// The subscription's `Mesos-Stream-Id`; empty on the native protocol, which has none.
    public let streamID: String
    public let master: String
    public let events: AsyncThrowingStream<Event, any Error>
    /// How a call reaches the master: an HTTP POST, or a libprocess message.
    private let transport: @Sendable (Call) async throws -> Void

    init(frameworkID: FrameworkID, streamID: String = "", master: String, events: AsyncThrowingStream<Event, any Error>,
         transport: @escaping @Sendable (Call) async throws -> Void) {
        self.frameworkID = frameworkID
        self.streamID = streamID
        self.master = master
        self.events = events
        self.transport = transport
    }

    init(frameworkID: FrameworkID, streamID: String, master: String, client: StreamingClient,
         events: AsyncThrowingStream<Event, any Error>) {
        self.init(frameworkID: frameworkID, streamID: streamID, master: master, events: events) { call in
            let (status, body) = try await client.post(url: "http://\(master)/api/v1/scheduler",
                                                       body: try WireCodec.encode(call),
                                                       headers: [("Mesos-Stream-Id", streamID)])
            guard (200..<300).contains(status) else {
                throw StreamingClient.HTTPFailure(status: status, body: String(decoding: body, as: UTF8.self))
            }
        }
    }

    /// Sends a call on behalf of this framework; over HTTP, throws unless the master answers 2xx.
    public func send(_ call: Call) async throws {
        var call = call
        call.frameworkId = frameworkID
        try await transport(call)
    }

    public func launch(_ tasks: [TaskInfo], offers: [OfferID], refuseSeconds: Double? = nil) async throws {
        var call = Call(type: .ACCEPT)
        call.accept = Call.Accept(offerIds: offers, operations: [Offer.Operation(launch: tasks)],
                                  filters: refuseSeconds.map { Filters(refuseSeconds: $0) })
        try await send(call)
    }

    public func decline(_ offers: [OfferID], refuseSeconds: Double? = nil) async throws {
        var call = Call(type: .DECLINE)
        call.decline = Call.Decline(offerIds: offers, filters: refuseSeconds.map { Filters(refuseSeconds: $0) })
        try await send(call)
    }

    /// Acknowledges an update if it asks for it (it carries a uuid).
    public func acknowledge(_ status: TaskStatus) async throws {
        guard let uuid = status.uuid, let agent = status.agentId else { return }
        var call = Call(type: .ACKNOWLEDGE)
        call.acknowledge = Call.Acknowledge(agentId: agent, taskId: status.taskId, uuid: uuid)
        try await send(call)
    }

    public func kill(_ task: TaskID, agent: AgentID? = nil) async throws {
        var call = Call(type: .KILL)
        call.kill = Call.Kill(taskId: task, agentId: agent)
        try await send(call)
    }

    public func teardown() async throws {
        try await send(Call(type: .TEARDOWN))
    }
}
