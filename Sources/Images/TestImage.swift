import Foundation

/// Builds `docker save`-style archives without Docker, for tests across the project.
public enum TestImage {
    /// The two archive layouts `docker save` writes: `<id>/layer.tar` with `<config>.json`
    /// (Docker before 25), and an OCI image layout with `blobs/sha256/<hex>` (Docker 25 on).
    public enum Layout: Sendable {
        case legacy, oci
    }

    /// Debian's statically linked busybox (package busybox-static): it runs in an image with
    /// no libraries.
    public static let busyboxPath = "/bin/busybox"

    /// Writes a one-layer busybox image to `archivePath`: `/bin/busybox` and a symlink per
    /// applet, `/proc`, `/dev`, `/tmp`, `/mnt/mesos/sandbox`, an `/etc/passwd` naming root and
    /// nobody, and `extraFiles` (absolute path → contents, which may replace any of these).
    public static func buildBusybox(at archivePath: String, repository: String = "busybox",
                                    tag: String = "latest", extraFiles: [String: String] = [:],
                                    workingDir: String? = nil, cmd: [String] = ["sh"],
                                    entrypoint: [String]? = nil, env: [String] = []) throws {
        guard FileManager.default.isExecutableFile(atPath: busyboxPath) else {
            throw ImageError("\(busyboxPath) is missing: run `apt-get install busybox-static` to build test images")
        }
        let work = try temporaryDirectory()
        defer { try? FileSystem.remove(work) }
        let root = "\(work)/rootfs"
        for directory in ["bin", "proc", "dev", "tmp", "etc", "mnt/mesos/sandbox", "root"] {
            try FileSystem.createDirectory("\(root)/\(directory)")
        }
        _ = chmod("\(root)/tmp", 0o1777)
        try FileManager.default.copyItem(atPath: busyboxPath, toPath: "\(root)/bin/busybox")
        for applet in try applets() where applet != "busybox" {
            try FileManager.default.createSymbolicLink(atPath: "\(root)/bin/\(applet)", withDestinationPath: "busybox")
        }
        let passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
        try write(passwd, to: "\(root)/etc/passwd")
        try write("root:x:0:\nnogroup:x:65534:\n", to: "\(root)/etc/group")
        for (path, contents) in extraFiles {
            try write(contents, to: "\(root)/\(path.drop { $0 == "/" })")
        }
        let config = ImageConfig(entrypoint: entrypoint, cmd: cmd,
                                 env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"] + env,
                                 workingDir: workingDir)
        try buildArchive(at: archivePath, repository: repository, tag: tag, layers: [root], config: config)
    }

    /// Writes an archive whose layers are the given directories' contents (bottom first),
    /// tarred as they are: a file named `.wh.<name>` in a directory becomes a whiteout.
    public static func buildArchive(at archivePath: String, repository: String, tag: String,
                                    layers: [String], config: ImageConfig, layout: Layout = .legacy) throws {
        let work = try temporaryDirectory()
        defer { try? FileSystem.remove(work) }
        let staging = "\(work)/archive"
        try FileSystem.createDirectory(staging)

        var diffIDs: [String] = []
        var members: [String] = []
        for (index, layer) in layers.enumerated() {
            let tarball = "\(work)/layer\(index).tar"
            // Owned by root whoever builds it, as layers pulled from a registry are.
            try Tool.run("tar", ["-cf", tarball, "--numeric-owner", "--owner=0", "--group=0", "-C", layer, "."])
            let digest = try LayerStore.sha256(of: tarball)
            diffIDs.append("sha256:\(digest)")
            let member: String
            switch layout {
            case .legacy:
                member = "\(digest)/layer.tar"
                try FileSystem.createDirectory("\(staging)/\(digest)")
                try write("1.0", to: "\(staging)/\(digest)/VERSION")
                try write("{\"id\":\"\(digest)\"}", to: "\(staging)/\(digest)/json")
            case .oci:
                member = "blobs/sha256/\(digest)"
                try FileSystem.createDirectory("\(staging)/blobs/sha256")
            }
            try FileManager.default.moveItem(atPath: tarball, toPath: "\(staging)/\(member)")
            members.append(member)
        }

        let configFile: [String: Any] = [
            "architecture": "amd64", "os": "linux",
            "config": try jsonObject(config),
            "rootfs": ["type": "layers", "diff_ids": diffIDs],
        ]
        let configPath = "\(work)/config.json"
        try JSONSerialization.data(withJSONObject: configFile, options: [.sortedKeys])
            .write(to: URL(fileURLWithPath: configPath))
        let configDigest = try LayerStore.sha256(of: configPath)
        let configMember = layout == .legacy ? "\(configDigest).json" : "blobs/sha256/\(configDigest)"
        try FileManager.default.moveItem(atPath: configPath, toPath: "\(staging)/\(configMember)")

        let repoTag = "\(repository):\(tag)"
        let manifest: [[String: Any]] = [["Config": configMember, "RepoTags": [repoTag], "Layers": members]]
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: "\(staging)/manifest.json"))
        if layout == .oci {
            try write("{\"imageLayoutVersion\":\"1.0.0\"}", to: "\(staging)/oci-layout")
        } else if let top = members.last?.split(separator: "/").first {
            try write("{\"\(repository)\":{\"\(tag)\":\"\(top)\"}}", to: "\(staging)/repositories")
        }

        let parent = (archivePath as NSString).deletingLastPathComponent
        if !parent.isEmpty { try FileSystem.createDirectory(parent) }
        // Members named without a "./" prefix, as `docker save` names them.
        try Tool.run("tar", ["-cf", archivePath, "-C", staging, "--"] + FileSystem.children(staging))
    }

    private static func applets() throws -> [String] {
        let listed = String(decoding: try Tool.run(busyboxPath, ["--list"]), as: UTF8.self)
            .split(whereSeparator: \.isNewline).map(String.init)
            .filter { !$0.isEmpty && !$0.contains("/") }
        return Array(Set(listed + ["sh", "ls", "cat", "echo", "sleep", "ps"])).sorted()
    }

    private static func jsonObject(_ config: ImageConfig) throws -> Any {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(config))
    }

    private static func write(_ contents: String, to path: String) throws {
        try FileSystem.createDirectory((path as NSString).deletingLastPathComponent)
        try FileSystem.remove(path)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
    }

    private static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("plinth-image-\(UUID().uuidString)").path
        try FileSystem.createDirectory(path)
        return path
    }
}
