import HTTPSupport
import MesosAPI

/// `/master/state` in Mesos's legacy shape: plain string IDs, resources as name-keyed objects.
extension StateView {
    public func stateJSON(cache: StateCache? = nil) -> JSONValue {
        .object([
            ("version", .string(plinthMesosVersion)),
            ("build_date", "2026-11-25"),
            ("build_time", .number(startTime)),
            ("build_user", "plinth"),
            ("start_time", .number(startTime)),
            ("elected_time", .number(startTime)),
            ("id", .string(info.id)),
            ("pid", .string(info.pid ?? "")),
            ("hostname", .string(config.hostname)),
            ("capabilities", .array((info.capabilities ?? []).map { .string($0.type) })),
            ("leader", .string(info.pid ?? "")),
            ("leader_info", .object([("id", .string(info.id)), ("pid", .string(info.pid ?? "")),
                                     ("port", .int(Int64(config.port))), ("hostname", .string(config.hostname))])),
            ("flags", .object(flagsJSON())),
            // Frameworks before agents (Mesos lists agents first; JSON readers go by name): their
            // task lists, most of the document and mostly kept from the last one, can be sent
            // while the agents and offers are written. The agent counts follow the agents.
            ("frameworks", .array(frameworks.values.sorted { $0.id < $1.id }.map { frameworkJSON($0, cache: cache) })),
            ("completed_frameworks", .array(completedFrameworks.map { frameworkJSON($0, cache: cache) })),
            ("slaves", agentsJSONList(cache: cache)),
            ("activated_slaves", .stream(size: 8) { JSONValue.number(Double(activeAgentCount), into: &$0) }),
            ("deactivated_slaves", .stream(size: 8) { JSONValue.number(Double(agents.count - activeAgentCount), into: &$0) }),
            ("unreachable_slaves", .number(Double(unreachableAgents.count))),
            ("recovered_slaves", .array([])),
            ("orphan_tasks", .array([])),
            ("unregistered_frameworks", .array([])),
        ])
    }

    /// As the agents' writer counted them, or counted now.
    private var activeAgentCount: Int {
        if let known = legacyMemo.activeAgents { return known }
        let count = agents.values.reduce(0) { $0 + ($1.active ? 1 : 0) }
        legacyMemo.activeAgents = count
        return count
    }

