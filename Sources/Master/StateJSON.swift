import HTTPSupport
import MesosAPI

/// `/master/state` in Mesos's legacy shape: plain string IDs, resources as name-keyed objects.
extension StateView {
    public func stateJSON(cache: StateCache? = nil) -> JSONValue {
        let active = agents.values.filter(\.active).count
        return .object([
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
            ("activated_slaves", .number(Double(active))),
            ("deactivated_slaves", .number(Double(agents.count - active))),
            ("unreachable_slaves", .number(Double(unreachableAgents.count))),
            ("leader", .string(info.pid ?? "")),
            ("leader_info", .object([("id", .string(info.id)), ("pid", .string(info.pid ?? "")),
                                     ("port", .int(Int64(config.port))), ("hostname", .string(config.hostname))])),
            ("flags", .object(flagsJSON())),
            ("slaves", agentsJSONList(cache: cache)),
            ("recovered_slaves", .array([])),
            ("frameworks", .array(frameworks.values.sorted { $0.id < $1.id }.map { frameworkJSON($0, cache: cache) })),
            ("completed_frameworks", .array(completedFrameworks.map { frameworkJSON($0, cache: cache) })),
            ("orphan_tasks", .array([])),
            ("unregistered_frameworks", .array([])),
        ])
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
        let offered = offeredByAgent()
        var used: [AgentID: Resources] = [:]
        used.reserveCapacity(agents.count)
        for id in agents.keys {
            let held = allocator.held(on: id)
            used[id] = offered[id].map { held - $0 } ?? held
        }
        return (used, offered)
    }

    func offeredByAgent() -> [AgentID: Resources] { offerTotals.byAgent }

    /// What is on offer, by agent and by framework: one pass over the offers, once per view.
    var offerTotals: OfferTotals {
        if let known = legacyMemo.offerTotals { return known }
        var totals = OfferTotals()
        for index in offers.indices {
            let resources = offers.values[index].resources
            totals.byAgent[offers.values[index].agentID, default: Resources()] += resources
            totals.byFramework[offers.values[index].frameworkID, default: Resources()] += resources
        }
        legacyMemo.offerTotals = totals
        return totals
    }

    /// What the framework's tasks and executors hold, by the same reckoning.
    func usedResources(of framework: FrameworkEntry, offered: Resources) -> Resources {
        allocator.allocated(to: framework.id) - offered
    }

    func frameworkJSON(_ framework: FrameworkEntry) -> JSONValue { frameworkJSON(framework, cache: nil) }

    func frameworkJSON(_ framework: FrameworkEntry, cache: StateCache?) -> JSONValue {
        let offered = offerTotals.byFramework[framework.id] ?? Resources()
        let used = usedResources(of: framework, offered: offered)
        let info = framework.info
        var pairs: [(String, JSONValue)] = [
            ("id", .string(framework.id.value)),
            ("name", .string(info.name)),
            ("used_resources", legacy(used)),
            ("offered_resources", legacy(offered)),
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
        pairs.append(("resources", legacy(used + offered)))
        if let t = framework.reregisteredTime { pairs.append(("reregistered_time", .number(t))) }
        if info.hasCapability("MULTI_ROLE") {
            pairs.append(("roles", .array((info.roles ?? []).map { .string($0) })))
        } else {
            pairs.append(("role", .string(info.role ?? "*")))
        }
        pairs += [
            // In the table's order, as Mesos lists them: sorting 100,000 tasks would copy each.
            ("tasks", cache?.list(framework, completed: false) { tasksJSON(framework.tasks.values) }
                ?? tasksJSON(framework.tasks.values)),
            ("unreachable_tasks", .array([])),
            ("completed_tasks", cache?.list(framework, completed: true) { tasksJSON(framework.completedTasks) }
                ?? tasksJSON(framework.completedTasks)),
            ("offers", offersJSON(framework.offers, cache: cache)),
            ("executors", .array([])),
        ]
        return .object(pairs)
    }

    func taskJSON(_ task: TaskEntry) -> JSONValue {
        var bytes: [UInt8] = []
        writeTask(task, into: &bytes)
        return .raw(bytes)
    }

    /// Written straight to bytes: a framework may hold an offer from every agent. An offer
    /// never changes, so a document copies what an earlier one wrote for it.
    func offersJSON(_ ids: Set<OfferID>, cache: StateCache? = nil) -> JSONValue {
        .stream(size: ids.count * 200) { out in
            out.append(UInt8(ascii: "["))
            var first = true
            for id in ids {
                let bytes = cache?.offer(id) { offerBytes(id) } ?? offerBytes(id)
                guard let bytes else { continue }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.append(contentsOf: bytes)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    private func offerBytes(_ id: OfferID) -> [UInt8]? {
        guard let index = offers.index(forKey: id) else { return nil }
        var out: [UInt8] = []
        out.append(contentsOf: #"{"id":"#.utf8)
        JSONValue.quote(id.value, into: &out)
        out.append(contentsOf: #","framework_id":"#.utf8)
        JSONValue.quote(offers.values[index].frameworkID.value, into: &out)
        out.append(contentsOf: #","slave_id":"#.utf8)
        JSONValue.quote(offers.values[index].agentID.value, into: &out)
        out.append(contentsOf: #","resources":"#.utf8)
        out.append(contentsOf: legacyBytes(offers.values[index].resources))
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
    func legacy(_ resources: Resources) -> JSONValue {
        if let known = legacyMemo.values[resources] { return known }
        let value = Self.legacy(resources)
        legacyMemo.values[resources] = value
        return value
    }

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
