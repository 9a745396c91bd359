import ArgumentParser

@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plinth-bench",
        abstract: "Benchmarks for Plinth. They print figures; they assert nothing.",
        subcommands: [LaunchBenchmark.self, RecoverBenchmark.self, FailoverBenchmark.self, AllocatorBenchmark.self,
                      StateBenchmark.self])
}
