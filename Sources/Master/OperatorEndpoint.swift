import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import MesosAPI
import MesosProtobuf
import NIOCore

/// `POST /api/v1` (and `/api/v1/<anything but scheduler>`): the v1 operator API, as far as
/// Plinth serves it. Responses are `{"type": NAME, "<name>": {...}}`.
struct OperatorEndpoint: Sendable {
    let master: Master
    var elected = true
    var channel: (any Channel)?
    /// Shares GET_STATE builds between concurrent callers, as `/master/state` does.
    var stateBatcher: StateBatcher?

    func respond(_ request: Request) async throws -> Response {
        guard request.method == .post else { return Reply.methodNotAllowed() }
        let formats: V1Formats
        switch request.v1Formats(checkAccept: true, protobuf: true) {
        case .success(let found): formats = found
        case .failure(let error): return error.response
        }
        var request = request
        let body = try await request.bodyData()
        let call: OperatorCall
        switch Reply.decodeCall(OperatorCall.self, from: body, format: formats.body, as: .masterCall) {
        case .success(let decoded): call = decoded
        case .failure(let error): return error.response
        }
        if call.type == .SUBSCRIBE { return await subscribe(reply: formats.reply) }
        return await answer(call).transcoded(to: formats.reply, as: .masterResponse)
    }

