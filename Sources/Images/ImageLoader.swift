import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One pull, start to end, as blocking work: find the archive, read its manifest and config,
/// and make sure every layer is in the store.
struct ImageLoader: Sendable {
    let registry: String
    let storeDirectory: String

    /// Identifies an archive's version cheaply (that of the file itself, if the registry
    /// entry is a symlink), so that a repeated pull of an unchanged archive can skip reading it.
    struct Stamp: Hashable, Sendable {
        var path: String
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
    }

    func locate(_ reference: ImageReference) throws(ImageError) -> (path: String, stamp: Stamp) {
        let candidates = reference.archiveCandidates.map { "\(registry)/\($0)" }
        for path in candidates {
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            let stamp = Stamp(path: path, inode: UInt64(info.st_ino), size: Int64(info.st_size),
                              modifiedSeconds: info.st_mtim.tv_sec, modifiedNanoseconds: info.st_mtim.tv_nsec)
            return (path, stamp)
        }
        throw ImageError("Failed to find image '\(reference)' in the local registry '\(registry)' (looked for \(candidates.joined(separator: ", ")))")
    }

    func load(_ reference: ImageReference, from path: String) throws(ImageError) -> ProvisionedImage {
        let staging = "\(storeDirectory)/staging/\(UUID().uuidString)"
        try FileSystem.createDirectory(staging)
        defer { try? FileSystem.remove(staging) }

        var archive = ImageArchive(path: path, staging: staging)
        let entry = try ArchiveManifestEntry.select(from: try archive.extractManifest(), for: reference)
        try archive.extract([entry.config])
        let configFile = try ImageConfigFile.parse(try archive.read(entry.config))

        let store = LayerStore(storeDirectory: storeDirectory)
        let diffIDs = configFile.rootfs?.diffIDs ?? []
        var ids: [String?] = entry.layers.enumerated().map { index, member in
            LayerStore.layerID(member: member, diffID: diffIDs.count == entry.layers.count ? diffIDs[index] : nil)
        }
        let needed = entry.layers.indices.filter { ids[$0].map { !store.contains($0) } ?? true }
        try archive.extract(needed.map { entry.layers[$0] })
        for index in needed {
            let tarball = archive.location(of: entry.layers[index])
            let id: String
            if let known = ids[index] {
                id = known
            } else {
                id = try LayerStore.sha256(of: tarball)
                ids[index] = id
            }
            if !store.contains(id) {
                try store.install(id, tarball: tarball, staging: staging)
            }
            // Each layer's tarball is done with once installed; dropping it keeps the staging
            // area to one extracted layer's worth of extra space.
            try? FileSystem.remove(tarball)
        }
        return ProvisionedImage(
            reference: reference,
            layerPaths: ids.map { store.rootfs($0!) },
            config: configFile.config ?? ImageConfig())
    }
}
