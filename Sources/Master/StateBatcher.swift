import Foundation
import NIOCore
import NIOPosix

/// Readers of a large document share its builds. A request that arrives while a build is under
/// way waits for the next one, which starts as soon as the current one ends and serves everyone
/// who waited: ten clients polling `/master/state` cost about one build at a time, not ten, and
/// every answer is at most one build old. Builds run on NIO's blocking-work threads, off the
/// cooperative pool that the master's actor and the HTTP handlers need.
/// Documents are ByteBuffers so that every reader's response shares them, not a copy.
actor StateBatcher {
    private var waiting: [CheckedContinuation<[ByteBuffer], Never>] = []
    private var building = false
    /// What the last build wrote that the next may reuse; builds here never overlap.
    nonisolated let cache = StateCache()

    func document(_ build: @escaping @Sendable () async -> [ByteBuffer]) async -> [ByteBuffer] {
        await withCheckedContinuation { continuation in
            waiting.append(continuation)
            if !building {
                building = true
                Task { await self.run(build) }
            }
        }
    }

    private func run(_ build: @escaping @Sendable () async -> [ByteBuffer]) async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting = []
            let data = await build()
            batch.forEach { $0.resume(returning: data) }
        }
        building = false
    }

    /// Runs CPU-heavy work on a thread of NIO's blocking pool.
    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        do {
            return try await NIOThreadPool.singleton.runIfActive(work)
        } catch {
            return work()
        }
    }
}
