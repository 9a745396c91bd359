import Foundation

/// Clients sorted by ascending (share, name), kept sorted incrementally: an allocation moves
/// one client, which costs two binary searches and a short shift instead of a sort per agent.
///
/// The order is a list of chunks of at most `chunkLimit` slots, so moving a framework from
/// the front of a thousand to the back shifts two chunks rather than the whole array.
/// While `sorted` is false (the cluster total changed, so every share is stale) changes just
/// append or search linearly, and `resort` puts things right once.
struct DRFOrder: Sendable {
    struct Slot: Sendable {
        var share: Double
        let client: Int
        let name: String
    }

    private static let chunkLimit = 128
    private(set) var chunks: [[Slot]] = []

    /// All slots in order; for cold paths (iterate `chunks` where it matters).
    var slots: [Slot] { chunks.flatMap { $0 } }

    private static func precedes(_ a: Slot, _ b: Slot) -> Bool {
        a.share != b.share ? a.share < b.share : a.name < b.name
    }

    /// The first place whose slot does not precede `slot`.
    private func position(of slot: Slot) -> (chunk: Int, index: Int) {
        guard !chunks.isEmpty else { return (0, 0) }
        var (low, high) = (0, chunks.count - 1)
        while low < high {
            let mid = (low + high) / 2
            if Self.precedes(chunks[mid][chunks[mid].count - 1], slot) { low = mid + 1 } else { high = mid }
        }
        let chunk = chunks[low]
        var (start, end) = (0, chunk.count)
        while start < end {
            let mid = (start + end) / 2
            if Self.precedes(chunk[mid], slot) { start = mid + 1 } else { end = mid }
        }
        return (low, start)
    }

    mutating func insert(_ slot: Slot, sorted: Bool) {
        guard !chunks.isEmpty else { chunks = [[slot]]; return }
        let (chunk, index) = sorted ? position(of: slot) : (chunks.count - 1, chunks[chunks.count - 1].count)
        chunks[chunk].insert(slot, at: index)
        if chunks[chunk].count > Self.chunkLimit {
            let half = Array(chunks[chunk][(Self.chunkLimit / 2)...])
            chunks[chunk].removeLast(half.count)
            chunks.insert(half, at: chunk + 1)
        }
    }

    /// `share` is the one the client was placed with, which is where it sits.
    mutating func remove(client: Int, name: String, share: Double, sorted: Bool) {
        var found: (chunk: Int, index: Int)?
        if sorted {
            let (chunk, index) = position(of: Slot(share: share, client: client, name: name))
            if chunk < chunks.count, index < chunks[chunk].count, chunks[chunk][index].client == client {
                found = (chunk, index)
            }
        }
        if found == nil {
            for chunk in chunks.indices {
                if let index = chunks[chunk].firstIndex(where: { $0.client == client }) { found = (chunk, index); break }
            }
        }
        guard let (chunk, index) = found else { return }
        chunks[chunk].remove(at: index)
        if chunks[chunk].isEmpty { chunks.remove(at: chunk) }
    }

    mutating func move(client: Int, name: String, from old: Double, to new: Double, sorted: Bool) {
        guard sorted, old != new else { return }
        remove(client: client, name: name, share: old, sorted: true)
        insert(Slot(share: new, client: client, name: name), sorted: true)
    }

    mutating func resort(share: (Int) -> Double) {
        var all = slots
        for index in all.indices { all[index].share = share(all[index].client) }
        all.sort(by: Self.precedes)
        let size = Self.chunkLimit / 2
        chunks = stride(from: 0, to: all.count, by: size).map { Array(all[$0..<min($0 + size, all.count)]) }
    }

    /// A weighted random order (Mesos's random sorter): each client comes next with
    /// probability proportional to its weight.
    func shuffled(weight: (Int) -> Double, using rng: inout SplitMix) -> [Int] {
        let keyed = slots.map { slot -> (Double, Int) in
            let u = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &rng)
            return (-log(u) / max(weight(slot.client), 1e-9), slot.client)
        }
        return keyed.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
