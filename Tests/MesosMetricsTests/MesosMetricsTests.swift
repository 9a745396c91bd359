import MesosMetrics
import XCTest

final class MesosMetricsTests: XCTestCase {
    func testTimerWindowGivesMesosStatistics() {
        var timer = TimerWindow(capacity: 100)
        var snapshot = MetricsSnapshot()
        timer.write("allocator/run_ms", into: &snapshot)
        XCTAssertTrue(snapshot.values.isEmpty, "no sample, no statistics")
        for ms in 1...200 { timer.record(Double(ms)) }
        timer.write("allocator/run_ms", into: &snapshot)
        XCTAssertEqual(snapshot["allocator/run_ms"], 200, "the last value")
        XCTAssertEqual(snapshot["allocator/run_ms/count"], 200, "every sample counts")
        XCTAssertEqual(snapshot["allocator/run_ms/min"], 101, "only the newest 100 are kept")
        XCTAssertEqual(snapshot["allocator/run_ms/max"], 200)
        XCTAssertEqual(snapshot["allocator/run_ms/p50"], 151)
        XCTAssertEqual(snapshot["allocator/run_ms/p99"], 200)
    }

    func testUsageAndPrometheusNames() {
        var snapshot = MetricsSnapshot()
        snapshot.setUsage("master/cpus", total: 4, used: 1)
        snapshot.setUsage("master/gpus", total: 0, used: 0)
        XCTAssertEqual(snapshot["master/cpus_percent"], 0.25)
        XCTAssertEqual(snapshot["master/gpus_percent"], 0)
        XCTAssertEqual(PrometheusExposition.prometheusName("allocator/mesos/roles/eng.web/shares/dominant"),
                       "allocator_mesos_roles_eng_web_shares_dominant")
        XCTAssertEqual(PrometheusExposition.prometheusName("9lives"), "_lives")
    }

    func testPrometheusTextCarriesEveryValueAndFollowsChanges() {
        let exposition = PrometheusExposition()
        var snapshot = MetricsSnapshot()
        snapshot.set("master/tasks_running", 3)
        snapshot.set("master/elected", true)
        let first = exposition.render(snapshot)
        XCTAssertTrue(first.contains("master_tasks_running 3"), first)
        XCTAssertTrue(first.contains("master_elected 1"), first)
        snapshot.set("master/tasks_running", 5)
        let second = exposition.render(snapshot)
        XCTAssertTrue(second.contains("master_tasks_running 5"), second)
        XCTAssertFalse(second.contains("master_tasks_running 3"))
    }
}
