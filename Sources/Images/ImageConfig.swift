import Foundation

/// The runtime part of a Docker image configuration (the `config` object of the image's
/// config JSON): what the docker/runtime isolator needs to launch a container.
///
/// Coding keys are Docker's own, so this type decodes straight from the archive's config file
/// and encodes back into one (`TestImage` relies on that).
public struct ImageConfig: Sendable, Hashable, Codable {
    public var entrypoint: [String]?
    public var cmd: [String]?
    public var env: [String]
    public var workingDir: String?
    public var user: String?

    public init(entrypoint: [String]? = nil, cmd: [String]? = nil, env: [String] = [],
                workingDir: String? = nil, user: String? = nil) {
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.env = env
        self.workingDir = workingDir
        self.user = user
    }

    enum CodingKeys: String, CodingKey {
        case entrypoint = "Entrypoint", cmd = "Cmd", env = "Env", workingDir = "WorkingDir", user = "User"
    }

    /// Docker writes absent fields as `null` and absent strings as `""`; both become nil here
    /// so that callers test one thing, as Mesos treats `"WorkingDir": ""` as no directory.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        entrypoint = try container.decodeIfPresent([String].self, forKey: .entrypoint)
        cmd = try container.decodeIfPresent([String].self, forKey: .cmd)
        env = try container.decodeIfPresent([String].self, forKey: .env) ?? []
        workingDir = try container.decodeIfPresent(String.self, forKey: .workingDir).flatMap { $0.isEmpty ? nil : $0 }
        user = try container.decodeIfPresent(String.self, forKey: .user).flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// An image ready for a container: its layers on local disk and its runtime configuration.
public struct ProvisionedImage: Sendable {
    public let reference: ImageReference
    /// Bottom layer first; each is a directory holding that layer's root filesystem, with
    /// whiteouts in overlayfs's form (see `Whiteouts`).
    public let layerPaths: [String]
    public let config: ImageConfig

    public init(reference: ImageReference, layerPaths: [String], config: ImageConfig) {
        self.reference = reference
        self.layerPaths = layerPaths
        self.config = config
    }
}
