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

/// The allocator's own SplitMix64, so "random" test runs are reproducible.
typealias SeededGenerator = SplitMix

extension Array where Element == Allocation {
    /// Who got which agent, for compact assertions.
    var pairs: [String] { map { "\($0.frameworkID)@\($0.agentID)" } }
}
