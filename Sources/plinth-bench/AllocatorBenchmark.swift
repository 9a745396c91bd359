import ArgumentParser

/// `plinth-bench allocator …`: the allocator core alone, in Mesos's benchmark scenarios.
struct AllocatorBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allocator",
        abstract: "Allocator benchmarks after Mesos's hierarchical allocator benchmarks.",
        subcommands: [Decline.self, QuotaCycle.self])

    struct Decline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decline",
            abstract: "Mesos's DeclineOffers: every offer declined with an infinite filter, 20 rounds.")

        @Option(name: .customLong("agents")) var agents: Int = 10_000
        @Option(name: .customLong("frameworks")) var frameworks: Int = 1_000
        @Option(name: .customLong("rounds")) var rounds: Int = 20

        func validate() throws {
            guard agents > 0, frameworks > 0, rounds > 0 else {
                throw ValidationError("--agents, --frameworks and --rounds must be positive")
            }
        }

        func run() async throws {
            say(AllocatorScenarios.decline(agents: agents, frameworks: frameworks, rounds: rounds))
        }
    }

    struct QuotaCycle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "quota",
            abstract: "Mesos's LargeAndSmallQuota: one full allocation cycle, then an empty one.")

        @Option(name: .customLong("agents")) var agents: Int = 3_000
        @Option(name: .customLong("roles")) var roles: Int = 3_000

        func validate() throws {
            guard agents > 0, roles > 0 else { throw ValidationError("--agents and --roles must be positive") }
        }

        func run() async throws {
            say(AllocatorScenarios.quota(agents: agents, roles: roles))
        }
    }
}
