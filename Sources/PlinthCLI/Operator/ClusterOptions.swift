import ArgumentParser
import AsyncHTTPClient
import Foundation
import HTTPSupport

/// What every read-only cluster command takes: where the master is, and whether to print JSON.
struct ClusterOptions: ParsableArguments {
    @Option(name: .customLong("master"),
            help: "The master, as host:port (default 127.0.0.1:5050), or zk://host:port[,host:port]/path.")
    var master: String?
    @Flag(name: .customLong("json"), help: "Print the master's JSON instead of a table.") var json = false

    /// The leading master's `host:port`.
    func address() async throws -> String {
        try await Flags.leaderAddress(Flags.masterAddress(Flags.resolve(master, "master", default: "127.0.0.1:5050")))
    }
}

/// A short-lived HTTP client for one command; failures become `CLIError`s that name the URL.
struct ClusterReader {
    let http = HTTPClient(eventLoopGroupProvider: .singleton)

    func json(_ url: String) async throws -> Any {
        let reply: (status: Int, body: Data)
        do {
            reply = try await StreamingClient(http: http).get(url: url)
        } catch {
            throw CLIError("Cannot reach \(url): \(error)")
        }
        guard reply.status == 200 else {
            throw CLIError("\(url) answered \(reply.status): \(String(decoding: reply.body, as: UTF8.self))")
        }
        do {
            return try JSONSerialization.jsonObject(with: reply.body)
        } catch {
            throw CLIError("\(url) did not answer JSON: \(error)")
        }
    }

    func object(_ url: String) async throws -> [String: Any] {
        guard let object = try await json(url) as? [String: Any] else { throw CLIError("\(url) did not answer a JSON object") }
        return object
    }

    func close() async { try? await http.shutdown() }

    /// Runs `body` with a reader and always shuts the client down.
    static func with<T>(_ body: (ClusterReader) async throws -> T) async throws -> T {
        let reader = ClusterReader()
        do {
            let result = try await body(reader)
            await reader.close()
            return result
        } catch {
            await reader.close()
            throw error
        }
    }
}

/// JSON exactly as the master sent it, but indented for people.
func printJSON(_ value: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    print(String(decoding: data, as: UTF8.self))
}

extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) -> String { self[key].map { "\($0)" } ?? "" }
    func number(_ key: String) -> Double { (self[key] as? NSNumber)?.doubleValue ?? 0 }
    func bool(_ key: String) -> Bool { (self[key] as? NSNumber)?.boolValue ?? false }
    func objects(_ key: String) -> [[String: Any]] { self[key] as? [[String: Any]] ?? [] }
    func resources(_ key: String) -> [String: Any] { self[key] as? [String: Any] ?? [:] }
}
