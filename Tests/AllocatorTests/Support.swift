import Allocator
import MesosAPI

func fw(_ name: String) -> FrameworkID { FrameworkID(name) }
func agent(_ name: String) -> AgentID { AgentID(name) }

func res(cpus: Double = 0, mem: Double = 0, disk: Double = 0, ports: [ClosedRange<UInt64>] = [],
         role: String? = nil) -> Resources {
    var list: [Resource] = []
    if cpus > 0 { list.append(.scalar("cpus", cpus, role: role)) }
    if mem > 0 { list.append(.scalar("mem", mem, role: role)) }
    if disk > 0 { list.append(.scalar("disk", disk, role: role)) }
    if !ports.isEmpty { list.append(.ranges("ports", ports, role: role)) }
    return Resources(list)
}

/// SplitMix64: a tiny seeded generator so "random" runs are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array where Element == Allocation {
    /// Who got which agent, for compact assertions.
    var pairs: [String] { map { "\($0.frameworkID)@\($0.agentID)" } }
}
