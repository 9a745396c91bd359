import Foundation

/// How a container's root filesystem is assembled from image layers (Mesos's
/// `--image_provisioner_backend`).
public enum RootfsBackend: String, Sendable {
    case overlay, copy
}

/// Container root filesystems built from `ProvisionedImage.layerPaths`.
public enum Rootfs {
    /// Builds a root filesystem at `target` from `layers` (bottom first): an overlay mount
    /// with its upper and work directories under `scratch` when `prefer` is `.overlay` and
    /// the kernel allows the mount, else a merged copy. Returns the backend used, since the
    /// fallback is silent: a host without overlayfs (or a store on a file system overlayfs
    /// cannot stack on) still runs containers, only with more disk and startup time.
    public static func provision(layers: [String], target: String, scratch: String,
                                 prefer: RootfsBackend = .overlay) throws -> RootfsBackend {
        if prefer == .overlay, !layers.isEmpty {
            do {
                try OverlayBackend.mount(layers: layers, target: target, scratch: scratch)
                return .overlay
            } catch {
                // Undo the half-made overlay (its links and directories) before copying.
                destroy(target: target, scratch: scratch)
            }
        }
        try CopyBackend.merge(layers: layers, into: target)
        return .copy
    }

    /// Unmounts `target` and anything mounted below it (lazily where busy), then removes
    /// `target` and `scratch`. If something stays mounted, `target` is left in place rather
    /// than risk deleting through a mount into the host or the task's sandbox.
    public static func destroy(target: String, scratch: String) {
        for path in [target, scratch] where FileSystem.exists(path) {
            let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            if MountTable.unmountAll(under: resolved) {
                try? FileSystem.remove(path)
            }
        }
    }
}
