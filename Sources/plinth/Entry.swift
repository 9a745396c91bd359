import ArgumentParser
import PlinthCLI

@main
struct Entry {
    static func main() async {
        do {
            var command = try Plinth.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            Plinth.exit(withError: error)
        }
    }
}
