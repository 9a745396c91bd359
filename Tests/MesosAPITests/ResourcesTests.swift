import Foundation
import XCTest
@testable import MesosAPI

final class ResourcesTests: XCTestCase {
    private func parse(_ text: String, role: String = "*") throws -> Resources {
        try Resources.parse(text, defaultRole: role)
    }

    // MARK: Arithmetic

    func testScalarsSumInFixedPoint() {
        let sum = Resources([.scalar("cpus", 0.1)]) + Resources([.scalar("cpus", 0.2)])
        XCTAssertEqual(sum.scalar("cpus"), 0.3)
        XCTAssertEqual(sum, Resources([.scalar("cpus", 0.3)]))
        XCTAssertEqual(Resources([.scalar("mem", 1.0004)]).scalar("mem"), 1.0)
        XCTAssertEqual(Resources([.scalar("mem", 1.0005)]).scalar("mem"), 1.001)

        var drift = Resources([.scalar("cpus", 1)])
        for _ in 0..<1000 { drift += Resources([.scalar("cpus", 0.001)]) }
        for _ in 0..<1000 { drift -= Resources([.scalar("cpus", 0.001)]) }
        XCTAssertEqual(drift, Resources([.scalar("cpus", 1)]))
    }

    /// Like resources are summed in place; unlike ones merge; a copy the sum started from is
    /// left as it was.
    func testSumsOfLikeAndUnlikeResources() throws {
        let offer = try parse("cpus:2;mem:1024;ports:[31000-31009]")
        var sum = offer
        for _ in 0..<3 { sum += try parse("cpus:2;mem:1024;ports:[31010-31019]") }
        XCTAssertEqual(sum, try parse("cpus:8;mem:4096;ports:[31000-31019]"))
        XCTAssertEqual(offer, try parse("cpus:2;mem:1024;ports:[31000-31009]"))
        sum += try parse("disk:10")
        XCTAssertEqual(sum, try parse("cpus:8;mem:4096;disk:10;ports:[31000-31019]"))
        var reserved = try parse("cpus:1")
        reserved += try parse("cpus:1", role: "eng")
        XCTAssertEqual(reserved.scalar("cpus"), 2)
        XCTAssertEqual(reserved.entries.count, 2)
    }

    func testRolesAreKeptApartButSummedInQueries() {
        let r = Resources([.scalar("cpus", 2), .scalar("cpus", 3, role: "prod"), .scalar("cpus", 1, role: "*")])
        XCTAssertEqual(r.resources.count, 2)
        XCTAssertEqual(r.scalar("cpus"), 6)
        XCTAssertEqual(r.unreserved.scalar("cpus"), 3)
        XCTAssertEqual(r.reserved(for: "prod").scalar("cpus"), 3)
        XCTAssertEqual(r.reserved.scalar("cpus"), 3)
        XCTAssertFalse(Resources([.scalar("cpus", 10)]).contains(Resources([.scalar("cpus", 1, role: "prod")])))
    }

    func testAllocatableToIncludesAncestorReservations() {
        let r = Resources([.scalar("cpus", 1), .scalar("cpus", 2, role: "a"), .scalar("cpus", 4, role: "a/b"),
                           .scalar("cpus", 8, role: "ab")])
        XCTAssertEqual(r.allocatableTo("*").scalar("cpus"), 1)
        XCTAssertEqual(r.allocatableTo("a").scalar("cpus"), 3)
        XCTAssertEqual(r.allocatableTo("a/b").scalar("cpus"), 7)
        XCTAssertEqual(r.allocatableTo("ab").scalar("cpus"), 9)
    }

