import Foundation

/// One entry of a `docker save` archive's `manifest.json`. Both archive layouts (the legacy
/// `<id>/layer.tar` one and Docker 25's OCI `blobs/sha256/<hex>` one) write this file, so it
/// is the only index the loader needs.
struct ArchiveManifestEntry: Decodable, Sendable {
    var config: String
    var repoTags: [String]?
    var layers: [String]

    enum CodingKeys: String, CodingKey {
        case config = "Config", repoTags = "RepoTags", layers = "Layers"
    }

    /// Picks the entry for `reference` from a manifest that may describe several images; an
    /// archive of a single image is accepted whatever its tags, as its file name chose it.
    static func select(from data: Data, for reference: ImageReference) throws(ImageError) -> ArchiveManifestEntry {
        let entries: [ArchiveManifestEntry]
        do {
            entries = try JSONDecoder().decode([ArchiveManifestEntry].self, from: data)
        } catch {
            throw ImageError("Failed to parse manifest.json: \(error)")
        }
        let names = Set(reference.repoTagCandidates)
        let chosen = entries.first { !names.isDisjoint(with: $0.repoTags ?? []) }
            ?? (entries.count == 1 ? entries[0] : nil)
        guard let chosen else {
            throw ImageError("manifest.json has no image tagged '\(reference)'")
        }
        for path in [chosen.config] + chosen.layers where !isSafeMember(path) {
            throw ImageError("manifest.json names an unsafe path '\(path)'")
        }
        return chosen
    }

    /// Archive members are read from a staging directory, so a path must stay inside it.
    static func isSafeMember(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/").contains("..")
    }
}

/// The image config file an entry's `Config` names: the runtime settings, and the layers'
/// content digests.
struct ImageConfigFile: Decodable, Sendable {
    struct RootFS: Decodable, Sendable {
        var diffIDs: [String]?
        enum CodingKeys: String, CodingKey { case diffIDs = "diff_ids" }
    }

    var config: ImageConfig?
    var rootfs: RootFS?

    static func parse(_ data: Data) throws(ImageError) -> ImageConfigFile {
        do {
            return try JSONDecoder().decode(ImageConfigFile.self, from: data)
        } catch {
            throw ImageError("Failed to parse the image config: \(error)")
        }
    }
}
