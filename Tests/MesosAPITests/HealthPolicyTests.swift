import MesosAPI
import XCTest

final class HealthPolicyTests: XCTestCase {
    func check(failures: UInt32 = 3, grace: Double = 10) -> HealthCheck {
        var check = HealthCheck(type: "HTTP")
        check.consecutiveFailures = failures
        check.gracePeriodSeconds = grace
        return check
    }

    func testFailuresInTheGracePeriodAreIgnoredUntilFirstHealthy() {
        var policy = HealthPolicy(check())
        XCTAssertEqual(policy.record(success: false, elapsed: 1), .none)
        XCTAssertEqual(policy.record(success: false, elapsed: 9), .none)
        XCTAssertEqual(policy.record(success: true, elapsed: 9.5), .report(healthy: true))
        // After the first success the grace period no longer shields anything.
        XCTAssertEqual(policy.record(success: false, elapsed: 9.8), .report(healthy: false))
    }

    func testOnlyTheFirstHealthyAndEveryUnhealthyResultIsReported() {
        var policy = HealthPolicy(check(grace: 0))
        XCTAssertEqual(policy.record(success: true, elapsed: 1), .report(healthy: true))
        XCTAssertEqual(policy.record(success: true, elapsed: 2), .none)
        XCTAssertEqual(policy.record(success: false, elapsed: 3), .report(healthy: false))
        XCTAssertEqual(policy.record(success: false, elapsed: 4), .report(healthy: false))
        XCTAssertEqual(policy.record(success: true, elapsed: 5), .report(healthy: true))
        XCTAssertEqual(policy.failures, 0)
    }

    func testKillAfterConsecutiveFailures() {
        var policy = HealthPolicy(check(failures: 2, grace: 0))
        XCTAssertEqual(policy.record(success: false, elapsed: 1), .report(healthy: false))
        XCTAssertEqual(policy.record(success: true, elapsed: 2), .report(healthy: true))
        XCTAssertEqual(policy.record(success: false, elapsed: 3), .report(healthy: false))
        XCTAssertEqual(policy.record(success: false, elapsed: 4), .kill)
    }

    func testZeroConsecutiveFailuresNeverKills() {
        var policy = HealthPolicy(check(failures: 0, grace: 0))
        for second in 1...10 { XCTAssertEqual(policy.record(success: false, elapsed: Double(second)), .report(healthy: false)) }
    }

    func testMesosDefaults() {
        let check = HealthCheck(type: "TCP")
        XCTAssertEqual([check.delay, check.interval, check.timeout, check.gracePeriod], [15, 10, 20, 10])
        XCTAssertEqual(check.maxFailures, 3)
    }
}
