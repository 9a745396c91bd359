import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A container root filesystem as an overlay mount: layers as read-only lower directories,
/// the container's writes in an upper directory under its scratch directory.
enum OverlayBackend {
    static func mount(layers: [String], target: String, scratch: String) throws(ImageError) {
        let upper = "\(scratch)/upper"
        let work = "\(scratch)/work"
        let links = "\(scratch)/links"
        for directory in [target, upper, work, links] {
            try FileSystem.createDirectory(directory)
        }
        // The mount options must fit in one page, which a few dozen store paths would not.
        // Short symlinks to the layers keep the option string small whatever the store path
        // is, as Mesos's overlay backend does.
        for (index, layer) in layers.enumerated() {
            let link = "\(links)/\(index)"
            do {
                try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: layer)
            } catch {
                throw ImageError.wrapping(error, "Failed to link layer '\(layer)'")
            }
        }
        // overlayfs lists the topmost lower directory first.
        let lower = layers.indices.reversed().map { "\(links)/\($0)" }.joined(separator: ":")
        let options = "lowerdir=\(lower),upperdir=\(upper),workdir=\(work)"
        guard !scratch.contains(":"), !scratch.contains(",") else {
            throw ImageError("Cannot use overlayfs: the scratch path '\(scratch)' contains ':' or ','")
        }
        guard Glibc.mount("overlay", target, "overlay", 0, options) == 0 else {
            throw ImageError("Failed to mount overlayfs at '\(target)': \(FileSystem.errnoText())")
        }
    }
}