    func testRangesCoalesceAndSubtract() {
        let r = Resources([.ranges("ports", [10...20, 21...25, 40...50]), .ranges("ports", [45...60])])
        XCTAssertEqual(r.ranges("ports"), [10...25, 40...60])
        XCTAssertEqual((r - Resources([.ranges("ports", [15...15, 40...59])])).ranges("ports"), [10...14, 16...25, 60...60])
        XCTAssertTrue((r - Resources([.ranges("ports", [0...100])])).isEmpty)
        XCTAssertTrue(r.contains(Resources([.ranges("ports", [12...13, 41...60])])))
        XCTAssertFalse(r.contains(Resources([.ranges("ports", [24...41])])))
        XCTAssertEqual(r.intersection(Resources([.ranges("ports", [20...45])])).ranges("ports"), [20...25, 40...45])
        XCTAssertEqual(Resources([.ranges("p", [UInt64.max...UInt64.max, 0...UInt64.max])]).ranges("p"), [0...UInt64.max])
    }

    func testSetsUnionAndSubtract() {
        let r = Resources([.set("gpus_ids", ["a", "b"]), .set("gpus_ids", ["b", "c"])])
        XCTAssertEqual(r.setItems("gpus_ids"), ["a", "b", "c"])
        XCTAssertEqual((r - Resources([.set("gpus_ids", ["a", "z"])])).setItems("gpus_ids"), ["b", "c"])
        XCTAssertTrue(r.contains(Resources([.set("gpus_ids", ["c"])])))
        XCTAssertFalse(r.contains(Resources([.set("gpus_ids", ["d"])])))
    }

    func testSubtractionDropsZeroAndNeverGoesNegative() {
        let r = Resources([.scalar("cpus", 2), .scalar("mem", 100)])
        let rest = r - Resources([.scalar("cpus", 2), .scalar("mem", 300), .scalar("disk", 5)])
        XCTAssertTrue(rest.isEmpty)
        XCTAssertEqual(rest.resources, [])
    }

    func testContainsAndIntersection() {
        let r = Resources([.scalar("cpus", 4), .scalar("mem", 1024), .ranges("ports", [31000...32000])])
        XCTAssertTrue(r.contains(Resources()))
        XCTAssertTrue(r.contains(r))
        XCTAssertTrue(r.contains(Resources([.scalar("cpus", 4), .ranges("ports", [31000...31000])])))
        XCTAssertFalse(r.contains(Resources([.scalar("cpus", 4.001)])))
        XCTAssertFalse(r.contains(Resources([.scalar("gpus", 1)])))
        let common = r.intersection(Resources([.scalar("cpus", 6), .scalar("mem", 10), .scalar("disk", 1)]))
        XCTAssertEqual(common, Resources([.scalar("cpus", 4), .scalar("mem", 10)]))
    }

    func testConstructionDropsMalformedEntries() {
        var mismatched = Resource.scalar("cpus", 1)
        mismatched.type = .RANGES
        let r = Resources([.scalar("cpus", -1), .scalar("mem", .nan), .scalar("disk", 0), mismatched,
                           Resource(name: "t", type: .TEXT), .ranges("ports", [])])
        XCTAssertTrue(r.isEmpty)
    }

    func testStableOrderAndConversionRoundTrip() {
        let r = Resources([.scalar("zeta", 1), .ranges("ports", [1...2]), .scalar("disk", 3), .scalar("alpha", 1),
                           .scalar("mem", 2), .scalar("cpus", 1, role: "prod"), .scalar("cpus", 1)])
        XCTAssertEqual(r.resources.map(Resources.describe),
                       ["cpus:1", "cpus(prod):1", "mem:2", "disk:3", "ports:[1-2]", "alpha:1", "zeta:1"])
        XCTAssertEqual(Resources(r.resources), r)
        let literal: Resources = [.scalar("cpus", 2), .scalar("mem", 2), .scalar("cpus", 0.5)]
        XCTAssertEqual(literal.resources.map(Resources.describe), ["cpus:2.5", "mem:2"])
        XCTAssertEqual(r.scalars, ["cpus": 2, "mem": 2, "disk": 3, "alpha": 1, "zeta": 1])
    }

