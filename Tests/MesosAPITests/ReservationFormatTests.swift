import XCTest
@testable import MesosAPI

final class ReservationFormatTests: XCTestCase {
    func testOldFormsUpgradeToStacks() {
        XCTAssertNil(Resource.scalar("cpus", 1, role: "*").upgraded.reservations)
        XCTAssertNil(Resource.scalar("cpus", 1, role: "*").upgraded.role)
        let staticRes = Resource.scalar("cpus", 1, role: "eng").upgraded
        XCTAssertEqual(staticRes.reservations, [ReservationInfo(type: .STATIC, role: "eng")])
        XCTAssertNil(staticRes.role)
        var dynamic = Resource.scalar("cpus", 1, role: "eng")
        dynamic.reservation = ReservationInfo(principal: "p")
        XCTAssertEqual(dynamic.upgraded.reservations, [ReservationInfo(type: .DYNAMIC, role: "eng", principal: "p")])
        XCTAssertTrue(dynamic.upgraded.isDynamicallyReserved)
    }

    func testRoundTripThroughBothForms() {
        var dynamic = Resource.scalar("mem", 64, role: "eng")
        dynamic.reservation = ReservationInfo(principal: "p", labels: Labels(labels: [Label(key: "k", value: "v")]))
        for r in [Resource.scalar("cpus", 1, role: "*"), .scalar("cpus", 1, role: "eng"), dynamic] {
            XCTAssertEqual(r.upgraded.downgraded, r)
        }
    }

    func testRefinedReservationsCannotBeDowngraded() {
        var refined = Resource.scalar("cpus", 1)
        refined.reservations = [ReservationInfo(type: .STATIC, role: "eng"), ReservationInfo(type: .DYNAMIC, role: "eng/web")]
        XCTAssertNil(refined.downgraded)
        XCTAssertEqual([refined, .scalar("mem", 1)].downgraded.count, 1)
        XCTAssertEqual(refined.reservedRole, "eng/web")
    }

    func testUpgradedResourcesCompareEqual() {
        var a = Resource.scalar("cpus", 1, role: "eng")
        a.reservation = ReservationInfo(principal: "p")
        var b = Resource.scalar("cpus", 1)
        b.reservations = [ReservationInfo(type: .DYNAMIC, role: "eng", principal: "p")]
        XCTAssertTrue(Resources([a.upgraded]).contains(Resources([b.upgraded])))
    }
}
