import Foundation
import HTTPSupport
import Libprocess
import Logging
import MesosAPI
import MesosProtobuf

/// The agent's second edge for executors: executors that use the native (libmesos) driver and
/// speak libprocess to `slave(1)`. Each driver gets an ordinary executor subscription, so
/// launches, kills, acknowledgements and recovery are the v1 path's; its messages become v1
/// executor calls, and the subscription's events go back as the messages the driver knows.
public actor NativeExecutors {
    private struct Session {
        var peer: ProcessID
        var stream: EventStream
        var pump: Task<Void, Never>?
    }

    private let agent: Agent
    private let logger: Logger
    private var sessions: [CustomExecutor.Key: Session] = [:]
    private var outbox: MessageSender?

    public init(agent: Agent, logger: Logger) {
        self.agent = agent
        self.logger = logger
    }

    private var sender: MessageSender {
        if let outbox { return outbox }
        let made = MessageSender(from: "slave(1)@\(agent.endpoint)", logger: logger) { [weak self] peer in
            await self?.unreachable(peer)
        }
        outbox = made
        return made
    }

    /// One libprocess message to `slave(1)`. Malformed or unknown messages are dropped with a
    /// log line: libprocess has no error reply.
    public func receive(name: String, from peer: ProcessID, body: Data) async {
        do {
            if name == NativeExecutorMessages.toExecutor {
                // A scheduler driver that knows where the executor runs sends straight here.
                let message = try NativeExecutorMessages.frameworkMessage(body)
                return await agent.deliverMessage(framework: FrameworkID(message.framework),
                                                  executor: ExecutorID(message.executor),
                                                  data: message.data.base64EncodedString())
            }
            guard let json = try NativeExecutorMessages.callJSON(name: name, body: body) else {
                return logger.info("Dropping unknown libprocess message \(name) from \(peer)")
            }
            try await handle(try WireCodec.decode(ExecutorCall.self, from: json), name: name, from: peer)
        } catch {
            logger.info("Dropping a malformed \(name) from \(peer): \(error)")
        }
    }

    private func handle(_ call: ExecutorCall, name: String, from peer: ProcessID) async throws {
        let key = CustomExecutor.Key(framework: call.frameworkId, executor: call.executorId)
        switch call.type {
        case .SUBSCRIBE:
            await subscribe(call, key: key, reregistering: name == NativeExecutorMessages.reregister, from: peer)
        case .UPDATE:
            guard let status = call.update?.status else { return }
            if let problem = await agent.executorUpdate(call, status: status) {
                logger.info("Dropping a status update from executor \(key.executor.value) at \(peer): \(problem)")
            }
        case .MESSAGE:
            guard let data = call.message?.data else { return }
            if let problem = await agent.executorMessage(call, data: data) {
                logger.info("Dropping a framework message from executor \(key.executor.value) at \(peer): \(problem)")
            }
        case .HEARTBEAT, .UNKNOWN:
            return
        }
    }

    /// Registration: an executor the agent does not know (or whose framework it does not) is
    /// told to shut down, as Mesos's agent does.
    private func subscribe(_ call: ExecutorCall, key: CustomExecutor.Key, reregistering: Bool, from peer: ProcessID) async {
        let stream = EventStream()
        if let problem = await agent.executorSubscribed(call, stream: stream) {
            logger.info("Executor \(key.executor.value) at \(peer) cannot register: \(problem); shutting it down")
            return send(NativeExecutorMessages.shutdown(framework: key.framework.value, executor: key.executor.value),
                        to: peer)
        }
        end(key)
        sessions[key] = Session(peer: peer, stream: stream)
        sessions[key]?.pump = Task { await self.pump(stream, key: key, reregistering: reregistering, to: peer) }
        await agent.rememberExecutorPID(key, pid: peer.description)
    }

    /// Turns the subscription's events into driver messages, in order.
    private func pump(_ stream: EventStream, key: CustomExecutor.Key, reregistering: Bool, to peer: ProcessID) async {
        var decoder = RecordIODecoder()
        var session = NativeExecutorMessages.Session(reregistering: reregistering)
        while let chunk = await stream.nextChunk() {
            decoder.feed(chunk.readableBytesView)
            while let record = try? decoder.next() {
                do {
                    for message in try NativeExecutorMessages.messages(forEvent: record, session: &session) {
                        send(message, to: peer)
                    }
                } catch {
                    logger.warning("Could not translate an event for executor \(key.executor.value): \(error)")
                }
            }
        }
        if sessions[key]?.stream === stream { sessions[key] = nil }
    }

    /// After an agent restart: asks a recovered native executor to register again.
    public func reconnect(pid: String, agentID: String) {
        guard let peer = ProcessID(pid) else { return }
        logger.info("Asking the native executor at \(peer) to register again")
        send(NativeExecutorMessages.reconnect(agent: agentID), to: peer)
    }

    /// Sends ReconnectExecutorMessage to every native executor the agent recovers, for the
    /// agent's life.
    func reconnectRecovered() async {
        for await recovered in agent.nativeReconnects {
            reconnect(pid: recovered.pid, agentID: recovered.agent.value)
        }
    }

    private func send(_ message: (name: String, body: Data), to peer: ProcessID) {
        sender.send(LibprocessMessage(name: message.name, body: Array(message.body)), to: peer)
    }

    /// A message could not reach the driver. Like Mesos's agent, this one does not take that
    /// as the executor's end (a native driver never registers again by itself): the session
    /// stays, the next message tries a new connection, and a dead executor is seen when its
    /// process exits.
    private func unreachable(_ peer: ProcessID) async {
        logger.info("A message to the native executor at \(peer) was lost")
    }

    private func end(_ key: CustomExecutor.Key) {
        guard let session = sessions.removeValue(forKey: key) else { return }
        session.pump?.cancel()
        session.stream.finish()
    }
}
