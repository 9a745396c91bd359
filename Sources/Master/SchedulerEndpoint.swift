import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import MesosAPI
import MesosProtobuf
import NIOCore

/// `POST /api/v1/scheduler`: the HTTP rules (method, media types, stream IDs, status codes) in
/// front of the master's call handling.
struct SchedulerEndpoint: Sendable {
    let master: Master

    func respond(_ request: Request, channel: any Channel) async throws -> Response {
        guard request.method == .post else { return Reply.methodNotAllowed() }
        let formats: V1Formats
        switch request.v1Formats(checkAccept: false, protobuf: true) {
        case .success(let found): formats = found
        case .failure(let error): return error.response
        }
        var request = request
        let call: Call
        switch Reply.decodeCall(Call.self, from: try await request.bodyData(), format: formats.body, as: .schedulerCall) {
        case .success(let decoded): call = decoded
        case .failure(let error): return error.response
        }
        if let problem = call.structuralProblem {
            return Reply.text(.badRequest, "Failed to validate scheduler::Call: \(problem)")
        }
        if call.type == .SUBSCRIBE {
            let reply: WireFormat
            switch request.v1Formats(checkAccept: true, protobuf: true) {
            case .success(let found): reply = found.reply
            case .failure(let error): return error.response
            }
            if request.headers[.mesosStreamID] != nil {
                return Reply.text(.badRequest, "Subscribe calls should not include the 'Mesos-Stream-Id' header")
            }
            return await subscribe(call.subscribe!, reply: reply, channel: channel)
        }
        if call.type == .UNKNOWN { return Reply.text(.notImplemented, "Received an unknown call type") }
        guard let streamID = request.headers[.mesosStreamID] else {
            return Reply.text(.badRequest, "All non-subscribe calls should include the 'Mesos-Stream-Id' header")
        }
        switch await master.handle(call, streamID: streamID) {
        case .accepted: return Reply.accepted()
        case .badRequest(let message): return Reply.text(.badRequest, message)
        case .forbidden(let message): return Reply.text(.forbidden, message)
        case .notImplemented(let message): return Reply.text(.notImplemented, message)
        case .unavailable(let message): return Reply.text(.serviceUnavailable, message)
        }
    }

    private func subscribe(_ subscribe: Call.Subscribe, reply: WireFormat, channel: any Channel) async -> Response {
        let stream = EventStream(transcode: ProtobufBridge.transcoder(for: reply, as: .schedulerEvent))
        let outcome = await master.subscribe(subscribe, stream: stream)
        var headers = HTTPFields()
        headers[.contentType] = reply.mediaType
        headers[.mesosStreamID] = stream.id
        switch outcome {
        case .refused(let message):
            stream.send(Event.error(message))
            stream.finish()
            return Response(status: .ok, headers: headers,
                            body: stream.responseBody(heartbeat: nil, interval: .seconds(15)) { _ in })
        case .subscribed(let id):
            let master = self.master
            let beat = try? WireCodec.encode(Event.heartbeat)
            let body = stream.responseBody(heartbeat: beat, interval: master.config.heartbeatInterval) { broken in
                if broken { await master.frameworkStreamClosed(id, streamID: stream.id) }
            }
            stream.watch(channel) { await master.frameworkStreamClosed(id, streamID: stream.id) }
            return Response(status: .ok, headers: headers, body: body)
        }
    }
}