    func testAllocationTagsSeparateAndStrip() {
        let r = Resources([.scalar("cpus", 2)])
        let tagged = r.allocating(to: "web")
        XCTAssertNotEqual(tagged, r)
        XCTAssertEqual(tagged.resources.first?.allocationInfo?.role, "web")
        XCTAssertEqual(tagged.unallocated, r)
    }

    // MARK: Validation

    func testValidation() {
        XCTAssertNil(Resources.validate([.scalar("cpus", 0.5), .ranges("ports", [1...2, 4...5]), .set("s", ["a"])]))
        XCTAssertNotNil(Resources.validate(.scalar("", 1)))
        XCTAssertNotNil(Resources.validate(.scalar("cpus", 0))?.range(of: "'cpus'"))
        XCTAssertNotNil(Resources.validate(.scalar("cpus", -2)))
        XCTAssertNotNil(Resources.validate(.scalar("cpus", .nan))?.range(of: "NaN"))
        XCTAssertNotNil(Resources.validate(.scalar("cpus", .infinity)))
        XCTAssertNil(Resources.validate(.scalar("cpus", 1, role: "prod")))
        XCTAssertNotNil(Resources.validate(.ranges("ports", [1...5, 5...9]))?.range(of: "overlap"))
        XCTAssertNotNil(Resources.validate(Resource(name: "ports", type: .RANGES,
                                                    ranges: Ranges(range: [ValueRange(begin: 9, end: 1)]))))
        XCTAssertNotNil(Resources.validate(.set("s", ["a", "a"]))?.range(of: "'a'"))
        XCTAssertNotNil(Resources.validate(Resource(name: "cpus", type: .SCALAR)))
        XCTAssertNotNil(Resources.validate(Resource(name: "cpus", type: .RANGES, scalar: Scalar(value: 1))))
        XCTAssertNotNil(Resources.validate(Resource(name: "x", type: .TEXT)))
        XCTAssertEqual(Resources.validate(.scalar("cpus", -1, role: "prod")),
                       "Invalid resource 'cpus(prod)': scalar value -1.0 must be positive (at 3 decimal places)")
    }

    // MARK: Parsing

    func testParseTextForm() throws {
        let r = try parse("cpus:4;mem:1024;ports:[31000-32000,33000-33010];disk(prod):100;gpus_ids:{a,b}")
        XCTAssertEqual(r.scalar("cpus"), 4)
        XCTAssertEqual(r.scalar("mem"), 1024)
        XCTAssertEqual(r.ranges("ports"), [31000...32000, 33000...33010])
        XCTAssertEqual(r.reserved(for: "prod").scalar("disk"), 100)
        XCTAssertEqual(r.unreserved.scalar("disk"), 0)
        XCTAssertEqual(r.setItems("gpus_ids"), ["a", "b"])
        XCTAssertEqual(try parse(r.description), r)
    }

    func testParseTextToleratesSpacingAndMerges() throws {
        let r = try parse(" cpus : 1.5 ; cpus:0.5; ports:[ 1-2 , 5 ] ; s:{ x , y };mem(*):10;  ")
        XCTAssertEqual(r, try parse("cpus:2;ports:[1-2,5-5];s:{x,y};mem:10"))
        XCTAssertEqual(try parse("cpus:0;mem:1"), try parse("mem:1"))
        XCTAssertTrue(try parse("").isEmpty)
        XCTAssertTrue(try parse("ports:[];s:{}").isEmpty)
    }

    func testParseTextDefaultRole() throws {
        let r = try parse("cpus:4;mem(*):10", role: "batch")
        XCTAssertEqual(r.reserved(for: "batch").scalar("cpus"), 4)
        XCTAssertEqual(r.unreserved.scalar("mem"), 10)
    }

