import Foundation
import HTTPSupport
import NIOCore
import XCTest
@testable import Master
import MesosAPI

/// `/master/state` reuses bytes between builds (task lists, agents, offers): whatever changed
/// in between, a document built with the cache must read exactly as one written afresh.
extension MasterCoreTests {
    private func stateDocument(_ cache: StateCache) async -> String {
        let buffers = await master.stateDocument(cache: cache)
        return buffers.map { String(buffer: $0) }.joined()
    }

    private func freshStateDocument() async -> String {
        String(decoding: await master.stateView().stateJSON().bytes, as: UTF8.self)
    }

    func testCachedDocumentsMatchFreshOnesThroughChanges() async throws {
        let cache = StateCache()
        let first = await stateDocument(cache)
        let fresh0 = await freshStateDocument()
        XCTAssertEqual(first, fresh0)

        let offers = try await offers()
        XCTAssertEqual(offers.count, 2)
        let offered = await stateDocument(cache)
        let fresh1 = await freshStateDocument()
        XCTAssertEqual(offered, fresh1)
        XCTAssertTrue(offered.contains(offers[0].id.value))

        // A launch (the task list and used resources), a deactivated agent (its own bytes) and
        // a declined offer (the offers list) in one step.
        let launch = await accept([offers[0].id], [task("t1", on: offers[0].agentId)])
        XCTAssertEqual(launch, .accepted)
        _ = await master.operatorDeactivate(offers[1].agentId)
        let changed = await stateDocument(cache)
        let fresh2 = await freshStateDocument()
        XCTAssertEqual(changed, fresh2)
        XCTAssertTrue(changed.contains(#""id":"t1""#))
        XCTAssertFalse(changed.contains(offers[1].id.value))
        XCTAssertTrue(changed.contains(#""deactivated":true"#))

        let parsed = try JSONSerialization.jsonObject(with: Data(changed.utf8)) as? [String: Any]
        XCTAssertEqual((parsed?["slaves"] as? [Any])?.count, 2)
    }

    /// Offers are summed by the allocator's slot of their agent. A reader's slot that no longer
    /// keeps the agent is looked up again, and offers counted outside the slots still count.
    func testOfferedResourcesAreSummedByTheAgentsSlot() async throws {
        let offers = try await offers()
        XCTAssertEqual(Set(offers.map(\.agentId)).count, 2)
        let view = await master.stateView()
        let totals = view.offerTotals
        XCTAssertEqual(totals.bySlot.count, view.allocator.slotCount)
        XCTAssertTrue(totals.unslotted.isEmpty)
        for (offer, other) in zip(offers, offers.reversed()) {
            let agent = offer.agentId
            let expected = try XCTUnwrap(view.offers[offer.id]).resources
            XCTAssertFalse(expected.isEmpty)
            let slot = try XCTUnwrap(view.allocator.slot(of: agent))
            let stale = try XCTUnwrap(view.allocator.slot(of: other.agentId))
            XCTAssertTrue(view.allocator.holds(agent, at: slot))
            XCTAssertFalse(view.allocator.holds(agent, at: stale))
            XCTAssertFalse(view.allocator.holds(agent, at: view.allocator.slotCount))
            XCTAssertEqual(view.offered(on: agent, slot: slot, totals: totals), expected)
            XCTAssertEqual(view.offered(on: agent, slot: stale, totals: totals), expected)
            XCTAssertEqual(view.offered(on: agent, slot: nil, totals: totals), expected)
        }
        var odd = totals
        let first = try XCTUnwrap(view.offers[offers[0].id]).resources
        odd.unslotted[offers[0].agentId] = first
        XCTAssertEqual(view.offered(on: offers[0].agentId, slot: nil, totals: odd), first + first)
        XCTAssertEqual(view.offered(on: AgentID("nowhere"), slot: 0, totals: odd), Resources())
    }
}

final class EventStreamTests: XCTestCase {
    /// Events are encoded when the stream is drained, not when sent: records written as they
    /// are and events to encode must still leave in the order they were queued.
    func testEncodedLaterKeepsTheOrderOfRecords() throws {
        let stream = EventStream()
        stream.send(Event(type: .HEARTBEAT))
        stream.sendRecord(Data(#"{"type":"ERROR","error":{"message":"between"}}"#.utf8))
        stream.send(Event.rescind(OfferID("o1")))
        let events = try events(stream)
        XCTAssertEqual(events.map(\.type), [.HEARTBEAT, .ERROR, .RESCIND])
        XCTAssertEqual(events[1].error?.message, "between")
        stream.finish()
        stream.send(Event(type: .HEARTBEAT))
        XCTAssertEqual(stream.takePending().readableBytes, 0)
    }
}