    /// The call's answer, in JSON.
    private func answer(_ call: OperatorCall) async -> Response {
        switch call.type {
        case .GET_HEALTH:
            return response(call.type, .object([("healthy", true)]))
        case .GET_VERSION:
            return response(call.type, .object([("version_info", .object([
                ("version", .string(plinthMesosVersion)), ("build_user", "plinth"),
                ("build_time", .number(master.startTime)),
            ]))]))
        case .SUBSCRIBE:
            return await subscribe(reply: .json)
        case .GET_FLAGS:
            return Reply.json(OperatorResponse(type: call.type, payload: FlagsPayload(master.config.flags)))
        case .GET_STATE:
            let master = self.master
            let build: @Sendable () async -> [ByteBuffer] = {
                let view = await master.stateView()
                return await StateBatcher.offThePool {
                    [ByteBuffer(bytes: (try? WireCodec.encode(OperatorResponse(type: .GET_STATE, payload: view.operatorState()))) ?? Data())]
                }
            }
            let document: [ByteBuffer]
            if let stateBatcher { document = await stateBatcher.document(build) } else { document = await build() }
            return document.allSatisfy { $0.readableBytes == 0 } ? Reply.text(.internalServerError, "Failed to encode the state")
                : Reply.raw(json: document, jsonp: nil)
        case .GET_AGENTS:
            return Reply.json(OperatorResponse(type: call.type, payload: await master.stateView().operatorAgents()))
        case .GET_FRAMEWORKS:
            return Reply.json(OperatorResponse(type: call.type, payload: await master.stateView().operatorFrameworks()))
        case .GET_EXECUTORS:
            return Reply.json(OperatorResponse(type: call.type, payload: await master.stateView().operatorExecutors()))
        case .GET_TASKS:
            return Reply.json(OperatorResponse(type: call.type, payload: await master.stateView().operatorTasks()))
        case .GET_OPERATIONS:
            // Plinth runs no operations with feedback (only RESERVE and UNRESERVE, which finish at once).
            return response(call.type, .object([("operations", .array([]))]))
        case .GET_LOGGING_LEVEL:
            return response(call.type, .object([("level", .int(Int64(await master.loggingLevel)))]))
        case .SET_LOGGING_LEVEL:
            guard let set = call.setLoggingLevel else { return missing("set_logging_level") }
            guard set.level >= 0 else { return Reply.text(.badRequest, "'level' must not be negative") }
            await master.setLoggingLevel(set.level, for: .nanoseconds(set.duration.nanoseconds))
            return Response(status: .ok)
        case .MARK_AGENT_GONE:
            guard let target = call.markAgentGone else { return missing("mark_agent_gone") }
            return outcome(await master.operatorMarkGone(target.agentId))
        case .GET_METRICS:
            return response(call.type, Reply.metricsList(await master.metricsSnapshot(elected: elected).sorted))
        case .GET_MASTER:
            return response(call.type, await master.masterJSON())
        case .GET_WEIGHTS:
            return response(call.type, .object([("weight_infos", weightsJSON(await master.roleWeights))]))
        case .UPDATE_WEIGHTS:
            guard let update = call.updateWeights else { return missing("update_weights") }
            return outcome(await master.updateWeights(update.weightInfos))
        case .GET_QUOTA:
            return response(call.type, .object([("status", await quotaStatusJSON())]))
        case .UPDATE_QUOTA:
            guard let update = call.updateQuota else { return missing("update_quota") }
            return outcome(await master.updateQuota(update.quotaConfigs, force: update.force ?? false))
        case .RESERVE_RESOURCES:
            guard let reserve = call.reserveResources else { return missing("reserve_resources") }
            return outcome(await master.operatorReserve(reserve), success: .accepted)
        case .UNRESERVE_RESOURCES:
            guard let unreserve = call.unreserveResources else { return missing("unreserve_resources") }
            return outcome(await master.operatorUnreserve(unreserve), success: .accepted)
        case .GET_ROLES:
            return response(call.type, .object([("roles", await master.rolesJSON(operator: true))]))
        case .DRAIN_AGENT:
            guard let drain = call.drainAgent else { return missing("drain_agent") }
            return outcome(await master.operatorDrain(drain))
        case .DEACTIVATE_AGENT:
            guard let target = call.deactivateAgent else { return missing("deactivate_agent") }
            return outcome(await master.operatorDeactivate(target.agentId))
        case .REACTIVATE_AGENT:
            guard let target = call.reactivateAgent else { return missing("reactivate_agent") }
            return outcome(await master.operatorReactivate(target.agentId))
        case .TEARDOWN:
            guard let teardown = call.teardown else { return missing("teardown") }
            return outcome(await master.operatorTeardown(teardown.frameworkId))
        case .LIST_FILES:
            guard let list = call.listFiles else { return missing("list_files") }
            return master.config.files?.listFilesReply(path: list.path) ?? MasterRouter.noFile(list.path)
        case .READ_FILE:
            guard let read = call.readFile else { return missing("read_file") }
            return master.config.files?.readFileReply(path: read.path, offset: read.offset, length: read.length)
                ?? MasterRouter.noFile(read.path)
        case .GET_MAINTENANCE_SCHEDULE:
            let schedule = await master.maintenanceSchedule
            return response(call.type, .object([("schedule", .raw(Array((try? WireCodec.encode(schedule)) ?? Data("{}".utf8))))]))
        case .GET_MAINTENANCE_STATUS:
            return response(call.type, .object([("status", await master.maintenanceStatusJSON)]))
        case .UPDATE_MAINTENANCE_SCHEDULE:
            guard let update = call.updateMaintenanceSchedule else { return missing("update_maintenance_schedule") }
            return outcome(await master.updateMaintenanceSchedule(update.schedule))
        case .START_MAINTENANCE:
            guard let start = call.startMaintenance else { return missing("start_maintenance") }
            return outcome(await master.startMaintenance(start.machines))
        case .STOP_MAINTENANCE:
            guard let stop = call.stopMaintenance else { return missing("stop_maintenance") }
            return outcome(await master.stopMaintenance(stop.machines))
        case .UNKNOWN:
            return Reply.text(.notImplemented, "Received an unknown call type")
        default:
            return Reply.text(.notImplemented, "The operator call \(call.type.rawValue) is not supported yet")
        }
    }

