import Foundation

/// Bookkeeping for the fetcher cache: which files are cached, how big they are and which were
/// used least recently. It is a plain value owned by the `Fetcher` actor, so every decision
/// about admission and eviction is made under the actor's isolation without locks; the file
/// operations it asks for are carried out by the actor.
struct FetchCache {
    struct Entry {
        let path: String
        let size: UInt64
        /// Logical time of the last use; a counter rather than a clock so two uses within
        /// one clock tick still have a definite order.
        var lastUsed: UInt64
        /// Sandboxes currently copying this file; a pinned entry is never evicted.
        var pins: Int
    }

    /// A cached file handed to a caller for copying; must be given back with `release`.
    struct Lease: Sendable {
        let key: String
        let path: String
        /// The file was too big to keep: it is deleted once the last holder releases it.
        let isTransient: Bool
    }

    let directory: String
    let capacity: UInt64
    private(set) var entries: [String: Entry] = [:]
    private(set) var totalSize: UInt64 = 0
    private var clock: UInt64 = 0
    /// Holders of files that were downloaded for caching but could not be admitted.
    private var transientPins: [String: Int] = [:]

    init(directory: String, capacity: UInt64) {
        self.directory = directory
        self.capacity = capacity
    }

    /// The key separates users as Mesos does: a file one user may read must not be served
    /// to another user's task merely because the URI string matches.
    static func key(uri: String, uid: UInt32?) -> String {
        SHA256.hex((uid.map(String.init) ?? "root") + "\n" + uri)
    }

    /// Whether `name` looks like a file this cache creates, so clean-up never touches
    /// anything else an operator put in the directory.
    static func isCacheFileName(_ name: String) -> Bool {
        let hash = name.split(separator: ".", maxSplits: 1).first ?? ""
        return hash.count == 64 && hash.allSatisfy { $0.isHexDigit }
    }

    func partialPath(for key: String) -> String {
        "\(directory)/\(key).partial-\(UUID().uuidString)"
    }

    /// A hit: returns a pinned lease on the cached file, or `nil` on a miss.
    mutating func checkout(_ key: String) -> Lease? {
        guard var entry = entries[key] else { return nil }
        clock += 1
        entry.lastUsed = clock
        entry.pins += 1
        entries[key] = entry
        return Lease(key: key, path: entry.path, isTransient: false)
    }

    enum Admission {
        /// Move the downloaded file to `path` and delete the evicted files.
        case cached(path: String, evicted: [String])
        /// Keep the file where it is and delete it after the last release.
        case transient
    }

    /// Decides whether a freshly downloaded file of `size` bytes can be kept, evicting least
    /// recently used unpinned entries to make room. `pins` is the number of fetches waiting
    /// for this download, each of which will release once.
    mutating func admit(_ key: String, partialPath: String, size: UInt64, pins: Int) -> Admission {
        var evicted: [String] = []
        if size <= capacity {
            let victims = entries.filter { $0.value.pins == 0 }.sorted { $0.value.lastUsed < $1.value.lastUsed }
            var freed: UInt64 = 0
            var chosen: [String] = []
            for victim in victims where totalSize - freed + size > capacity {
                chosen.append(victim.key)
                freed += victim.value.size
            }
            // Evict only if that actually makes room; otherwise pinned files are in the way
            // and this download is served without caching instead.
            if totalSize - freed + size <= capacity {
                for key in chosen {
                    if let removed = entries.removeValue(forKey: key) {
                        totalSize -= removed.size
                        evicted.append(removed.path)
                    }
                }
                clock += 1
                let path = "\(directory)/\(key)"
                entries[key] = Entry(path: path, size: size, lastUsed: clock, pins: pins)
                totalSize += size
                return .cached(path: path, evicted: evicted)
            }
        }
        transientPins[partialPath] = pins
        return .transient
    }

    /// Used when the admitted file could not be moved into place: forget the entry so
    /// nobody is served a file that does not exist, and keep the download as transient.
    mutating func demote(_ key: String, partialPath: String) {
        if let removed = entries.removeValue(forKey: key) {
            totalSize -= removed.size
            transientPins[partialPath] = removed.pins
        }
    }

    /// Gives a lease back; returns a path the caller must delete when that was the last
    /// holder of a transient file.
    mutating func release(_ lease: Lease) -> String? {
        if lease.isTransient {
            let remaining = (transientPins[lease.path] ?? 1) - 1
            if remaining > 0 {
                transientPins[lease.path] = remaining
                return nil
            }
            transientPins[lease.path] = nil
            return lease.path
        }
        if var entry = entries[lease.key], entry.path == lease.path {
            entry.pins = max(0, entry.pins - 1)
            entries[lease.key] = entry
        }
        return nil
    }
}
