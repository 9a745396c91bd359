import ArgumentParser

public struct Plinth: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "plinth",
        abstract: "Plinth: a datacenter kernel that speaks the Mesos v1 HTTP APIs.",
        discussion: """
            Start with 'plinth dev' for a one-process cluster, or run 'plinth master' and \
            'plinth agent --master=HOST:PORT' separately. Frameworks written for Mesos (for example \
            with pymesos) connect to the master unchanged.
            """,
        subcommands: [DevCommand.self, MasterCommand.self, AgentCommand.self, ExecuteCommand.self, AgentsCommand.self,
                      FrameworksCommand.self, TasksCommand.self, TaskCommand.self, StateCommand.self])

    public init() {}
}