    func flagsJSON() -> [(String, JSONValue)] {
        if !config.flags.isEmpty { return config.flags.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) } }
        var flags: [(String, JSONValue)] = [
            ("ip", .string(config.ip)), ("port", .string(String(config.port))),
            ("hostname", .string(config.hostname)),
            ("allocation_interval", .string(durationFlag(config.allocationInterval))),
        ]
        if let dir = config.workDir { flags.append(("work_dir", .string(dir))) }
        if let timeout = config.offerTimeout { flags.append(("offer_timeout", .string(durationFlag(timeout)))) }
        return flags
    }

    private func durationFlag(_ d: Duration) -> String {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        return ms % 1000 == 0 ? "\(ms / 1000)secs" : "\(ms)ms"
    }

    /// Used and offered resources per agent. Used is what the allocator holds on the agent (for
    /// tasks and executors, as Mesos counts it) less what is offered: one subtraction per agent,
    /// not one addition per task.
    func agentUsage() -> (used: [AgentID: Resources], offered: [AgentID: Resources]) {
        let totals = offerTotals
        var used: [AgentID: Resources] = [:]
        var offered: [AgentID: Resources] = [:]
        used.reserveCapacity(agents.count)
        for id in agents.keys {
            let slot = allocator.slot(of: id)
            let holding = slot.flatMap { allocator.holdingInputs(slot: $0, agent: id) }
            let held = holding.map { $0.total - $0.available } ?? Resources()
            let onOffer = self.offered(on: id, keptAt: slot, totals: totals)
            if onOffer.isEmpty {
                used[id] = held
            } else {
                used[id] = held - onOffer
                offered[id] = onOffer
            }
        }
        return (used, offered)
    }

    /// What is on offer on the agent; `slot` is where the caller last saw the allocator keep it
    /// (checked, and looked up again if it no longer does).
    func offered(on agent: AgentID, slot: Int?, totals: OfferTotals) -> Resources {
        let kept = slot.flatMap { allocator.holds(agent, at: $0) ? $0 : nil } ?? allocator.slot(of: agent)
        return offered(on: agent, keptAt: kept, totals: totals)
    }

    /// The same, for a caller that knows the slot keeps the agent (nil: the allocator has none).
    func offered(on agent: AgentID, keptAt slot: Int?, totals: OfferTotals) -> Resources {
        var sum = Resources()
        if let slot, slot < totals.bySlot.count { sum = totals.bySlot[slot] }
        if !totals.unslotted.isEmpty, let more = totals.unslotted[agent] { sum += more }
        return sum
    }

    /// What is on offer, by agent and by framework, and each framework's offers as JSON: one
    /// pass over the offers, once per view. An offer never changes, so its JSON is written by
    /// the first document that lists it and copied by the next ones.
    var offerTotals: OfferTotals {
        if let known = legacyMemo.offerTotals { return known }
        var totals = OfferTotals()
        totals.bySlot = Array(repeating: Resources(), count: allocator.slotCount)
        let memo = legacyMemo
        for (id, offer) in offers {
            if let slot = offer.agentSlot, allocator.holds(offer.agentID, at: slot) {
                // Most agents have one offer at a time: its resources are the sum, kept as they are.
                if totals.bySlot[slot].isEmpty {
                    totals.bySlot[slot] = offer.resources
                } else {
                    totals.bySlot[slot] += offer.resources
                }
            } else {
                totals.unslotted[offer.agentID, default: Resources()] += offer.resources
            }
            totals.byFramework[offer.frameworkID, default: Resources()] += offer.resources
            let bytes = offer.legacyJSON { Self.offerBytes(id, offer, memo: memo) }
            totals.listed[offer.frameworkID, default: []].append(bytes)
        }
        legacyMemo.offerTotals = totals
        return totals
    }

    /// What the framework's tasks and executors hold, by the same reckoning.
    func usedResources(of framework: FrameworkID, offered: Resources) -> Resources {
        allocator.allocated(to: framework) - offered
    }

    func frameworkJSON(_ framework: FrameworkEntry) -> JSONValue { frameworkJSON(framework, cache: nil) }

    /// The framework's own fields and task lists come first; what it holds and has on offer
    /// (a pass over the offers and the allocator) is written when the writer gets to it, after
    /// the task lists have been handed on.
    func frameworkJSON(_ framework: FrameworkEntry, cache: StateCache?) -> JSONValue {
        let info = framework.info
        var pairs: [(String, JSONValue)] = [
            ("id", .string(framework.id.value)),
            ("name", .string(info.name)),
            ("capabilities", .array((info.capabilities ?? []).map { .string($0.type) })),
            ("hostname", .string(info.hostname ?? "")),
            ("webui_url", .string(info.webuiUrl ?? "")),
            ("active", .bool(framework.active)),
            ("connected", .bool(framework.connected)),
            ("recovered", .bool(framework.recovered)),
            ("user", .string(info.user)),
            ("failover_timeout", .number(framework.failoverTimeout)),
            ("checkpoint", .bool(info.checkpoint ?? false)),
            ("registered_time", .number(framework.registeredTime)),
            ("unregistered_time", .number(framework.unregisteredTime ?? 0)),
        ]
        if let principal = info.principal { pairs.append(("principal", .string(principal))) }
        if let t = framework.reregisteredTime { pairs.append(("reregistered_time", .number(t))) }
        if info.hasCapability("MULTI_ROLE") {
            pairs.append(("roles", .array((info.roles ?? []).map { .string($0) })))
        } else {
            pairs.append(("role", .string(info.role ?? "*")))
        }
        let id = framework.id
        pairs += [
            // In the table's order, as Mesos lists them: sorting 100,000 tasks would copy each.
            ("tasks", cache?.list(framework, completed: false) { tasksJSON(framework.tasks.values) }
                ?? tasksJSON(framework.tasks.values)),
            ("unreachable_tasks", .array([])),
            ("completed_tasks", cache?.list(framework, completed: true) { tasksJSON(framework.completedTasks) }
                ?? tasksJSON(framework.completedTasks)),
            ("used_resources", .stream(size: 96) { legacy(usage(of: id).used).write(into: &$0) }),
            ("offered_resources", .stream(size: 96) { legacy(usage(of: id).offered).write(into: &$0) }),
            ("resources", .stream(size: 96) { legacy(usage(of: id).used + usage(of: id).offered).write(into: &$0) }),
            ("offers", offersJSON(of: id)),
            ("executors", .array([])),
        ]
        return .object(pairs)
    }

    /// What the framework's tasks and executors hold, and what it has on offer; once per view.
    private func usage(of framework: FrameworkID) -> (used: Resources, offered: Resources) {
        if let known = legacyMemo.frameworkUsage[framework] { return known }
        let offered = offerTotals.byFramework[framework] ?? Resources()
        let usage = (usedResources(of: framework, offered: offered), offered)
        legacyMemo.frameworkUsage[framework] = usage
        return usage
    }

    func taskJSON(_ task: TaskEntry) -> JSONValue {
        var bytes: [UInt8] = []
        writeTask(task, into: &bytes)
        return .raw(bytes)
    }

    /// A framework's outstanding offers, copied from what `offerTotals` gathered.
    func offersJSON(of framework: FrameworkID) -> JSONValue {
        .stream(size: 2) { out in
            let listed = offerTotals.listed[framework] ?? []
            out.append(UInt8(ascii: "["))
            for (index, bytes) in listed.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: bytes)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    private static func offerBytes(_ id: OfferID, _ offer: OfferEntry, memo: LegacyMemo) -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: #"{"id":"#.utf8)
        JSONValue.quote(id.value, into: &out)
        out.append(contentsOf: #","framework_id":"#.utf8)
        JSONValue.quote(offer.frameworkID.value, into: &out)
        out.append(contentsOf: #","slave_id":"#.utf8)
        JSONValue.quote(offer.agentID.value, into: &out)
        out.append(contentsOf: #","resources":"#.utf8)
        out.append(contentsOf: memo.legacyBytes(offer.resources))
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Reserved resources keyed by the role they are reserved for.
    func reservedJSON(_ resources: Resources) -> JSONValue {
        let reserved = resources.reserved
        let roles = Set(reserved.resources.map(\.reservedRole)).sorted()
        return .object(roles.map { ($0, legacy(reserved.reserved(for: $0))) })
    }

    /// Memoised per view: a large cluster's tasks share a handful of resource shapes, and the
    /// legacy form of each is worth building once per document, not once per task.
    func legacy(_ resources: Resources) -> JSONValue { legacyMemo.legacy(resources) }

    static func legacy(_ resources: Resources) -> JSONValue {
        let ordered = ["cpus", "gpus", "mem", "disk"]
        let values = resources.legacyJSON
        var pairs: [(String, JSONValue)] = ordered.compactMap { name in values[name].map { (name, convert($0)) } }
        for name in values.keys.sorted() where !ordered.contains(name) { pairs.append((name, convert(values[name]!))) }
        return .object(pairs)
    }

    private static func convert(_ value: LegacyValue) -> JSONValue {
        switch value {
        case .number(let d): return .number(d)
        case .string(let s): return .string(s)
        }
    }

    func attributesJSON(_ attributes: [Attribute]) -> JSONValue {
        .object(attributes.map { a in
            switch a.type {
            case .SCALAR: return (a.name, .number(a.scalar?.value ?? 0))
            case .TEXT: return (a.name, .string(a.text?.value ?? ""))
            case .RANGES: return (a.name, .string(Resources.describe(Resource(name: a.name, type: .RANGES, ranges: a.ranges))
                .split(separator: ":", maxSplits: 1).last.map(String.init) ?? ""))
            case .SET: return (a.name, .string("{\((a.set?.item ?? []).joined(separator: ", "))}"))
            }
        })
    }
}
