import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Extracted layers under `<store>/layers/<id>/rootfs`, the layout of Mesos's docker store.
///
/// Entries are immutable once present, and appear atomically: a layer is extracted and
/// converted in the staging area and then renamed into place, so a reader never sees a
/// half-extracted layer, and two extractions racing (two ImageStores, two agents sharing a
/// store) both succeed with one winner.
struct LayerStore {
    let directory: String

    init(storeDirectory: String) {
        directory = "\(storeDirectory)/layers"
    }

    func rootfs(_ id: String) -> String { "\(directory)/\(id)/rootfs" }

    func contains(_ id: String) -> Bool { FileSystem.kind(rootfs(id)) == .directory }

    /// Extracts the layer tarball `tarball` as layer `id`, using `staging` for scratch space.
    func install(_ id: String, tarball: String, staging: String) throws(ImageError) {
        let temporary = "\(staging)/layer-\(UUID().uuidString)"
        let root = "\(temporary)/rootfs"
        try FileSystem.createDirectory(root)
        do {
            // --numeric-owner: the image's uids mean the container's users, not whatever
            // names the host's /etc/passwd gives them. GNU tar also detects compressed
            // (OCI gzip) layers by itself.
            try Tool.run("tar", ["-xf", tarball, "-C", root, "--numeric-owner", "--preserve-permissions"])
            try Whiteouts.convertToOverlay(root)
        } catch {
            throw ImageError("Failed to extract layer \(id): \(error.message)")
        }
        try FileSystem.createDirectory(directory)
        let destination = "\(directory)/\(id)"
        if rename(temporary, destination) != 0 {
            let code = errno
            // Someone else installed the same layer first; theirs is as good as ours.
            guard contains(id) else {
                throw ImageError("Failed to move layer \(id) into the store: \(FileSystem.errnoText(code))")
            }
            try? FileSystem.remove(temporary)
        }
    }

    /// A name for a layer's store entry. Preferably the layer's content digest from the
    /// image config (`diff_ids`, the digest of the uncompressed tarball), so that a layer
    /// shared by images, or saved by different Docker versions, is extracted once; otherwise
    /// the digest or id its archive path carries.
    static func layerID(member: String, diffID: String?) -> String? {
        if let diffID, let hex = digestHex(diffID) { return hex }
        let parts = member.split(separator: "/").map(String.init)
        if parts.count == 3, parts[0] == "blobs", isSafeID(parts[2]) { return parts[2] }
        if parts.count == 2, parts[1] == "layer.tar", isSafeID(parts[0]) { return parts[0] }
        return nil
    }

    /// The hex part of "sha256:<hex>", if that is what `digest` is.
    static func digestHex(_ digest: String) -> String? {
        guard digest.hasPrefix("sha256:") else { return nil }
        let hex = String(digest.dropFirst("sha256:".count))
        return hex.count == 64 && hex.allSatisfy(\.isHexDigit) ? hex : nil
    }

    private static func isSafeID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 128 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// The SHA-256 of a file, for layers whose archive gives no usable name.
    static func sha256(of path: String) throws(ImageError) -> String {
        let output = String(decoding: try Tool.run("sha256sum", ["--", path]), as: UTF8.self)
        guard let hex = output.split(separator: " ").first, hex.count == 64 else {
            throw ImageError("Unexpected sha256sum output for '\(path)': \(output)")
        }
        return String(hex)
    }
}
