/// One stream carries both node watches and session transitions so a
/// consumer (e.g. a leader detector) can serialize its reactions in one loop.
/// Watches are one-shot, as in ZooKeeper: re-set them after each event and
/// after `.reconnected`.
public enum WatchEvent: Sendable, Equatable {
    case nodeCreated(String)
    case nodeDeleted(String)
    case nodeDataChanged(String)
    case nodeChildrenChanged(String)
    case disconnected
    case reconnected
    case sessionExpired

    /// WatcherEvent.type values from Watcher.Event.EventType; -1 (None) and
    /// newer types are not node events for us, so they map to nil.
    init?(watcherEventType type: Int32, path: String) {
        switch type {
        case 1: self = .nodeCreated(path)
        case 2: self = .nodeDeleted(path)
        case 3: self = .nodeDataChanged(path)
        case 4: self = .nodeChildrenChanged(path)
        default: return nil
        }
    }
}
