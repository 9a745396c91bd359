import Foundation

/// A `docker save` archive, unpacked member by member into a staging directory.
///
/// Only the members a pull needs are extracted (the manifest, the config, layers not yet in
/// the store), so a repeated pull of a large image reads the archive but writes almost
/// nothing.
struct ImageArchive {
    let path: String
    let staging: String
    /// Archives made with `tar -C dir .` name members "./manifest.json"; GNU tar matches
    /// member names literally, so the prefix the archive uses is learnt from the manifest.
    private var memberPrefix = ""

    init(path: String, staging: String) {
        self.path = path
        self.staging = staging
    }

    /// Extracts manifest.json, learning the archive's member-name prefix.
    mutating func extractManifest() throws(ImageError) -> Data {
        do {
            try extract(["manifest.json"])
        } catch {
            memberPrefix = "./"
            do {
                try extract(["manifest.json"])
            } catch {
                throw ImageError("Failed to read manifest.json from '\(path)': \(error.message)")
            }
        }
        return try read("manifest.json")
    }

    /// Extracts `members`, then any member those are symlinks to: Docker 25's archives keep
    /// legacy `<id>/layer.tar` names as symlinks into `blobs/`.
    func extract(_ members: [String]) throws(ImageError) {
        var pending = members
        var rounds = 0
        while !pending.isEmpty {
            try Tool.run("tar", ["-xf", path, "-C", staging, "--"] + pending.map { memberPrefix + $0 })
            pending = pending.compactMap(symlinkTarget)
            rounds += 1
            guard rounds < 8 else { throw ImageError("Too many symlinks among the members of '\(path)'") }
        }
    }

    func read(_ member: String) throws(ImageError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: location(of: member)))
        } catch {
            throw ImageError("Failed to read '\(member)' from '\(path)': \(error)")
        }
    }

    /// Where an extracted member is on disk.
    func location(of member: String) -> String { "\(staging)/\(member)" }

    /// The archive member a symlink member points to, if it stays inside the archive.
    private func symlinkTarget(_ member: String) -> String? {
        let link = location(of: member)
        guard FileSystem.kind(link) == .symlink,
              let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link),
              !target.hasPrefix("/")
        else { return nil }
        var components = member.split(separator: "/").dropLast().map(String.init)
        for part in target.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if components.popLast() == nil { return nil }
            default: components.append(String(part))
            }
        }
        let resolved = components.joined(separator: "/")
        return FileSystem.exists(location(of: resolved)) ? nil : resolved
    }
}
