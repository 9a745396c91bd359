import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Libprocess
import Logging
import MesosAPI
import MesosProtobuf
import ServiceLifecycle

/// The same client on the native driver protocol, as libmesos's driver speaks it: this process
/// becomes the libprocess peer `scheduler(1)@127.0.0.1:<port>` (its own small HTTP server takes
/// the master's messages), calls go to `master@<master>` as `mesos.scheduler.Call` messages, and
/// the master's messages come back as the v1 events they stand for. Used by the benchmark to
/// measure the native path next to the JSON one.
extension SchedulerClient {
    public func subscribeNative(_ info: FrameworkInfo, logger: Logger = Logger(label: "plinth.native-client")) async throws
        -> SchedulerConnection
    {
        guard let masterPID = ProcessID("master@\(master)") else { throw Refused(message: "Bad master address \(master)") }
        let (events, continuation) = AsyncThrowingStream<Event, any Error>.makeStream()
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let inbox = NativeInbox(events: continuation)
        var quiet = logger
        quiet.logLevel = .critical  // the server's own shutdown complaints when the client ends
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in await inbox.receive(request) },
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in portSink.yield(channel.localAddress?.port ?? 0) },
            logger: quiet)
        let server = Task { try await ServiceGroup(services: [app], logger: quiet).run() }
        continuation.onTermination = { _ in server.cancel() }
        var portIterator = ports.makeAsyncIterator()
        guard let port = await portIterator.next(), port > 0 else { throw Refused(message: "The scheduler's server did not start") }
        // The link's end reaches the caller as the end of the event stream, not as a log line.
        var linkLogger = logger
        linkLogger.logLevel = .warning
        let sender = MessageSender(from: "\(NativeInbox.processID)@127.0.0.1:\(port)", logger: linkLogger) { peer in
            continuation.finish(throwing: Refused(message: "Lost the link to \(peer)"))
        }
        let send: @Sendable (Call, Bool) async throws -> Void = { call, force in
            let json = try WireCodec.encode(call)
            let body = try NativeSchedulerMessages.v0Call(fromV1: ProtobufBridge.protobuf(fromJSON: json, as: .schedulerCall),
                                                          force: force)
            sender.send(LibprocessMessage(name: NativeSchedulerMessages.callName, body: Array(body)), to: masterPID)
        }
        let transport: @Sendable (Call) async throws -> Void = { try await send($0, false) }
        var call = Call(type: .SUBSCRIBE, frameworkId: info.id)
        call.subscribe = Call.Subscribe(frameworkInfo: info)
        // Given a framework ID, this client takes the framework over, as a driver does.
        try await send(call, info.id != nil)
        let frameworkID = try await inbox.registered()
        return SchedulerConnection(frameworkID: frameworkID, master: master, events: events, transport: transport)
    }
}

/// Where the master's messages arrive: each becomes a v1 event on the connection's stream.
private actor NativeInbox {
    static let processID = "scheduler(1)"
    let events: AsyncThrowingStream<Event, any Error>.Continuation
    private var frameworkID: FrameworkID?
    private var waiting: [CheckedContinuation<FrameworkID, any Error>] = []

    init(events: AsyncThrowingStream<Event, any Error>.Continuation) { self.events = events }

    func receive(_ request: Request) async -> Response {
        var request = request
        guard let (_, to, name) = LibprocessRequest.parse(path: request.uri.path,
                                                          from: request.headers[.libprocessFrom],
                                                          userAgent: request.headers[.userAgent]),
              to == Self.processID,
              let body = try? await request.collectBody(upTo: 64 << 20) else { return Response(status: .notFound) }
        guard let json = try? NativeSchedulerMessages.eventJSON(name: name, body: Data(body.readableBytesView)),
              let event = try? WireCodec.decode(Event.self, from: json) else { return Response(status: .accepted) }
        if event.type == .SUBSCRIBED, let id = event.subscribed?.frameworkId {
            frameworkID = id
            waiting.forEach { $0.resume(returning: id) }
            waiting = []
        } else if event.type == .ERROR, frameworkID == nil {
            let refusal = SchedulerClient.Refused(message: event.error?.message ?? "refused")
            waiting.forEach { $0.resume(throwing: refusal) }
            waiting = []
        }
        events.yield(event)
        return Response(status: .accepted)
    }

    func registered() async throws -> FrameworkID {
        if let frameworkID { return frameworkID }
        return try await withCheckedThrowingContinuation { waiting.append($0) }
    }
}