    /// A RecordIO stream of operator events, with a HEARTBEAT every heartbeat interval.
    private func subscribe(reply: WireFormat) async -> Response {
        let stream = EventStream(transcode: ProtobufBridge.transcoder(for: reply, as: .masterEvent))
        await master.operatorSubscribe(stream)
        let master = self.master
        let beat = Data(#"{"type":"HEARTBEAT"}"#.utf8)
        var headers = HTTPFields()
        headers[.contentType] = reply.mediaType
        let body = stream.responseBody(heartbeat: beat, interval: master.config.heartbeatInterval) { _ in
            await master.operatorUnsubscribe(stream.id)
        }
        if let channel { stream.watch(channel) { await master.operatorUnsubscribe(stream.id) } }
        return Response(status: .ok, headers: headers, body: body)
    }

    private func response(_ type: OperatorCall.Kind, _ payload: JSONValue) -> Response {
        Reply.json(.object([("type", .string(type.rawValue)), (type.rawValue.lowercased(), payload)]))
    }

    private func missing(_ field: String) -> Response {
        Reply.text(.badRequest, "Failed to validate master::Call: Expecting '\(field)' to be present")
    }

    private func outcome(_ outcome: Master.OperatorOutcome, success: HTTPResponse.Status = .ok) -> Response {
        switch outcome {
        case .ok: return success == .accepted ? Reply.accepted() : Response(status: success)
        case .badRequest(let message): return Reply.text(.badRequest, message)
        case .conflict(let message): return Reply.text(.conflict, message)
        case .unavailable(let message): return Reply.text(.serviceUnavailable, message)
        }
    }

    func weightsJSON(_ weights: [String: Double]) -> JSONValue {
        .array(weights.keys.sorted().map { .object([("weight", .number(weights[$0]!)), ("role", .string($0))]) })
    }

    func quotaStatusJSON() async -> JSONValue {
        let quotas = await master.roleQuotas
        return .object([("configs", .array(quotas.keys.sorted().map { QuotaJSON.config(quotas[$0]!) }))])
    }

    /// `/master/maintenance/schedule`: GET answers the schedule, POST replaces it.
    func legacyMaintenanceSchedule(_ request: Request) async throws -> Response {
        if request.method == .get { return Reply.json(await master.maintenanceSchedule) }
        guard request.method == .post else { return Reply.methodNotAllowed(allow: "GET, POST") }
        var request = request
        let body = try await request.bodyData()
        do {
            return outcome(await master.updateMaintenanceSchedule(try WireCodec.decode(MaintenanceSchedule.self, from: body)))
        } catch {
            return Reply.text(.badRequest, "Invalid maintenance schedule: \(WireCodec.describe(error))")
        }
    }

    /// `/master/machine/down` and `/master/machine/up`: a JSON array of machine IDs.
    func legacyMachines(_ request: Request, down: Bool) async throws -> Response {
        guard request.method == .post else { return Reply.methodNotAllowed(allow: "POST") }
        var request = request
        let body = try await request.bodyData()
        let machines: [MachineID]
        do {
            machines = try WireCodec.decode([MachineID].self, from: body)
        } catch {
            return Reply.text(.badRequest, "Expecting a JSON array of {\"hostname\", \"ip\"}: \(WireCodec.describe(error))")
        }
        return outcome(down ? await master.startMaintenance(machines) : await master.stopMaintenance(machines))
    }

    /// `GET /weights` answers a bare array; `PUT /weights` takes the same shape.
    func legacyWeights(_ request: Request) async throws -> Response {
        if request.method == .get { return Reply.json(weightsJSON(await master.roleWeights)) }
        guard request.method == .put || request.method == .post else { return Reply.methodNotAllowed(allow: "GET, PUT") }
        var request = request
        let body = try await request.bodyData()
        guard let infos = try? WireCodec.decode([WeightInfo].self, from: body) else {
            return Reply.text(.badRequest, "Expecting a JSON array of {\"weight\": number, \"role\": string}")
        }
        return outcome(await master.updateWeights(infos))
    }

    /// `GET /quota` answers the quota status; `POST /quota` takes an UpdateQuota body
    /// (`{"quota_configs": [...], "force": bool}`).
    func legacyQuota(_ request: Request) async throws -> Response {
        if request.method == .get { return Reply.json(await quotaStatusJSON()) }
        guard request.method == .post else { return Reply.methodNotAllowed(allow: "GET, POST") }
        var request = request
        let body = try await request.bodyData()
        guard let update = try? WireCodec.decode(OperatorCall.UpdateQuota.self, from: body) else {
            return Reply.text(.badRequest, "Expecting {\"quota_configs\": [{\"role\": ..., \"guarantees\": {...}, \"limits\": {...}}]}")
        }
        return outcome(await master.updateQuota(update.quotaConfigs, force: update.force ?? false))
    }
}

enum QuotaJSON {
    static func config(_ config: QuotaConfig) -> JSONValue {
        func amounts(_ map: [String: Double]) -> JSONValue {
            .object(map.keys.sorted().map { ($0, .object([("value", .number(map[$0]!))])) })
        }
        return .object([("role", .string(config.role)), ("guarantees", amounts(config.guaranteeAmounts)),
                        ("limits", amounts(config.limitAmounts))])
    }
}
