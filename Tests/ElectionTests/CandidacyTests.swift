import XCTest
@testable import Election
import MesosAPI

final class CandidacyTests: XCTestCase {
    func testTheLowestSequenceLeadsAndOtherZnodesAreIgnored() {
        let children = ["json.info_0000000012", "log_replicas", "json.info_0000000003", "info_0000000001"]
        XCTAssertEqual(Candidacy.leader(of: children), "json.info_0000000003")
        XCTAssertNil(Candidacy.leader(of: ["log_replicas"]))
    }

    func testMasterInfoRoundTripsAsMesosToolsReadIt() throws {
        let info = MasterInfo(id: "m1", ip: "127.0.0.1", port: 5050, hostname: "h", version: "1.11.0")
        let bytes = Candidacy.encode(info)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let address = try XCTUnwrap(json["address"] as? [String: Any])
        XCTAssertEqual(address["ip"] as? String, "127.0.0.1")
        XCTAssertEqual(address["port"] as? Int, 5050)
        XCTAssertEqual(json["pid"] as? String, "master@127.0.0.1:5050")
        XCTAssertEqual(Candidacy.decode(bytes), info)
        XCTAssertEqual(Candidacy.address(of: info), "127.0.0.1:5050")
    }
}
