import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import MesosAPI
import MesosProtobuf

/// `POST /api/v1/executor`: the v1 executor API. SUBSCRIBE answers a RecordIO stream;
/// UPDATE, MESSAGE and HEARTBEAT answer 202, with Mesos's 400s for what does not fit.
struct ExecutorEndpoint: Sendable {
    let agent: Agent

    func respond(_ request: Request) async throws -> Response {
        guard request.method == .post else { return Reply.methodNotAllowed() }
        let formats: V1Formats
        switch request.v1Formats(checkAccept: true, protobuf: true) {
        case .success(let found): formats = found
        case .failure(let error): return error.response
        }
        var request = request
        let body = try await request.bodyData()
        let call: ExecutorCall
        switch Reply.decodeCall(ExecutorCall.self, from: body, format: formats.body, as: .executorCall) {
        case .success(let decoded): call = decoded
        case .failure(let error): return error.response
        }
        switch call.type {
        case .HEARTBEAT:
            return Reply.accepted()
        case .SUBSCRIBE:
            let stream = EventStream(transcode: ProtobufBridge.transcoder(for: formats.reply, as: .executorEvent))
            if let problem = await agent.executorSubscribed(call, stream: stream) {
                return Reply.text(.badRequest, problem)
            }
            let agent = self.agent
            let key = CustomExecutor.Key(framework: call.frameworkId, executor: call.executorId)
            var headers = HTTPFields()
            headers[.contentType] = formats.reply.mediaType
            let beat = try? WireCodec.encode(ExecutorEvent.heartbeat)
            let body = stream.responseBody(heartbeat: beat, interval: .seconds(30)) { _ in
                await agent.executorDisconnected(key, streamID: stream.id)
            }
            return Response(status: .ok, headers: headers, body: body)
        case .UPDATE:
            guard let update = call.update else { return Reply.text(.badRequest, "Expecting 'update' to be present") }
            if let problem = await agent.executorUpdate(call, status: update.status) {
                return Reply.text(.badRequest, problem)
            }
            return Reply.accepted()
        case .MESSAGE:
            guard let message = call.message else { return Reply.text(.badRequest, "Expecting 'message' to be present") }
            if let problem = await agent.executorMessage(call, data: message.data) {
                return Reply.text(.badRequest, problem)
            }
            return Reply.accepted()
        case .UNKNOWN:
            return Reply.text(.notImplemented, "Received an unknown call type")
        }
    }
}

extension Agent {
    /// SUBSCRIBE: the stream replaces any earlier one; SUBSCRIBED, then every queued task.
    func executorSubscribed(_ call: ExecutorCall, stream: EventStream) -> String? {
        let key = CustomExecutor.Key(framework: call.frameworkId, executor: call.executorId)
        guard let framework = frameworks[call.frameworkId] else { return "Framework cannot be found" }
        guard var entry = executors[key], let agentID else { return "Executor cannot be found" }
        entry.stream?.finish()
        entry.stream = stream
        let queued = entry.queued
        entry.queued = []
        executors[key] = entry
        stream.send(ExecutorEvent.subscribed(entry.info, framework: framework, agent: agentInfo(agentID),
                                             container: entry.containerID))
        if entry.shuttingDown {
            stream.send(ExecutorEvent.shutdown)
            return nil
        }
        for task in queued { stream.send(ExecutorEvent.launch(task)) }
        if entry.recovered {
            executors[key]?.recovered = false
            resubscribed(call, entry: entry, stream: stream, sent: Set(queued.map(\.taskId)))
        }
        logger.info("Executor \(call.executorId.value) of framework \(call.frameworkId.value) subscribed")
        return nil
    }

    /// A recovered executor is back: updates it sent that the agent never checkpointed are taken
    /// now (duplicates are dropped by uuid), and tasks it never received are launched again.
    private func resubscribed(_ call: ExecutorCall, entry: CustomExecutor, stream: EventStream, sent: Set<TaskID>) {
        // Neither what the executor says it has nor what was just sent from the queue goes
        // again: a second launch of one task is fatal to libmesos's driver.
        let known = Set((call.subscribe?.unacknowledgedTasks ?? []).map(\.taskId)).union(sent)
        for update in call.subscribe?.unacknowledgedUpdates ?? [] {
            _ = executorUpdate(call, status: update.status)
        }
        for taskID in entry.taskIDs.sorted(by: { $0.value < $1.value }) where !known.contains(taskID) {
            guard let task = tasks[.init(framework: call.frameworkId, task: taskID)], task.state == .TASK_STAGING,
                  !task.killRequested else { continue }
            stream.send(ExecutorEvent.launch(task.info))
        }
    }

    func executorDisconnected(_ key: CustomExecutor.Key, streamID: String) {
        guard executors[key]?.stream?.id == streamID else { return }
        executors[key]?.stream = nil
    }

    /// UPDATE: the executor's own update, under its own uuid, enters the same at-least-once
    /// delivery as the agent's; the executor hears ACKNOWLEDGED as soon as the agent has it.
    func executorUpdate(_ call: ExecutorCall, status: TaskStatus) -> String? {
        guard let uuid = status.uuid, Data(base64Encoded: uuid) != nil else { return "Status update must have a valid 'uuid'" }
        if status.source != nil && status.source != .SOURCE_EXECUTOR {
            return "Received Status update with a 'source' other than SOURCE_EXECUTOR"
        }
        if status.state == .TASK_STAGING { return "Received TASK_STAGING from the executor" }
        if let executor = status.executorId, executor != call.executorId {
            return "ExecutorID in Call: \(call.executorId.value) does not match ExecutorID in TaskStatus: \(executor.value)"
        }
        let key = StatusUpdateManager.Key(framework: call.frameworkId, task: status.taskId)
        let executorKey = CustomExecutor.Key(framework: call.frameworkId, executor: call.executorId)
        guard let entry = executors[executorKey] else { return "Executor cannot be found" }
        if var task = tasks[key], task.executorID == call.executorId, task.state.canTransition(to: status.state) {
            countTransition(from: task.state, to: status.state)
            validStatusUpdates += 1
            task.state = status.state
            tasks[key] = task
            var forwarded = status
            forwarded.source = .SOURCE_EXECUTOR
            forwarded.agentId = agentID
            forwarded.executorId = call.executorId
            if forwarded.timestamp == nil { forwarded.timestamp = Date().timeIntervalSince1970 }
            if checkpoints(call.frameworkId) {
                checkpoint(.update(forwarded, framework: call.frameworkId))
                stateLog?.sync()
            }
            if let first = updates.add(forwarded, framework: call.frameworkId, now: now) { send([first]) }
        }
        entry.stream?.send(ExecutorEvent.acknowledged(status.taskId, uuid: uuid))
        return nil
    }

    func executorMessage(_ call: ExecutorCall, data: Base64Bytes) -> String? {
        guard executors[CustomExecutor.Key(framework: call.frameworkId, executor: call.executorId)] != nil else {
            return "Executor cannot be found"
        }
        notify(AgentCall.ExecutorNotice(frameworkId: call.frameworkId, executorId: call.executorId, data: data))
        return nil
    }
}
