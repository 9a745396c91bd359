import Foundation
import HTTPSupport
import NIOCore
import NIOPosix

/// Readers of a large document share its builds. A request that arrives while builds are under
/// way waits for the next one to start, which serves everyone who waited: ten clients polling
/// `/master/state` cost a few builds at a time, not ten, and every answer reflects all that
/// happened before it was asked. Two builds may run at once, so that a reader does not wait for
/// the agents and offers of a build it is too late for: a build's readers get its document as
/// soon as it starts (`SharedDocument`) and are sent each part as it is written. Builds run on
/// NIO's blocking-work threads, off the cooperative pool that the master's actor and the HTTP
/// handlers need. Documents are ByteBuffers so that every reader's response shares them.
actor StateBatcher {
    private var waiting: [CheckedContinuation<SharedDocument, Never>] = []
    private var running = 0
    private static let concurrentBuilds = 2
    /// What the last builds wrote that the next may reuse (each part locked while used).
    nonisolated let cache = StateCache()

    /// A document whose build starts after this call; `build` writes and finishes it.
    func stream(_ build: @escaping @Sendable (SharedDocument) async -> Void) async -> SharedDocument {
        await withCheckedContinuation { continuation in
            waiting.append(continuation)
            startBuild(build)
        }
    }

    /// The whole document, for readers that need all of it at once.
    func document(_ build: @escaping @Sendable () async -> [ByteBuffer]) async -> [ByteBuffer] {
        let document = await stream { document in
            for chunk in await build() { document.append(chunk) }
            document.finish()
        }
        return await document.collect()
    }

    private func startBuild(_ build: @escaping @Sendable (SharedDocument) async -> Void) {
        guard running < Self.concurrentBuilds, !waiting.isEmpty else { return }
        running += 1
        let batch = waiting
        waiting = []
        let document = SharedDocument()
        batch.forEach { $0.resume(returning: document) }
        Task {
            await build(document)
            await self.finished(build)
        }
    }

    private func finished(_ build: @escaping @Sendable (SharedDocument) async -> Void) {
        running -= 1
        startBuild(build)
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
