import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// File modes and ownership of fetched files.
enum Ownership {
    static func makeExecutable(_ path: String) throws(FetchFailure) {
        do {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        } catch {
            throw FetchFailure("cannot make '\(path)' executable: \(describe(error))")
        }
    }

    /// Gives the sandbox and everything in it to the task's user. Mesos achieves the same by
    /// chowning the sandbox and then fetching as that user; in-process we fetch as root and
    /// chown afterwards. `lchown` is used because an archive may contain symlinks pointing
    /// outside the sandbox, and following them would hand host files to the task.
    @concurrent
    static func chownRecursively(_ root: String, uid: UInt32, gid: UInt32) async throws(FetchFailure) {
        var paths = [root]
        if let walker = FileManager.default.enumerator(atPath: root) {
            while let relative = walker.nextObject() as? String {
                paths.append(root + "/" + relative)
            }
        }
        for path in paths where lchown(path, uid_t(uid), gid_t(gid)) != 0 {
            let reason = String(cString: strerror(errno))
            throw FetchFailure("cannot change owner of '\(path)' to \(uid):\(gid): \(reason)")
        }
    }
}
