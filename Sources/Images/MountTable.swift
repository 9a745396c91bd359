import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The calling process's mounts, read from /proc/self/mountinfo.
enum MountTable {
    /// Mount points at `root` or below it, deepest first (the order they must be unmounted).
    static func mountPoints(under root: String) -> [String] {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return [] }
        let points = text.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            let point = unescape(String(fields[4]))
            return point == root || point.hasPrefix(root + "/") ? point : nil
        }
        return points.sorted { $0.count > $1.count }
    }

    /// Unmounts everything at or below `root`, lazily where a mount is busy (a process
    /// still running inside, an open file). Returns whether nothing remains mounted there,
    /// which callers check before deleting: removing a tree with a bind mount inside would
    /// delete the bind mount's source (the task's sandbox, say).
    @discardableResult
    static func unmountAll(under root: String) -> Bool {
        // A mount point can be stacked several times over; each pass peels one layer.
        for _ in 0..<16 {
            let points = mountPoints(under: root)
            if points.isEmpty { return true }
            for point in points where umount2(point, 0) != 0 {
                if errno == EBUSY { _ = umount2(point, Int32(MNT_DETACH)) }
            }
        }
        return mountPoints(under: root).isEmpty
    }

    /// mountinfo escapes space, tab, newline and backslash as three octal digits.
    private static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var bytes: [UInt8] = []
        let raw = Array(field.utf8)
        var index = 0
        while index < raw.count {
            if raw[index] == UInt8(ascii: "\\"), index + 3 < raw.count,
               let value = UInt8(String(decoding: raw[(index + 1)...(index + 3)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(raw[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
