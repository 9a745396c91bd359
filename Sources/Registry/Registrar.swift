import Foundation

/// The only writer of the registry: it serialises changes and batches those that arrive while
/// a write is under way into the next one, so a burst of agents costs a few writes, not one
/// each. A change is visible (and its caller resumed) only once it is stored; after a failed
/// write every later change fails too, since the stored registry and the master's may differ.
public actor Registrar {
    private let store: any RegistryStore
    private(set) public var state = RegistryState()
    private var pending: [(operations: [RegistryOperation], waiter: CheckedContinuation<Void, any Error>)] = []
    private var writing = false
    private var failure: (any Error)?
    public private(set) var writes = 0

    public init(store: any RegistryStore) {
        self.store = store
    }

    /// Reads the stored registry; call before any `apply`.
    public func recover() async throws -> RegistryState {
        state = try RegistryLayout.state(from: try await store.read())
        return state
    }

    /// Stores the changes, in order, together with any others waiting; throws if they could not be.
    public func apply(_ operations: [RegistryOperation]) async throws {
        if let failure { throw failure }
        try await withCheckedThrowingContinuation { waiter in
            pending.append((operations, waiter))
            if !writing {
                writing = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            var next = state
            var touched: Set<RegistryLayout.Key> = []
            for entry in batch {
                for operation in entry.operations { touched.formUnion(operation.apply(to: &next)) }
            }
            do {
                if let failure { throw failure }
                if !touched.isEmpty {
                    try await store.write(try RegistryLayout.documents(of: next, keys: touched))
                    writes += 1
                }
                state = next
                batch.forEach { $0.waiter.resume() }
            } catch {
                failure = error
                batch.forEach { $0.waiter.resume(throwing: error) }
            }
        }
        writing = false
    }
}
