import Foundation

/// A tiny lock wrapper so the in-memory store reads like the SQLite one.
final class NSLockLike: @unchecked Sendable {
    private let lock = NSLock()
    func with<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
