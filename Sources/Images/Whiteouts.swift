import Foundation

/// Layer whiteouts, in the two forms this module meets.
///
/// Image layers (Docker and OCI) mark deletions with files: `.wh.<name>` deletes `<name>` from
/// the layers below, and `.wh..wh..opq` in a directory hides everything below in that
/// directory. overlayfs knows deletions differently: a 0:0 character device named `<name>`,
/// and the xattr `trusted.overlay.opaque=y` on the directory.
///
/// The store keeps every layer in overlayfs's form only. One form means one extraction per
/// layer and one cache entry, whichever backend a container asks for; overlayfs's form is the
/// one that cannot be interpreted at mount time (the kernel reads it directly), whereas the
/// copy backend, which walks each layer anyway, reads either form cheaply (see `CopyBackend`).
enum Whiteouts {
    static let prefix = ".wh."
    static let opaqueMarker = ".wh..wh..opq"
    static let opaqueXattr = "trusted.overlay.opaque"

    /// Rewrites an extracted layer's whiteout files, in place, into overlayfs's form.
    static func convertToOverlay(_ directory: String) throws(ImageError) {
        for name in FileSystem.children(directory) {
            let path = "\(directory)/\(name)"
            if name == opaqueMarker {
                try FileSystem.setXattr(directory, opaqueXattr, "y")
                try FileSystem.remove(path)
            } else if name.hasPrefix(opaqueMarker.prefix(8)) {
                // Other `.wh..wh.` names are AUFS bookkeeping (hard-link directories), never
                // content of the image.
                try FileSystem.remove(path)
            } else if name.hasPrefix(prefix) {
                let hidden = "\(directory)/\(name.dropFirst(prefix.count))"
                try FileSystem.remove(hidden)
                try FileSystem.makeWhiteout(hidden)
                try FileSystem.remove(path)
            } else if FileSystem.kind(path) == .directory {
                try convertToOverlay(path)
            }
        }
    }

    static func isOpaque(_ directory: String) -> Bool {
        FileSystem.getXattr(directory, opaqueXattr) == "y"
            || FileSystem.exists("\(directory)/\(opaqueMarker)")
    }
}
