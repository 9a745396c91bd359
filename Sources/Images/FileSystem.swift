import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What an entry is, seen without following symlinks: layers are full of symlinks that point
/// at absolute paths meant for inside the container, and following one would reach the host.
enum FileKind: Equatable {
    case missing, directory, regular, symlink, whiteout, other
}

/// Thin wrappers over the few system calls Foundation does not offer (lstat of device
/// numbers, mknod, extended attributes), with failures turned into `ImageError`s.
enum FileSystem {
    static func kind(_ path: String) -> FileKind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regular
        case S_IFLNK: return .symlink
        case S_IFCHR where info.st_rdev == 0: return .whiteout
        default: return .other
        }
    }

    static func exists(_ path: String) -> Bool { kind(path) != .missing }

    /// Entry names of a directory; an absent or unreadable directory has none, which is what
    /// merging into a not-yet-created target directory wants.
    static func children(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    static func createDirectory(_ path: String) throws(ImageError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ImageError.wrapping(error, "Failed to create directory '\(path)'")
        }
    }

    /// Removes a file or a whole tree; FileManager does not follow symlinks while doing so.
    static func remove(_ path: String) throws(ImageError) {
        guard exists(path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw ImageError.wrapping(error, "Failed to remove '\(path)'")
        }
    }

    /// Creates overlayfs's whiteout: a character device with device number 0:0.
    static func makeWhiteout(_ path: String) throws(ImageError) {
        guard mknod(path, S_IFCHR, 0) == 0 else {
            throw ImageError("Failed to create whiteout device '\(path)': \(errnoText())")
        }
    }

    // Extended attributes. Swift's Glibc module does not import <sys/xattr.h>, so the libc
    // functions are looked up by name; they are plain C functions with stable signatures.
    private typealias SetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32) -> Int32
    private typealias GetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int
    private typealias RemoveXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>) -> Int32

    private static func libc<T>(_ name: String, as type: T.Type) -> T? {
        // A nil handle is RTLD_DEFAULT: search the libraries already loaded.
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }

    static func setXattr(_ path: String, _ name: String, _ value: String) throws(ImageError) {
        guard let set = libc("lsetxattr", as: SetXattr.self) else {
            throw ImageError("Failed to set xattr '\(name)' on '\(path)': lsetxattr is unavailable")
        }
        let bytes = Array(value.utf8)
        let status = bytes.withUnsafeBytes { set(path, name, $0.baseAddress, $0.count, 0) }
        guard status == 0 else {
            throw ImageError("Failed to set xattr '\(name)' on '\(path)': \(errnoText())")
        }
    }

    static func getXattr(_ path: String, _ name: String) -> String? {
        guard let get = libc("lgetxattr", as: GetXattr.self) else { return nil }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { get(path, name, $0.baseAddress, $0.count) }
        guard count >= 0 else { return nil }
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }

    static func removeXattr(_ path: String, _ name: String) {
        guard let remove = libc("lremovexattr", as: RemoveXattr.self) else { return }
        _ = remove(path, name)
    }

    static func errnoText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}
