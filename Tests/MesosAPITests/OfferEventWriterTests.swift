import Foundation
import XCTest
@testable import MesosAPI

final class OfferEventWriterTests: XCTestCase {
    /// The hand-written OFFERS event says what the encoder's says (the encoder's key order is a
    /// hash order, so they are compared parsed): plain and optional fields, shared and distinct
    /// parts, and strings that need escaping.
    func testOffersEventIsTheEncodersOwn() throws {
        let resources = try Resources.parse("cpus:4;mem:2048;ports:[31000-31099]", defaultRole: "*").resources
        let reserved = try Resources.parse("cpus:1;disk:10", defaultRole: "eng").resources
        var plain = Offer(id: OfferID("o-1"), frameworkId: FrameworkID("f-0000"), agentId: AgentID("a-S0"),
                          hostname: "host-0.example/rack", resources: resources, attributes: nil)
        plain.allocationInfo = AllocationInfo(role: "*")
        var full = Offer(id: OfferID("o-\"2\"\n"), frameworkId: FrameworkID("f-0000"), agentId: AgentID("a\\S1"),
                         hostname: "héte\u{01}", resources: reserved,
                         attributes: [Attribute(name: "rack", type: .TEXT, text: Text(value: "r1")),
                                      Attribute(name: "zone", type: .SCALAR, scalar: Scalar(value: 2.5))])
        full.url = MesosURL(scheme: "http", address: Address(hostname: "h", ip: "10.0.0.1", port: 5051), path: "/slave(1)")
        full.executorIds = [ExecutorID("e1"), ExecutorID("e/2")]
        full.allocationInfo = AllocationInfo(role: "eng")
        full.unavailability = Unavailability(start: TimeInfo(nanoseconds: 1_700_000_000_000_000_000),
                                             duration: DurationInfo(seconds: 3600))
        let offers = [plain, full, plain, full]
        for batch in [[], [plain], offers] {
            let written = try JSONSerialization.jsonObject(with: try XCTUnwrap(OfferEventWriter.encode(batch)))
            let encoded = try JSONSerialization.jsonObject(with: try WireCodec.encode(Event.offers(batch)))
            XCTAssertEqual(written as? NSDictionary, encoded as? NSDictionary)
            XCTAssertNotNil(written as? NSDictionary)
        }
    }
}
