import AsyncHTTPClient
import Foundation
import MesosAPI
import NIOCore
import NIOHTTP1

/// Client side of a RecordIO stream opened with a POST, plus plain JSON posts: what the agent,
/// `plinth execute` and the benchmark use to talk to a master.
public struct StreamingClient: Sendable {
    public let http: HTTPClient

    public init(http: HTTPClient) { self.http = http }

    public struct HTTPFailure: Error, CustomStringConvertible {
        public let status: Int
        public let body: String
        public var description: String { "HTTP \(status): \(body)" }
        public init(status: Int, body: String) { self.status = status; self.body = body }
    }

    /// Opens the stream; returns the response headers and an async sequence of records.
    public func openStream(url: String, body: Data, headers: [(String, String)] = [])
        async throws -> (headers: HTTPHeaders, records: AsyncThrowingStream<Data, any Error>)
    {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await http.execute(request, timeout: .hours(24 * 365))
        guard response.status == .ok else {
            let text = try await response.body.collect(upTo: 1 << 20)
            throw HTTPFailure(status: Int(response.status.code), body: String(buffer: text))
        }
        let records = AsyncThrowingStream<Data, any Error> { continuation in
            let task = Task {
                var decoder = RecordIODecoder()
                do {
                    for try await chunk in response.body {
                        decoder.feed(chunk.readableBytesView)
                        while let record = try decoder.next() { continuation.yield(record) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        return (response.headers, records)
    }

    /// POSTs JSON and returns the status code and body.
    @discardableResult
    public func post(url: String, body: Data, headers: [(String, String)] = [],
                     timeout: TimeAmount = .seconds(10)) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await http.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), Data(buffer.readableBytesView))
    }

    public func get(url: String, timeout: TimeAmount = .seconds(10)) async throws -> (status: Int, body: Data) {
        let request = HTTPClientRequest(url: url)
        let response = try await http.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), Data(buffer.readableBytesView))
    }
}
