/// `ContainerInfo`: how a task's container is built. Only what the Mesos containerizer reads
/// for images is modelled; other fields are ignored on decode.
public struct ContainerInfo: Codable, Hashable, Sendable {
    /// `MESOS` or `DOCKER`; a string so unknown types reach the agent's clear error.
    public var type: String
    public var mesos: MesosInfo?
    public var docker: DockerInfo?
    public var hostname: String?

    public init(type: String, mesos: MesosInfo? = nil, docker: DockerInfo? = nil) {
        self.type = type; self.mesos = mesos; self.docker = docker
    }

    public struct MesosInfo: Codable, Hashable, Sendable {
        public var image: Image?
        public init(image: Image?) { self.image = image }
    }

    public struct DockerInfo: Codable, Hashable, Sendable {
        public var image: String
        public init(image: String) { self.image = image }
    }

    public struct Image: Codable, Hashable, Sendable {
        public struct Docker: Codable, Hashable, Sendable {
            public var name: String
            public init(name: String) { self.name = name }
        }
        public struct Appc: Codable, Hashable, Sendable {
            public var name: String
        }
        /// `DOCKER` or `APPC`.
        public var type: String
        public var docker: Docker?
        public var appc: Appc?
        public var cached: Bool?
        public init(docker name: String) { type = "DOCKER"; docker = Docker(name: name) }
    }
}
