import Allocator
import MesosAPI

/// The agents of the last `/master/state`, in the order the build wrote them, with what each
/// agent's JSON was written from. Ten thousand agents are read on every build, so the common
/// case touches as little as it can: while the master's agent table is unchanged (its
/// revision), the slots follow its order and an agent costs its usage check, not a lookup of
/// its entry; its bytes are written again only when what it holds or has on offer changed.
struct AgentSection {
    struct Slot {
        var id: AgentID
        /// Where the allocator keeps the agent, checked against `id` before use.
        var allocatorSlot: Int?
        var inputs: AgentInputs
        var parts: AgentParts
        /// Empty until written.
        var bytes: [UInt8] = []
    }

    private(set) var slots: [Slot] = []
    /// Of the agents in `slots`, those active (the document's `activated_slaves`).
    private(set) var activeCount = 0
    private var tableRevision: UInt64?

    /// Lines the slots up with the table when it changed since the last build: an agent whose
    /// entry is as it was keeps its parts (and its bytes, which its usage check may still keep).
    mutating func follow(_ agents: [AgentID: AgentEntry], revision: UInt64, allocator: AllocatorCore,
                         parts: (AgentEntry) -> AgentParts) {
        guard tableRevision != revision || slots.count != agents.count else { return }
        var known: [AgentID: Int] = [:]
        known.reserveCapacity(slots.count)
        for index in slots.indices { known[slots[index].id] = index }
        var next: [Slot] = []
        next.reserveCapacity(agents.count)
        activeCount = 0
        for (id, agent) in agents {
            if agent.active { activeCount += 1 }
            if let index = known[id], slots[index].inputs.instance == agent.instance,
               slots[index].inputs.revision == agent.revision {
                next.append(slots[index])
            } else {
                let inputs = AgentInputs(instance: agent.instance, revision: agent.revision,
                                         total: Resources(), available: Resources(), offered: Resources())
                next.append(Slot(id: id, allocatorSlot: nil, inputs: inputs, parts: parts(agent)))
            }
            next[next.count - 1].allocatorSlot = allocator.slot(of: id)
        }
        slots = next
        tableRevision = revision
    }

    /// The agent's bytes at `index`, written again when what it holds (`total` less `available`
    /// on the allocator) or has on offer changed since. `offered` is asked with the agent's
    /// slot once it is checked (nil when the allocator keeps no such agent).
    mutating func bytes(at index: Int, allocator: AllocatorCore, offered: (_ agent: AgentID, _ slot: Int?) -> Resources,
                        usage: (_ used: Resources, _ offered: Resources) -> [UInt8]) -> [UInt8] {
        let id = slots[index].id
        var holding = slots[index].allocatorSlot.flatMap { allocator.holdingInputs(slot: $0, agent: id) }
        if holding == nil {
            slots[index].allocatorSlot = allocator.slot(of: id)
            holding = slots[index].allocatorSlot.flatMap { allocator.holdingInputs(slot: $0, agent: id) }
        }
        let offered = offered(id, holding == nil ? nil : slots[index].allocatorSlot)
        let total = holding?.total ?? Resources()
        let available = holding?.available ?? Resources()
        if !slots[index].bytes.isEmpty, slots[index].inputs.total == total, slots[index].inputs.available == available,
           slots[index].inputs.offered == offered {
            return slots[index].bytes
        }
        slots[index].inputs.total = total
        slots[index].inputs.available = available
        slots[index].inputs.offered = offered
        var bytes = slots[index].parts.head
        bytes.append(contentsOf: usage(total - available - offered, offered))
        bytes.append(contentsOf: slots[index].parts.tail)
        bytes.append(UInt8(ascii: "}"))
        slots[index].bytes = bytes
        return bytes
    }
}
