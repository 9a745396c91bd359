// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "plinth",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "plinth", targets: ["plinth"]),
        .executable(name: "plinth-bench", targets: ["plinth-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // Mesos v1 wire types, JSON codec and RecordIO framing: no I/O.
        .target(name: "MesosAPI", swiftSettings: strict),
        // The allocator core: pure value types driven by an injected clock.
        .target(name: "Allocator", dependencies: ["MesosAPI"], swiftSettings: strict),
        // Shared HTTP plumbing for the master and agent servers.
        .target(name: "HTTPSupport", dependencies: [
            "MesosAPI",
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // The libprocess wire protocol: peers named id@host:port, messages as HTTP POSTs.
        .target(name: "Libprocess", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // Protobuf bodies of the v1 APIs: code generated from Protos/ (scripts/gen-protos.sh)
        // and the one bridge between it and the JSON wire types.
        .target(name: "MesosProtobuf", dependencies: [
            "HTTPSupport",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: strict),
        // What a master must not forget, cut into documents, written by one batching Registrar
        // into SQLite (one master) or fenced into ZooKeeper (masters that fail over).
        .target(name: "Registry", dependencies: [
            "MesosAPI", "ZooKeeper",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: strict),
        // Mesos-named metric snapshots, timer windows, and their Prometheus text form.
        .target(name: "MesosMetrics", dependencies: [
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], swiftSettings: strict),
        // The web UI: plain ES modules and CSS, embedded in the binary.
        .target(name: "WebUI", resources: [.embedInCode("Assets")], swiftSettings: strict),
        .target(name: "Master", dependencies: [
            "Registry", "MesosMetrics", "WebUI",
            "MesosAPI", "Allocator", "HTTPSupport", "MesosProtobuf", "Libprocess",
            .product(name: "DequeModule", package: "swift-collections"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], swiftSettings: strict),
        // Container isolation: the `--isolation` flag, cgroups v1/v2, namespaces, limits and
        // resource statistics.
        .target(name: "Isolation", dependencies: ["MesosAPI"], swiftSettings: strict),
        // Runs external tools (tar, unzip, cp) with posix_spawn and waitpid.
        .target(name: "ToolRunner", swiftSettings: strict),
        // The fetcher: `CommandInfo.uris` into a sandbox, with extraction and an LRU cache.
        .target(name: "Fetcher", dependencies: ["ToolRunner"], swiftSettings: strict),
        // Container images without a daemon: `docker save` archives, a layer store, root
        // filesystems on overlayfs (or copies), and the image's launch rules.
        .target(name: "Images", dependencies: ["ToolRunner"], swiftSettings: strict),
        // A client of ZooKeeper's wire protocol: sessions, znodes, watches, multi-op transactions.
        .target(name: "ZooKeeper", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // Mesos's leader election on ZooKeeper: masters contend, everyone else detects the leader.
        .target(name: "Election", dependencies: [
            "MesosAPI", "ZooKeeper",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .target(name: "Agent", dependencies: [
            "MesosAPI", "HTTPSupport", "MesosProtobuf", "Libprocess", "Isolation", "Fetcher", "Images", "Election", "ZooKeeper", "MesosMetrics",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // A Swift scheduler client for the v1 API: what `execute` and the benchmark use.
        .target(name: "SchedulerClient", dependencies: [
            "MesosAPI", "HTTPSupport", "MesosProtobuf", "Libprocess",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .target(name: "PlinthCLI", dependencies: [
            "MesosAPI", "Master", "Agent", "SchedulerClient", "HTTPSupport", "Registry", "Allocator", "Isolation",
            "Election", "ZooKeeper",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        .executableTarget(name: "plinth", dependencies: ["PlinthCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")], swiftSettings: strict),
        .executableTarget(name: "plinth-bench", dependencies: [
            "MesosAPI", "Master", "Agent", "SchedulerClient", "HTTPSupport", "Election", "ZooKeeper", "Registry",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        // A master and an agent in one process, and a reader for their events: for tests.
        .target(name: "PlinthTestKit", dependencies: [
            "Master", "Agent", "SchedulerClient", "MesosAPI", "HTTPSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        .testTarget(name: "MesosAPITests", dependencies: ["MesosAPI"], swiftSettings: strict),
        .testTarget(name: "MesosProtobufTests", dependencies: [
            "MesosProtobuf", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ], swiftSettings: strict),
        .testTarget(name: "MesosMetricsTests", dependencies: ["MesosMetrics"], swiftSettings: strict),
        .testTarget(name: "AllocatorTests", dependencies: ["Allocator", "MesosAPI"], swiftSettings: strict),
        .testTarget(name: "MasterTests", dependencies: ["Master", "MesosAPI", "Allocator", "HTTPSupport", "Registry",
                                                     .product(name: "GRDB", package: "GRDB.swift")],
                    swiftSettings: strict),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "MesosAPI"], swiftSettings: strict),
        .testTarget(name: "ZooKeeperTests", dependencies: [
            "ZooKeeper", "Registry", "MesosAPI",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], swiftSettings: strict),
        .testTarget(name: "ElectionTests", dependencies: ["Election", "MesosAPI"], swiftSettings: strict),
        .testTarget(name: "IsolationTests", dependencies: ["Isolation", "MesosAPI"], swiftSettings: strict),
        .testTarget(name: "FetcherTests", dependencies: ["Fetcher"], swiftSettings: strict),
        .testTarget(name: "ImagesTests", dependencies: ["Images"], swiftSettings: strict),
        .testTarget(name: "ClusterTests", dependencies: ["PlinthTestKit", "SchedulerClient", "MesosAPI", "Agent", "Isolation", "Images", "Master"],
                    swiftSettings: strict),
    ]
)
