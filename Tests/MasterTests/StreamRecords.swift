import Foundation
import HTTPSupport
import MesosAPI
import XCTest

/// What a master sent down a stream so far, decoded.
extension XCTestCase {
    func events(_ stream: EventStream) throws -> [Event] {
        try records(stream).map { try WireCodec.decode(Event.self, from: $0) }
    }

    func agentEvents(_ stream: EventStream) throws -> [AgentEvent] {
        try records(stream).map { try WireCodec.decode(AgentEvent.self, from: $0) }
    }

    func records(_ stream: EventStream) throws -> [Data] {
        var decoder = RecordIODecoder()
        decoder.feed(stream.takePending().readableBytesView)
        var out: [Data] = []
        while let record = try decoder.next() { out.append(record) }
        return out
    }
}
