import HTTPSupport
import MesosAPI

/// An agent in Mesos's legacy JSON, written straight to bytes: a large cluster's `/master/state`
/// lists ten thousand of them on every read, and a tree of `JSONValue`s per agent cost more than
/// the rest of the document (its tasks are reused from earlier builds). This is the only place
/// the shape is spelled out; `/master/state-summary` appends its counts through `extra`.
/// Only the used and offered resources change with offers; the rest of an agent's bytes are
/// kept between documents (`StateCache.agent`) until the agent changes.
extension StateView {
    func agentsJSONList(cache: StateCache? = nil) -> JSONValue {
        guard let cache else {
            let usage = agentUsage()
            return .stream(size: agents.count * 900) { out in
                out.append(UInt8(ascii: "["))
                for (index, (id, agent)) in agents.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    writeAgent(agent, used: usage.used[id] ?? Resources(), offered: usage.offered[id] ?? Resources(),
                               into: &out)
                }
                out.append(UInt8(ascii: "]"))
            }
        }
        // In the table's own order (as Mesos lists them): sorting ten thousand IDs per read
        // cost more than writing the agents that changed.
        let (allocator, memo) = (allocator, legacyMemo)  // not the whole view, per agent
        return .stream(size: agents.count * 900) { out in
            let totals = offerTotals
            cache.agents.withLock { section in
                section.follow(agents, revision: agentsRevision, allocator: allocator) { agentParts($0) }
                memo.activeAgents = section.activeCount
                out.append(UInt8(ascii: "["))
                for index in section.slots.indices {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    let bytes = section.bytes(at: index, allocator: allocator) { agent, slot in
                        offered(on: agent, keptAt: slot, totals: totals)
                    } usage: { used, onOffer in
                        var usage: [UInt8] = []
                        Self.writeUsage(used: used, offered: onOffer, memo: memo, into: &usage)
                        return usage
                    }
                    out.append(contentsOf: bytes)
                }
                out.append(UInt8(ascii: "]"))
            }
        }
    }

    func agentJSON(_ agent: AgentEntry, used: Resources, offered: Resources,
                   extra: [(String, JSONValue)] = []) -> JSONValue {
        var bytes: [UInt8] = []
        writeAgent(agent, used: used, offered: offered, extra: extra, into: &bytes)
        return .raw(bytes)
    }

    func writeAgent(_ agent: AgentEntry, used: Resources, offered: Resources,
                    extra: [(String, JSONValue)] = [], into out: inout [UInt8]) {
        let parts = agentParts(agent)
        out.append(contentsOf: parts.head)
        writeUsage(used: used, offered: offered, into: &out)
        out.append(contentsOf: parts.tail)
        for (name, value) in extra {
            out.append(UInt8(ascii: ","))
            JSONValue.quote(name, into: &out)
            out.append(UInt8(ascii: ":"))
            value.write(into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// What changes with every offer, between the parts that change only with the agent.
    private func writeUsage(used: Resources, offered: Resources, into out: inout [UInt8]) {
        Self.writeUsage(used: used, offered: offered, memo: legacyMemo, into: &out)
    }

    private static func writeUsage(used: Resources, offered: Resources, memo: LegacyMemo, into out: inout [UInt8]) {
        out.append(contentsOf: #","used_resources":"#.utf8)
        out.append(contentsOf: memo.legacyBytes(used))
        out.append(contentsOf: #","offered_resources":"#.utf8)
        out.append(contentsOf: memo.legacyBytes(offered))
    }

    /// The agent's JSON before and after its used and offered resources, without the closing
    /// brace (a summary appends its counts there).
    func agentParts(_ agent: AgentEntry) -> AgentParts {
        var out: [UInt8] = []
        func key(_ name: StaticString) {
            name.withUTF8Buffer { out.append(contentsOf: $0) }
        }
        func string(_ value: String) { JSONValue.quote(value, into: &out) }
        let port = agent.endpoint.split(separator: ":").last.flatMap { Int64($0) } ?? 5051
        key(#"{"id":"#); string(agent.id.value)
        key(#","pid":"#); string("slave(1)@\(agent.endpoint)")
        key(#","hostname":"#); string(agent.hostname)
        key(#","port":"#); out.append(contentsOf: String(port).utf8)
        key(#","registered_time":"#); JSONValue.number(agent.registeredTime, into: &out)
        if let time = agent.reregisteredTime {
            key(#","reregistered_time":"#); JSONValue.number(time, into: &out)
        }
        key(#","resources":"#); out.append(contentsOf: legacyBytes(agent.total))
        let head = out
        out = reservationBytes(agent.total)
        key(#","attributes":"#); attributesJSON(agent.info.attributes ?? []).write(into: &out)
        key(#","active":"#); key(agent.active ? "true" : "false")
        key(#","deactivated":"#); key(agent.deactivated ? "true" : "false")
        key(#","version":"#); string(plinthMesosVersion)
        key(#","capabilities":["MULTI_ROLE","HIERARCHICAL_ROLE","RESERVATION_REFINEMENT","AGENT_DRAINING"]"#)
        if let drain = agent.drain {
            key(#","drain_info":"#); Master.drainJSON(drain).write(into: &out)
        }
        return AgentParts(head: head, tail: out)
    }

    /// `"reserved_resources"` (by role) and `"unreserved_resources"` of an agent's total, written
    /// once per shape of total met in the document: agents of one cluster have few.
    private func reservationBytes(_ total: Resources) -> [UInt8] {
        if let known = legacyMemo.reservations[total] { return known }
        var bytes: [UInt8] = Array(#","reserved_resources":"#.utf8)
        reservedJSON(total).write(into: &bytes)
        bytes += Array(#","unreserved_resources":"#.utf8)
        bytes += legacyBytes(total.unreserved)
        legacyMemo.reservations[total] = bytes
        return bytes
    }
}

/// An agent's JSON around its used and offered resources (see `StateView.agentParts`).
struct AgentParts {
    var head: [UInt8]
    var tail: [UInt8]
}

/// All that an agent's JSON is written from: while they are equal, so are its bytes. The
/// resources are the allocator's and the offers' own values, compared rather than hashed.
struct AgentInputs: Equatable {
    var instance: UInt64
    var revision: UInt32
    var total: Resources
    var available: Resources
    var offered: Resources
}
