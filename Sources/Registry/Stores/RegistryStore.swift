import Foundation

/// Where the registry's documents live. A store keeps named blobs and knows nothing of their
/// meaning (`RegistryLayout` does); `write` is all or nothing as far as the store allows, and a
/// write that cannot be made must throw, never half-succeed silently.
public protocol RegistryStore: Sendable {
    /// Every stored document, by name.
    func read() async throws -> [String: Data]
    /// Replaces the named documents.
    func write(_ documents: [String: Data]) async throws
}

/// A store that forgets everything: for masters without a work directory and for tests.
public final class InMemoryRegistry: RegistryStore, @unchecked Sendable {
    private var documents: [String: Data] = [:]
    private let lock = NSLockLike()

    public init() {}

    public func read() async throws -> [String: Data] { lock.with { documents } }

    public func write(_ documents: [String: Data]) async throws {
        lock.with { self.documents.merge(documents) { $1 } }
    }
}
