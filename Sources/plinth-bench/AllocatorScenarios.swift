import Allocator
import Foundation
import MesosAPI

/// The allocator benchmarks, shaped after Mesos's `hierarchical_allocator_benchmarks`, run
/// against `AllocatorCore` directly with a fake clock: what they time is allocation work,
/// not I/O or timers. Kept free of ArgumentParser so a standalone build can reuse them.
enum AllocatorScenarios {
    /// Mesos's `DeclineOffers`: every agent half used by one framework, every offer declined
    /// with an infinite filter, one allocation interval per round.
    static func decline(agents agentCount: Int, frameworks frameworkCount: Int, rounds: Int = 20) -> String {
        let config = AllocatorConfig()
        var core = AllocatorCore(config: config)
        let frameworks = (0..<frameworkCount).map { FrameworkID(String(format: "framework-%05d", $0)) }
        let addFrameworks = milliseconds {
            for id in frameworks { core.addFramework(id, role: "*") }
        }
        let total = Resources([.scalar("cpus", 24), .scalar("mem", 4096), .scalar("disk", 4096),
                               .ranges("ports", [31000...32000])])
        // 16 single ports spread over the range, so the free ports are fragmented as in Mesos.
        let usedPorts: [ClosedRange<UInt64>] = (0..<16).map { (index: Int) -> ClosedRange<UInt64> in
            let port = UInt64(31000 + 60 * index)
            return port...port
        }
        let used = Resources([.scalar("cpus", 16), .scalar("mem", 2014), .scalar("disk", 1024),
                              .ranges("ports", usedPorts)])
        let agents = (0..<agentCount).map { AgentID(String(format: "agent-%06d", $0)) }
        let addAgents = milliseconds {
            for (index, id) in agents.enumerated() {
                core.addAgent(id, total: total, allocated: [frameworks[index % frameworkCount]: used])
            }
        }
        say("decline: added \(frameworkCount) frameworks in \(fmt(addFrameworks)) ms, \(agentCount) agents in \(fmt(addAgents)) ms")
        var times: [Double] = []
        var now = 0.0
        for round in 1...rounds {
            var offers: [Allocation] = []
            times.append(milliseconds { offers = core.allocate(now: now) })
            let declining = milliseconds {
                for offer in offers {
                    core.recover(framework: offer.frameworkID, agent: offer.agentID, resources: offer.resources,
                                 role: offer.role, refuseSeconds: config.maxRefuseSeconds, now: now)
                }
            }
            say("decline: round \(round) made \(offers.count) offers in \(fmt(times.last!)) ms, declined in \(fmt(declining)) ms")
            now += 1
        }
        let sorted = times.sorted()
        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2]
            : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        return "decline: agents=\(agentCount) frameworks=\(frameworkCount) add_frameworks_ms=\(fmt(addFrameworks))"
            + " add_agents_ms=\(fmt(addAgents)) median_round_ms=\(fmt(median)) max_round_ms=\(fmt(sorted.last ?? 0))"
            + " peak_rss_mb=\(fmt(peakRSSMegabytes()))"
    }

    /// Mesos's `LargeAndSmallQuota`: one role in five needs half an agent, the others two
    /// agents each; one framework per role. The first round satisfies quota as far as the
    /// cluster allows (full cycle); a second finds nothing to give (empty cycle).
    static func quota(agents agentCount: Int, roles roleCount: Int) -> String {
        var core = AllocatorCore()
        let small = ["cpus": 1.0, "mem": 1024, "disk": 1024]
        let large = ["cpus": 4.0, "mem": 4096, "disk": 4096]
        for index in 0..<roleCount {
            let role = String(format: "role-%05d", index)
            let quota = index % 5 == 0 ? small : large
            // Mesos's old-style quota sets the limit to the guarantee.
            core.setQuota(role: role, guarantees: quota, limits: quota)
            core.addFramework(FrameworkID(String(format: "framework-%05d", index)), role: role)
        }
        let total = Resources([.scalar("cpus", 2), .scalar("mem", 2048), .scalar("disk", 2048)])
        for index in 0..<agentCount { core.addAgent(AgentID(String(format: "agent-%06d", index)), total: total) }
        var offers: [Allocation] = []
        let full = milliseconds { offers = core.allocate(now: 0) }
        let satisfied = (0..<roleCount).filter { index in
            let role = String(format: "role-%05d", index)
            let wanted = index % 5 == 0 ? small : large
            let consumed = core.consumedQuota(ofRole: role)
            return wanted.allSatisfy { consumed[$0.key, default: 0] >= $0.value }
        }.count
        say("quota: full cycle made \(offers.count) offers in \(fmt(full)) ms; \(satisfied) of \(roleCount) roles satisfied")
        var second: [Allocation] = []
        let empty = milliseconds { second = core.allocate(now: 1) }
        say("quota: empty cycle made \(second.count) offers in \(fmt(empty)) ms")
        return "quota: agents=\(agentCount) roles=\(roleCount) full_cycle_ms=\(fmt(full)) empty_cycle_ms=\(fmt(empty))"
            + " allocations=\(offers.count) peak_rss_mb=\(fmt(peakRSSMegabytes()))"
    }

    static func milliseconds(_ body: () -> Void) -> Double {
        let elapsed = ContinuousClock().measure(body)
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    /// VmHWM of this process.
    static func peakRSSMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return (line.split(separator: " ").compactMap { Double($0) }.first ?? 0) / 1024
        }
        return 0
    }
}
