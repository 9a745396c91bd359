import Foundation

/// A Docker image name, normalised the way Docker names images on Docker Hub, so that
/// "busybox", "library/busybox:latest" and "docker.io/library/busybox" find the same archive
/// in a local registry directory.
///
/// `repository` holds the short ("familiar") form: Docker Hub's host and the implicit
/// `library/` namespace are dropped, a different registry host is kept.
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    public var repository: String
    public var tag: String

    public init(repository: String, tag: String = "latest") {
        self.repository = repository
        self.tag = tag
    }

    public init(parsing name: String) throws(ImageError) {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ImageError("Invalid image reference: empty name") }
        guard !trimmed.contains("@") else {
            // A digest names content in a remote registry; a directory of `docker save`
            // archives is indexed by tag only, as in Mesos's local puller.
            throw ImageError("Invalid image reference '\(name)': digests are not supported by the local registry")
        }

        var path = trimmed
        var tag = "latest"
        // The tag is after the last ':' only if that ':' follows the last '/'; an earlier ':'
        // belongs to a registry host's port ("localhost:5000/app").
        if let colon = path.lastIndex(of: ":"), path[colon...].contains("/") == false {
            tag = String(path[path.index(after: colon)...])
            path = String(path[..<colon])
        }
        guard Self.isValidTag(tag) else { throw ImageError("Invalid image reference '\(name)': bad tag '\(tag)'") }

        for hubHost in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] where path.hasPrefix(hubHost) {
            path.removeFirst(hubHost.count)
            break
        }
        let components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var repositoryComponents = components
        if components.count == 2, components[0] == "library" {
            repositoryComponents = [components[1]]
        }
        guard Self.isValidRepository(repositoryComponents) else {
            throw ImageError("Invalid image reference '\(name)': bad repository '\(path)'")
        }
        self.repository = repositoryComponents.joined(separator: "/")
        self.tag = tag
    }

    public var description: String { "\(repository):\(tag)" }

    /// Names an image may carry in a `docker save` archive's `RepoTags`.
    var repoTagCandidates: [String] {
        var names = [description]
        if !repository.contains("/") {
            names += ["library/\(description)", "docker.io/library/\(description)"]
        }
        return names
    }

    /// File names (relative to the registry directory) that may hold this image: the short
    /// form first, then Docker Hub's explicit `library/` namespace, since operators save
    /// archives under either name.
    var archiveCandidates: [String] {
        var names = ["\(repository):\(tag).tar"]
        if !repository.contains("/") {
            names.append("library/\(repository):\(tag).tar")
        }
        return names
    }

    private static func isValidTag(_ tag: String) -> Bool {
        guard let first = tag.first, tag.count <= 128, first != ".", first != "-" else { return false }
        return tag.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    /// Components become a file name in the registry, so anything that could step out of
    /// that directory ("..", empty components) is rejected along with Docker's other rules.
    private static func isValidRepository(_ components: [String]) -> Bool {
        guard !components.isEmpty else { return false }
        for (index, component) in components.enumerated() {
            guard !component.isEmpty, component != ".", component != ".." else { return false }
            let isHost = index == 0 && components.count > 1
                && (component.contains(".") || component.contains(":") || component == "localhost")
            let allowed: (Character) -> Bool = isHost
                ? { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:".contains($0)) }
                : { $0.isASCII && ($0.isLowercase || $0.isNumber || "._-".contains($0)) }
            guard component.allSatisfy(allowed) else { return false }
        }
        return true
    }
}