    func testParseTextErrors() {
        for bad in ["cpus", "cpus:abc", "cpus:-1", ":4", "cpus():4", "cpus(a:4", "ports:[1-2", "ports:[5-1]",
                    "ports:[1-5,3-7]", "ports:[a-b]", "ports:[1-2-3]", "s:{a,a}", "s:{a,,b}", "s:{a", "cpus:nan"] {
            XCTAssertThrowsError(try parse(bad), bad) { error in
                XCTAssertTrue(error is ResourcesParseError, bad)
                XCTAssertFalse("\(error)".isEmpty)
            }
        }
    }

    func testParseJSONForm() throws {
        let json = """
        [{"name":"cpus","type":"SCALAR","scalar":{"value":4}},
         {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":31005}]}},
         {"name":"disk","type":"SCALAR","scalar":{"value":10},"role":"prod"},
         {"name":"mem","type":"SCALAR","scalar":{"value":64},
          "reservations":[{"type":"STATIC","role":"db"}],"allocation_info":{"role":"db"}}]
        """
        let r = try parse(json)
        XCTAssertEqual(r.scalar("cpus"), 4)
        XCTAssertEqual(r.ranges("ports"), [31000...31005])
        XCTAssertEqual(r.reserved(for: "prod").scalar("disk"), 10)
        XCTAssertEqual(r.reserved(for: "db").scalar("mem"), 64)
        XCTAssertEqual(r.filter { $0.name == "mem" }.resources.first?.allocationInfo?.role, "db")
        XCTAssertEqual(try parse(#"[{"name":"cpus","type":"SCALAR","scalar":{"value":1}}]"#, role: "r")
            .reserved(for: "r").scalar("cpus"), 1)
        XCTAssertThrowsError(try parse(#"[{"name":"cpus","type":"SCALAR","scalar":{"value":-1}}]"#))
        XCTAssertThrowsError(try parse("[{]"))
    }

    // MARK: Renderings

    func testCodableAsResourceArray() throws {
        let r = Resources([.scalar("mem", 64), .scalar("cpus", 1.5), .ranges("ports", [1...2])])
        let data = try JSONEncoder().encode(r)
        let list = try JSONDecoder().decode([Resource].self, from: data)
        XCTAssertEqual(list.map(\.name), ["cpus", "mem", "ports"])
        XCTAssertEqual(try JSONDecoder().decode(Resources.self, from: data), r)
    }

    func testDescription() {
        let r = Resources([.scalar("cpus", 0.125), .scalar("mem", 1024), .set("s", ["b", "a"]),
                           .ranges("ports", [5...6, 1...2])])
        XCTAssertEqual(r.description, "cpus:0.125; mem:1024; ports:[1-2, 5-6]; s:{a, b}")
    }

    func testLegacyJSON() throws {
        var revocable = Resource.scalar("cpus", 8)
        revocable.revocable = Empty()
        let r = Resources([.scalar("cpus", 1.5), .scalar("cpus", 1, role: "prod"), revocable,
                           .ranges("ports", [31010...32000, 31000...31005]), .set("gpus_ids", ["b", "a"])])
        let legacy = r.legacyJSON
        XCTAssertEqual(legacy["cpus"], .number(2.5))
        XCTAssertEqual(legacy["mem"], .number(0))
        XCTAssertEqual(legacy["gpus"], .number(0))
        XCTAssertEqual(legacy["disk"], .number(0))
        XCTAssertEqual(legacy["ports"], .string("[31000-31005, 31010-32000]"))
        XCTAssertEqual(legacy["gpus_ids"], .string("{a, b}"))

        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(Resources([.scalar("mem", 32)]).legacyJSON), as: UTF8.self)
        XCTAssertEqual(text, #"{"cpus":0,"disk":0,"gpus":0,"mem":32}"#)
        let back = try JSONDecoder().decode([String: LegacyValue].self, from: Data(#"{"a":1.5,"b":"[1-2]"}"#.utf8))
        XCTAssertEqual(back, ["a": .number(1.5), "b": .string("[1-2]")])
    }
}
