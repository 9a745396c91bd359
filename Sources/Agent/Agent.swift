import AsyncHTTPClient
import Election
import ZooKeeper
import Foundation
import HTTPSupport
import Logging
import MesosAPI

/// The agent: keeps a link to the master, runs command tasks, and delivers their status
/// updates at least once and in order (see `StatusUpdateManager`).
public actor Agent {
    public let config: AgentConfig
    let runtime: ContainerRuntime
    let logger: Logger
    let client: StreamingClient
    let startInstant = ContinuousClock.now
    public nonisolated let startTime = Date().timeIntervalSince1970

    var agentID: AgentID?
    var connected = false
    var masterInfo: MasterInfo?
    var frameworks: [FrameworkID: FrameworkInfo] = [:]
    var tasks: [StatusUpdateManager.Key: CommandTask] = [:]
    /// Tasks that ended, by their first terminal state (for `slave/tasks_*`).
    var terminalCounts: [TaskState: Int] = [:]
    var validStatusUpdates = 0
    var completed: [CommandTask] = []
    var updates: StatusUpdateManager
    var background: [Task<Void, Never>] = []
    var stopping = false
    var outbox: [AgentCall.Update] = []
    var flushScheduled = false
    var executors: [CustomExecutor.Key: CustomExecutor] = [:]
    /// The built-in default executor's groups, per executor ID.
    var defaultExecutors: [CustomExecutor.Key: DefaultExecutor] = [:]
    /// Executor messages and exits waiting to reach the master.
    var notices: [AgentCall.ExecutorNotice] = []
    /// Finished sandboxes awaiting `--gc_delay`, soonest first, and the one timer for them.
    var sandboxGC: [(due: ContinuousClock.Instant, path: String)] = []
    var sandboxGCTimer: Task<Void, Never>?
    /// Whether this run has written its agent checkpoint.
    var checkpointed = false
    /// Set while the master drains this agent, for `/state`.
    var drainConfig: DrainConfig?
    /// The checkpoint log of checkpointing frameworks' tasks, once the agent has an ID.
    var stateLog: StateLog?
    var checkpointedFrameworks: [FrameworkID: FrameworkInfo] = [:]
    /// `host:port` of the master the agent talks to: `--master`, or the leader ZooKeeper names.
    var masterAddress: String
    /// With `--master=zk://...`: follows the election.
    let detector: MasterDetector?
    /// The current link to the master, cancelled when another master is elected.
    var link: Task<Void, Error>?
    var leaderMoved = false
    /// Native executors a restart recovered, with this agent's ID: `NativeExecutors` asks each
    /// to register again (ReconnectExecutorMessage), as a native driver waits to be asked.
    public nonisolated let nativeReconnects: AsyncStream<(pid: String, agent: AgentID)>
    let nativeReconnectSink: AsyncStream<(pid: String, agent: AgentID)>.Continuation

    /// `runtime` comes from `ContainerRuntime.prepare(config)`, which is where a bad
    /// `--isolation` is refused.
    public init(config: AgentConfig, runtime: ContainerRuntime, http: HTTPClient,
                logger: Logger = Logger(label: "plinth.agent")) {
        self.config = config
        self.runtime = runtime
        self.logger = logger
        self.client = StreamingClient(http: http)
        self.updates = StatusUpdateManager(initialBackoff: config.statusRetryInterval)
        self.agentID = config.recoveredAgentID
        (nativeReconnects, nativeReconnectSink) = AsyncStream.makeStream()
        if let url = try? ZooKeeperURL(parsing: config.master), config.master.hasPrefix("zk://") {
            self.detector = MasterDetector(url: url, sessionTimeout: config.zkSessionTimeout, logger: logger)
            self.masterAddress = ""
        } else {
            self.detector = nil
            self.masterAddress = config.master
        }
    }

    var now: Double {
        let elapsed = ContinuousClock.now - startInstant
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    public var id: AgentID? { agentID }
    public var isConnected: Bool { connected }
    nonisolated var endpoint: String { "\(config.advertiseIP ?? config.ip):\(config.advertisePort ?? config.port)" }
    /// Every sandbox lives under here; the file API serves nothing outside it (not the
    /// fetcher's cache nor the image store, which share the work directory).
    public nonisolated var sandboxRoot: String { "\(config.workDir)/slaves" }
    var masterURL: String { "http://\(masterAddress)" }

    /// Starts the master link and the retry timer.
    public func start() {
        if let recovered = config.recovered { recover(recovered) }
        if let detector { background.append(Task { [weak self] in await self?.followLeader(detector) }) }
        background.append(Task { [weak self] in await self?.linkLoop() })
        background.append(Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                await self?.retryDue()
            }
        })
        startLimitWatch()
    }

    /// Stops the link and kills the tasks. As with Mesos, an agent that stops leaves the tasks and
    /// executors of checkpointing frameworks running for its next run to recover (an upgrade
    /// is a restart), unless `keepRecoverable` is false, as for `plinth dev`, whose work
    /// directory may not outlive it.
    public func shutdown(keepRecoverable: Bool = false) async {
        stopping = true
        nativeReconnectSink.finish()
        background.forEach { $0.cancel() }
        link?.cancel()
        sandboxGCTimer?.cancel()
        stateLog?.sync()
        let kept = { (framework: FrameworkID) in keepRecoverable && self.checkpoints(framework) && self.stateLog != nil }
        let running = tasks.values.filter { !kept($0.frameworkID) }.compactMap { task in task.handle.map { ($0, task.container) } }
            + executors.values.filter { !kept($0.frameworkID) }.compactMap { executor in executor.handle.map { ($0, executor.container) } }
        await withTaskGroup(of: Void.self) { group in
            for (handle, container) in running {
                group.addTask {
                    _ = await handle.terminate(gracePeriod: .seconds(1))
                    _ = container?.teardown()
                }
            }
        }
        if !tasks.values.contains(where: { kept($0.frameworkID) && !$0.state.isTerminal }) { runtime.cgroups?.removeBases() }
    }

    private func linkLoop() async {
        var delay = 0.2
        while !Task.isCancelled && !stopping {
            if let detector {
                masterAddress = Candidacy.address(of: await detector.awaitLeader())
                leaderMoved = false
            }
            let current = Task { try await self.runLink() }
            link = current
            do {
                try await current.value
            } catch {
                if connected { logger.warning("Lost the master: \(error)") }
            }
            if connected { logger.info("Disconnected from the master; registering again") }
            connected = false
            if leaderMoved {
                delay = 0.2
                continue
            }
            // Sleeps in short steps, so a newly elected master is not kept waiting.
            let until = ContinuousClock.now + .milliseconds(Int64(delay * 1000))
            while ContinuousClock.now < until && !leaderMoved && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(50))
            }
            delay = leaderMoved ? 0.2 : min(delay * 2, 2)
        }
    }

    private func runLink() async throws {
        let body = try WireCodec.encode(registration())
        let (_, records) = try await client.openStream(url: "\(masterURL)/internal/agent/subscribe", body: body)
        for try await record in records {
            try Task.checkCancellation()
            let event = try WireCodec.decode(AgentEvent.self, from: record)
            handle(event)
        }
    }

    /// Follows the election: a new leader ends the link to the old one.
    private func followLeader(_ detector: MasterDetector) async {
        while !Task.isCancelled {
            do {
                try await detector.start()
                break
            } catch {
                logger.warning("Cannot reach ZooKeeper at \(config.master): \(error); retrying")
                try? await Task.sleep(for: .seconds(1))
            }
        }
        for await leader in await detector.changes() {
            let address = leader.map(Candidacy.address(of:))
            guard address != masterAddress else { continue }
            if let address { logger.info("A new master leads: \(address)") }
            leaderMoved = true
            link?.cancel()
        }
    }

    /// This agent as the master, its checkpoint and its executors see it.
    nonisolated func agentInfo(_ id: AgentID?) -> AgentInfo {
        AgentInfo(hostname: config.hostname, port: Int32(config.port), resources: config.resources.resources,
                  attributes: config.attributes, id: id)
    }

    func registration() -> AgentRegistration {
        let info = agentInfo(agentID)
        let reports = tasks.values.map { AgentTaskReport(frameworkId: $0.frameworkID, task: $0.info, state: $0.state) }
        let running = executors.values.map { AgentExecutorReport(frameworkId: $0.frameworkID, executor: $0.info) }
            + defaultExecutors.map { AgentExecutorReport(frameworkId: $0.key.framework, executor: $0.value.info) }
        let known = Set(tasks.values.map(\.frameworkID) + running.map(\.frameworkId))
        return AgentRegistration(agentInfo: info, endpoint: endpoint,
                                 frameworks: known.compactMap { frameworks[$0] }, tasks: reports, executors: running)
    }

    func handle(_ event: AgentEvent) {
        switch event.type {
        case .REGISTERED:
            if let id = event.agentId, id != agentID || !checkpointed { checkpoint(id) }
            if let id = event.agentId { openStateLog(id) }
            agentID = event.agentId
            masterInfo = event.masterInfo
            connected = true
            logger.info("Registered with the master as agent \(event.agentId?.value ?? "?")")
            send(updates.resend(now: now))
            if !notices.isEmpty { scheduleFlush() }
        case .LAUNCH:
            if let task = event.task, let framework = event.frameworkInfo { launch(task, framework: framework) }
        case .KILL:
            if let task = event.taskId, let framework = event.frameworkId {
                kill(StatusUpdateManager.Key(framework: framework, task: task), grace: event.gracePeriod)
            }
        case .ACKNOWLEDGE:
            if let task = event.taskId, let framework = event.frameworkId, let uuid = event.uuid {
                acknowledge(framework: framework, task: task, uuid: uuid)
            }
        case .SHUTDOWN_FRAMEWORK:
            if let framework = event.frameworkId { shutdownFramework(framework) }
        case .RESEND:
            if let framework = event.frameworkId { send(updates.resend(framework: framework, now: now)) }
        case .LAUNCH_GROUP:
            if let group = event.tasks, let executor = event.executorInfo, let framework = event.frameworkInfo {
                launchGroup(group, executor: executor, framework: framework)
            }
        case .DRAIN:
            drainConfig = event.drainConfig
            logger.info(event.drainConfig == nil ? "No longer draining" : "Draining: the master is killing every task")
        case .MESSAGE:
            if let framework = event.frameworkId, let executor = event.executorId, let data = event.data {
                deliverMessage(framework: framework, executor: executor, data: data)
            }
        case .HEARTBEAT:
            break
        }
    }

    /// Records the agent ID before the agent acts under it, so a restart comes back as the same agent.
    private func checkpoint(_ id: AgentID) {
        guard config.checkpointAgent else { return }
        do {
            try AgentCheckpoint(workDir: config.workDir).save(agentInfo(id))
            checkpointed = true
        } catch {
            logger.error("Failed to checkpoint the agent's ID: \(error)")
        }
    }

    func acknowledge(framework: FrameworkID, task: TaskID, uuid: String) {
        let key = StatusUpdateManager.Key(framework: framework, task: task)
        if let next = updates.acknowledge(framework: framework, task: task, uuid: uuid, now: now) {
            send([next])
        }
        if checkpoints(framework) { checkpoint(.ack(framework: framework, task: task, uuid: uuid)) }
        if let done = tasks[key], done.state.isTerminal, !updates.hasPending(key) {
            forgetTask(done)
            tasks[key] = nil
            completed.append(done)
            if completed.count > 1000 { completed.removeFirst(completed.count - 1000) }
        }
    }

    private func retryDue() {
        guard connected else { return }
        send(updates.due(now: now))
    }

    /// Queues updates for the master. Everything queued while the actor is busy leaves in one
    /// post; a lost post is covered by the retry timer.
    func send(_ batch: [AgentCall.Update]) {
        guard connected, !batch.isEmpty else { return }
        outbox += batch
        scheduleFlush()
    }

    /// An executor's message or exit for the master; kept until the master is reachable.
    func notify(_ notice: AgentCall.ExecutorNotice) {
        notices.append(notice)
        scheduleFlush()
    }

    private func scheduleFlush() {
        guard connected, !flushScheduled else { return }
        flushScheduled = true
        Task { self.flush() }
    }

    private func flush() {
        flushScheduled = false
        stateLog?.sync()
        compactStateLogIfNeeded()
        guard connected, let agentID, !outbox.isEmpty || !notices.isEmpty else { outbox = []; return }
        let body = try? WireCodec.encode(AgentCall(agentId: agentID, updates: outbox,
                                                   executorNotices: notices.isEmpty ? nil : notices))
        outbox = []
        notices = []
        guard let body else { return }
        let client = self.client
        let url = "\(masterURL)/internal/agent/call"
        Task { _ = try? await client.post(url: url, body: body) }
    }

    /// Records a new state of a task and queues its update for delivery.
    func report(_ key: StatusUpdateManager.Key, _ state: TaskState, message: String? = nil,
                reason: StatusReason? = nil, source: StatusSource = .SOURCE_EXECUTOR,
                containerStatus: ContainerStatus? = nil, limitation: TaskResourceLimitation? = nil,
                healthy: Bool? = nil, checkStatus: CheckStatusInfo? = nil) {
        guard var task = tasks[key], task.state.canTransition(to: state) else { return }
        countTransition(from: task.state, to: state)
        validStatusUpdates += 1
        task.state = state
        tasks[key] = task
        var status = TaskStatus(taskId: key.task, state: state, message: message, source: source, reason: reason,
                                agentId: agentID, executorId: task.executorID ?? ExecutorID(key.task.value),
                                timestamp: Date().timeIntervalSince1970, uuid: StatusUUID.make())
        status.containerStatus = containerStatus
        status.limitation = limitation
        status.healthy = healthy
        status.checkStatus = checkStatus
        if checkpoints(key.framework) { checkpoint(.update(status, framework: key.framework)) }
        if let first = updates.add(status, framework: key.framework, now: now) { send([first]) }
    }
}
