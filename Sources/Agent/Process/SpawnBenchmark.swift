#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Serial spawns per second of `/bin/sh -c command`, reaped with a bare `waitpid`: the
/// ceiling the end-to-end task benchmark is compared against, so it deliberately skips
/// reaper threads, process-group cleanup and output files. Failed spawns still count
/// towards the elapsed time but not the rate.
public func measureRawSpawnRate(command: String, count: Int) -> Double {
    let spawner = ProcessSpawner()
    let request = SpawnRequest(command: .shell(command),
                               environment: ProcessInfo.processInfo.environment)
    let clock = ContinuousClock()
    var spawned = 0
    let elapsed = clock.measure {
        for _ in 0..<count {
            guard let pid = try? spawner.spawn(request) else { continue }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            spawned += 1
        }
    }
    let seconds = Double(elapsed.components.seconds)
        + Double(elapsed.components.attoseconds) / 1e18
    return seconds > 0 ? Double(spawned) / seconds : 0
}
