import Foundation

/// A container root filesystem as a plain directory: the layers copied in, bottom first,
/// each applying its whiteouts to what the layers below left.
///
/// Slower and bigger than overlayfs, but works anywhere (no mount privileges, any file
/// system), which is why Mesos keeps it as its default backend.
enum CopyBackend {
    static func merge(layers: [String], into target: String) throws(ImageError) {
        try FileSystem.createDirectory(target)
        for layer in layers {
            try apply(layer, to: target)
        }
    }

    /// Copies one layer over `target` with `cp -a`, which keeps owners, modes, times,
    /// hard links and special files. Beforehand, a walk of the layer makes room for it:
    /// it deletes what the layer's whiteouts hide, and anything the layer replaces, so that
    /// cp never writes through a lower layer's symlink (which may point anywhere on the
    /// host) and never has to turn a file into a directory or back. Afterwards, the whiteout
    /// entries cp copied in are removed. Both whiteout forms are understood.
    private static func apply(_ layer: String, to target: String) throws(ImageError) {
        var leftovers: [String] = []
        var opaque: [String] = []
        try prepare(layer: layer, target: target, leftovers: &leftovers, opaque: &opaque)
        do {
            try Tool.run("cp", ["-a", "--", "\(layer)/.", target])
        } catch {
            throw ImageError("Failed to copy layer '\(layer)' into '\(target)': \(error.message)")
        }
        for path in leftovers {
            try FileSystem.remove(path)
        }
        for directory in opaque {
            FileSystem.removeXattr(directory, Whiteouts.opaqueXattr)
        }
    }

    private static func prepare(layer: String, target: String,
                                leftovers: inout [String], opaque: inout [String]) throws(ImageError) {
        let names = FileSystem.children(layer)
        if Whiteouts.isOpaque(layer) {
            for name in FileSystem.children(target) {
                try FileSystem.remove("\(target)/\(name)")
            }
            opaque.append(target)
        }
        for name in names {
            let source = "\(layer)/\(name)"
            let destination = "\(target)/\(name)"
            if name.hasPrefix(Whiteouts.prefix) {
                // `.wh.<name>` hides <name>; `.wh..wh..opq` was handled above.
                if !name.hasPrefix(Whiteouts.opaqueMarker.prefix(8)) {
                    try FileSystem.remove("\(target)/\(name.dropFirst(Whiteouts.prefix.count))")
                }
                leftovers.append(destination)
                continue
            }
            switch FileSystem.kind(source) {
            case .whiteout:
                try FileSystem.remove(destination)
                leftovers.append(destination)
            case .directory:
                if FileSystem.kind(destination) != .directory {
                    try FileSystem.remove(destination)
                }
                // Recurse even into a directory new to the target: its whiteouts still
                // have to be collected.
                try prepare(layer: source, target: destination, leftovers: &leftovers, opaque: &opaque)
            default:
                try FileSystem.remove(destination)
            }
        }
    }
}
