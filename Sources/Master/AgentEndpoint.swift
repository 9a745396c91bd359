import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import MesosAPI
import NIOCore

/// The agent link: `POST /internal/agent/subscribe` opens the stream, `/internal/agent/call`
/// carries status updates.
struct AgentEndpoint: Sendable {
    let master: Master

    func subscribe(_ request: Request, channel: any Channel) async throws -> Response {
        var request = request
        let body = try await request.bodyData()
        let registration: AgentRegistration
        do {
            registration = try WireCodec.decode(AgentRegistration.self, from: body)
        } catch {
            return Reply.text(.badRequest, "Invalid agent registration: \(WireCodec.describe(error))")
        }
        if await master.isGone(registration.agentInfo.id) {
            return refusal(registration, "Agent \(registration.agentInfo.id?.value ?? "") was marked gone")
        }
        if await master.isDown(hostname: registration.agentInfo.hostname, endpoint: registration.endpoint) {
            return refusal(registration, "Agent attempted to register while its machine is in maintenance DOWN mode")
        }
        let stream = EventStream()
        guard let id = await master.registerAgent(registration, stream: stream) else {
            return Reply.text(.serviceUnavailable, "The registry could not admit the agent")
        }
        let master = self.master
        let beat = try? WireCodec.encode(AgentEvent.heartbeat)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let responseBody = stream.responseBody(heartbeat: beat, interval: .seconds(5)) { _ in
            await master.agentStreamClosed(id, streamID: stream.id)
        }
        stream.watch(channel) { await master.agentStreamClosed(id, streamID: stream.id) }
        return Response(status: .ok, headers: headers, body: responseBody)
    }

    /// A gone agent may never register again, nor one from a machine that is down; what it still
    /// runs is shut down, framework by framework, as Mesos shuts down an agent it turns away.
    private func refusal(_ registration: AgentRegistration, _ message: String) -> Response {
        let frameworks = Set(registration.tasks.map(\.frameworkId) + (registration.executors ?? []).map(\.frameworkId))
        guard !frameworks.isEmpty else { return Reply.text(.forbidden, message) }
        let stream = EventStream()
        for framework in frameworks.sorted() { stream.send(AgentEvent.shutdownFramework(framework)) }
        stream.finish()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: stream.responseBody(heartbeat: nil, interval: .seconds(5)) { _ in })
    }

    func call(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.bodyData()
        do {
            let call = try WireCodec.decode(AgentCall.self, from: body)
            await master.agentUpdates(call)
            return Reply.accepted()
        } catch {
            return Reply.text(.badRequest, "Invalid agent call: \(WireCodec.describe(error))")
        }
    }
}
