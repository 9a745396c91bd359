import Foundation
import HTTPSupport
import Libprocess
import Logging
import MesosAPI
import MesosProtobuf

/// The master's second edge for frameworks: schedulers that use the native (libmesos) driver
/// and speak libprocess. Each driver gets an ordinary subscription, the same framework model a
/// v1 client gets (so the allocator, the UI and the operator API cannot tell them apart); its
/// `mesos.scheduler.Call` messages go to `Master.handle`, and the events of its subscription
/// go back to its libprocess name as the messages the driver knows.
actor NativeSchedulers {
    private struct Session {
        var framework: FrameworkID
        var stream: EventStream
        /// The last registration message sent, resent when the driver retries SUBSCRIBE.
        var registered: (name: String, body: Data)?
        var pump: Task<Void, Never>?
        /// The driver aborted (DeactivateFrameworkMessage): the framework is inactive but still
        /// connected; a SUBSCRIBE from the driver registers it afresh.
        var deactivated = false
    }

    private let master: Master
    private let pid: String
    private let logger: Logger
    private var sessions: [ProcessID: Session] = [:]
    /// Where each framework's driver last registered from: a driver that comes back from the
    /// same place is re-registered (FrameworkReregisteredMessage); from anywhere else, or to a
    /// master that did not know it, it gets FrameworkRegisteredMessage, as from Mesos (MESOS-786).
    private var lastPeer: [FrameworkID: ProcessID] = [:]
    /// Drivers whose SUBSCRIBE is being handled and not yet answered: a retry that arrives
    /// meanwhile is dropped (the driver retries again and then gets the answer), so one driver
    /// never makes two subscriptions.
    private var subscribing: Set<ProcessID> = []
    private var outbox: MessageSender?

    init(master: Master, pid: String, logger: Logger) {
        self.master = master
        self.pid = pid
        self.logger = logger
    }

    private var sender: MessageSender {
        if let outbox { return outbox }
        let made = MessageSender(from: pid, logger: logger) { [weak self] peer in await self?.unreachable(peer) }
        outbox = made
        return made
    }

    /// One message from a driver. Malformed or unknown messages are dropped with a log line:
    /// libprocess has no error reply.
    func receive(name: String, from peer: ProcessID, body: Data) async {
        if name == NativeSchedulerMessages.deactivateName || name == NativeSchedulerMessages.unregisterName {
            return await stop(name: name, from: peer, body: body)
        }
        let call: Call
        do {
            // Current drivers send mesos.scheduler.Call; older ones a message per call.
            let json = name == NativeSchedulerMessages.callName
                ? try NativeSchedulerMessages.callJSON(body) : try LegacySchedulerMessages.callJSON(name: name, body: body)
            guard let json else { return logger.info("Dropping unknown libprocess message \(name) from \(peer)") }
            call = try WireCodec.decode(Call.self, from: json)
        } catch let refusal as LegacySchedulerMessages.Refusal {
            return send(NativeSchedulerMessages.error(refusal.message), to: peer)
        } catch {
            return logger.info("Dropping a malformed \(name) from \(peer): \(error)")
        }
        if call.type == .SUBSCRIBE, let subscribe = call.subscribe {
            return await self.subscribe(subscribe, resubscribing: call.frameworkId != nil,
                                        force: NativeSchedulerMessages.takesOver(name: name, body: body), from: peer)
        }
        guard let session = sessions[peer] else {
            return send(NativeSchedulerMessages.error("Framework is not subscribed"), to: peer)
        }
        let outcome = await master.handle(call, streamID: session.stream.id)
        if call.type == .TEARDOWN, outcome == .accepted { forget(session.framework) }
        if outcome != .accepted { logger.info("\(call.type.rawValue) from native framework \(session.framework): \(outcome)") }
    }

    /// DeactivateFrameworkMessage (the driver's abort: the framework stays connected but gets no
    /// offers, and its failover timeout starts only when the driver's link breaks, as in Mesos) or
    /// UnregisterFrameworkMessage (an old driver's teardown).
    private func stop(name: String, from peer: ProcessID, body: Data) async {
        guard let session = sessions[peer],
              (try? NativeSchedulerMessages.framework(in: name, body: body)) == session.framework.value else {
            return logger.info("Dropping \(name) from \(peer): no such framework subscribed from there")
        }
        if name == NativeSchedulerMessages.deactivateName {
            sessions[peer]?.deactivated = true
            return await master.deactivateFramework(session.framework, streamID: session.stream.id)
        }
        _ = await master.handle(Call(type: .TEARDOWN, frameworkId: session.framework), streamID: session.stream.id)
        forget(session.framework)
        end(peer)
    }

    func dropNotLeading(name: String, from peer: ProcessID) {
        logger.info("Dropping '\(name)' message from \(peer) since not elected")
    }

    private func subscribe(_ subscribe: Call.Subscribe, resubscribing: Bool, force: Bool, from peer: ProcessID) async {
        // A driver retries SUBSCRIBE until it hears back; a retry of a subscription already
        // made is answered again rather than registering a second framework.
        if let session = sessions[peer], !session.deactivated, !resubscribing, let registered = session.registered {
            return send(registered, to: peer)
        }
        guard subscribing.insert(peer).inserted else { return }
        if resubscribing, !force, let id = subscribe.frameworkInfo.id, lastPeer[id] != peer,
           await master.isRegisteredFramework(id) {
            // Not the framework's driver, and not asking to take it over: a driver that lost
            // its master while another took its place (Mesos refuses it the same way).
            subscribing.remove(peer)
            logger.info("Refusing SUBSCRIBE of framework \(id) from \(peer): not its driver, and no 'force'")
            return send(NativeSchedulerMessages.error("Framework failed over"), to: peer)
        }
        if let old = sessions[peer] {
            // The driver subscribes anew (with its framework's ID, after it lost the master, or
            // for another framework): its old subscription ends here, so nothing more of it
            // (not the master's "failed over" error) reaches the driver.
            end(peer)
            if subscribe.frameworkInfo.id != old.framework {
                await master.frameworkStreamClosed(old.framework, streamID: old.stream.id)
            }
        }
        let stream = EventStream()
        switch await master.subscribe(subscribe, stream: stream) {
        case .refused(let message):
            subscribing.remove(peer)
            send(NativeSchedulerMessages.error(message), to: peer)
        case .subscribed(let id):
            end(peer)
            // Coming back to the master that knew it, without taking over: re-registered.
            // A take-over is a registration, as in Mesos (MESOS-786).
            let returning = resubscribing && !force && lastPeer[id] == peer
            lastPeer[id] = peer
            sessions[peer] = Session(framework: id, stream: stream)
            sessions[peer]?.pump = Task { await self.pump(stream, framework: id, resubscribed: returning, to: peer) }
            logger.info("Native framework \(id) subscribed from \(peer)")
        }
    }

    /// Turns the subscription's events into driver messages, in order.
    private func pump(_ stream: EventStream, framework: FrameworkID, resubscribed: Bool, to peer: ProcessID) async {
        var decoder = RecordIODecoder()
        var agents: [String: String] = [:]
        while let chunk = await stream.nextChunk() {
            decoder.feed(chunk.readableBytesView)
            while let record = try? decoder.next() {
                guard sessions[peer]?.stream === stream else { return }
                do {
                    var messages = try NativeSchedulerMessages.messages(
                        forEvent: record, framework: framework.value, resubscribed: resubscribed, agents: &agents)
                    if let missing = NativeSchedulerMessages.agentWithoutPID(messages), agents[missing] == nil,
                       let endpoint = await master.agentEndpoint(AgentID(missing)) {
                        // An update from an agent this driver has had no offer from (since a
                        // failover, say): the driver needs the agent's pid to acknowledge it.
                        agents[missing] = "slave(1)@\(endpoint)"
                        messages = try NativeSchedulerMessages.messages(
                            forEvent: record, framework: framework.value, resubscribed: resubscribed, agents: &agents)
                    }
                    for message in messages {
                        if message.name.hasSuffix("RegisteredMessage") {
                            sessions[peer]?.registered = message
                            subscribing.remove(peer)
                        }
                        send(message, to: peer)
                    }
                } catch {
                    logger.warning("Could not translate an event for native framework \(framework): \(error)")
                }
            }
        }
        // The master ended the subscription (a failover elsewhere, a teardown, a removal).
        if sessions[peer]?.stream === stream {
            sessions[peer] = nil
            subscribing.remove(peer)
        }
    }

    private func send(_ message: (name: String, body: Data), to peer: ProcessID) {
        sender.send(LibprocessMessage(name: message.name, body: Array(message.body)), to: peer)
    }

    /// The driver's link broke: the framework is disconnected, as when a v1 stream closes.
    private func unreachable(_ peer: ProcessID) async {
        subscribing.remove(peer)
        guard let session = sessions[peer] else { return }
        end(peer)
        await master.frameworkStreamClosed(session.framework, streamID: session.stream.id)
    }

    /// Forgets where a framework's driver was, once the framework is gone for good.
    private func forget(_ framework: FrameworkID) { lastPeer[framework] = nil }

    private func end(_ peer: ProcessID) {
        guard let session = sessions.removeValue(forKey: peer) else { return }
        session.pump?.cancel()
        session.stream.finish()
    }
}
