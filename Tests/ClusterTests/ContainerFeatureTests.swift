import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import Agent
import Images
import Isolation
import MesosAPI
import PlinthTestKit
import SchedulerClient

/// The containerizer's other features in process: disk quota, mount namespaces, images, the
/// fetcher, the agent's operator calls and sandbox garbage collection.
final class ContainerFeatureTests: ContainerTestCase {
    func testDiskQuotaStopsATaskOverItsDisk() async throws {
        let cluster = try await cluster("disk/du") { $0.diskWatchInterval = .milliseconds(200) }
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        let writer = "head -c 3000000 /dev/urandom > big; sleep 30"
        try await connection.launch([try task("filler", writer, on: offer, resources: "cpus:0.1;mem:32;disk:1")],
                                    offers: [offer.id])
        let end = try await updates.until(TaskID("filler")) { $0.isTerminal }
        XCTAssertEqual(end.state, .TASK_FAILED)
        XCTAssertEqual(end.reason, .REASON_CONTAINER_LIMITATION_DISK)
        XCTAssertTrue(end.message?.contains("exceeds quota (1.0MB)") ?? false, end.message ?? "")
    }

    func testMountNamespaceKeepsATasksMountsToItself() async throws {
        let cluster = try await cluster("filesystem/linux")
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        let command = "mkdir private && mount -t tmpfs tmpfs private && echo secret > private/file && cat private/file"
        try await connection.launch([try task("mounter", command, on: offer)], offers: [offer.id])
        let end = try await updates.until(TaskID("mounter")) { $0.isTerminal }
        XCTAssertEqual(end.state, .TASK_FINISHED, end.message ?? "")
        let sandbox = try sandboxPath(cluster, task: "mounter")
        XCTAssertEqual(try stdout(cluster, task: "mounter"), "secret\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(sandbox)/private/file"), "the tmpfs leaked to the host")
    }

    func testTaskRunsInABusyboxImage() async throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: TestImage.busyboxPath),
                          "a static /bin/busybox is needed to build the test image (apt-get install busybox-static)")
        let registry = NSTemporaryDirectory() + "registry-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: registry, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: registry) }
        try TestImage.buildBusybox(at: "\(registry)/busybox:latest.tar", extraFiles: ["/srv/marker": "image file\n"],
                                   workingDir: "/srv")
        let cluster = try await cluster("filesystem/linux,docker/runtime,namespaces/pid,cgroups/mem") {
            $0.dockerRegistry = registry
        }
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        var boxed = try task("boxed", "pwd; cat marker; test -e /etc/debian_version || echo no-host; echo hi > $MESOS_SANDBOX/note",
                             on: offer)
        boxed.container = ContainerInfo(type: "MESOS", mesos: .init(image: .init(docker: "busybox")))
        var missing = try task("missing", "true", on: offer)
        missing.container = ContainerInfo(type: "MESOS", mesos: .init(image: .init(docker: "nothere:2")))
        try await connection.launch([boxed, missing], offers: [offer.id])
        let end = try await updates.until(TaskID("boxed")) { $0.isTerminal }
        XCTAssertEqual(end.state, .TASK_FINISHED, end.message ?? "")
        XCTAssertEqual(try stdout(cluster, task: "boxed"), "/srv\nimage file\nno-host\n")
        XCTAssertEqual(try String(contentsOfFile: "\(try sandboxPath(cluster, task: "boxed"))/note", encoding: .utf8), "hi\n")
        let failed = try await updates.until(TaskID("missing")) { $0.isTerminal }
        XCTAssertEqual(failed.state, .TASK_FAILED)
        XCTAssertEqual(failed.reason, .REASON_CONTAINER_PREPARE_FAILED)
        XCTAssertTrue(failed.message?.contains("nothere:2") ?? false, failed.message ?? "")
        // Nothing of the container's root filesystem stays mounted once it is gone.
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        XCTAssertFalse(mounts.contains(cluster.workDir), mounts)
    }

    func testFetcherCachesAndReportsFailures() async throws {
        let cluster = try await InProcessCluster.start()
        addTeardownBlock { await cluster.stop() }
        let source = "\(cluster.workDir)-source"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: source) }
        try "#!/bin/sh\necho tool ran\n".write(toFile: "\(source)/tool.sh", atomically: true, encoding: .utf8)
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        for id in ["first", "second"] {
            let offer = try await updates.reader.offer()
            var fetching = try task(id, "./tool.sh", on: offer)
            fetching.command?.uris = [.init(value: "file://\(source)/tool.sh", executable: true, cache: true)]
            try await connection.launch([fetching], offers: [offer.id])
            let end = try await updates.until(TaskID(id)) { $0.isTerminal }
            XCTAssertEqual(end.state, .TASK_FINISHED, end.message ?? "")
            XCTAssertEqual(try stdout(cluster, task: id), "tool ran\n")
            // The second run must use the cached copy, so the source can go.
            try? FileManager.default.removeItem(atPath: "\(source)/tool.sh")
        }
        let offer = try await updates.reader.offer()
        var bad = try task("bad", "true", on: offer)
        bad.command?.uris = [.init(value: "http://127.0.0.1:1/nothing.tar.gz")]
        try await connection.launch([bad], offers: [offer.id])
        let end = try await updates.until(TaskID("bad")) { $0.isTerminal }
        XCTAssertEqual(end.state, .TASK_FAILED)
        XCTAssertEqual(end.reason, .REASON_FETCHER_FAILED)
        XCTAssertTrue(end.message?.contains("http://127.0.0.1:1/nothing.tar.gz") ?? false, end.message ?? "")
    }

    func testOperatorCallsAndDownloadOnTheAgent() async throws {
        let cluster = try await InProcessCluster.start()
        addTeardownBlock { await cluster.stop() }
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        try await connection.launch([try task("chatty", "echo hello sandbox; sleep 30", on: offer)], offers: [offer.id])
        let running = try await updates.until(TaskID("chatty")) { $0 == .TASK_RUNNING }
        let sandbox = try sandboxPath(cluster, task: "chatty")
        for _ in 0..<50 where (try? stdout(cluster, task: "chatty")) != "hello sandbox\n" {
            try await Task.sleep(for: .milliseconds(20))
        }
        let containers = try await post(cluster, ["type": "GET_CONTAINERS"])
        let list = ((containers["get_containers"] as? [String: Any])?["containers"] as? [[String: Any]]) ?? []
        XCTAssertEqual(list.count, 1)
        XCTAssertEqual((list.first?["container_id"] as? [String: Any])?["value"] as? String,
                       running.containerStatus?.containerId?.value)
        XCTAssertNotNil(list.first?["resource_statistics"] as? [String: Any])
        let files = try await post(cluster, ["type": "LIST_FILES", "list_files": ["path": sandbox]])
        let infos = ((files["list_files"] as? [String: Any])?["file_infos"] as? [[String: Any]]) ?? []
        XCTAssertEqual(infos.compactMap { $0["path"] as? String }.sorted(), ["\(sandbox)/stderr", "\(sandbox)/stdout"])
        let read = try await post(cluster, ["type": "READ_FILE", "read_file": ["path": "\(sandbox)/stdout", "offset": 6]])
        let data = ((read["read_file"] as? [String: Any])?["data"] as? String).flatMap { Data(base64Encoded: $0) }
        XCTAssertEqual(data.map { String(decoding: $0, as: UTF8.self) }, "sandbox\n")
        let (status, body) = try await get(cluster, "/files/download?path=\(sandbox)/stdout")
        XCTAssertEqual(status, 200)
        XCTAssertEqual(String(decoding: body, as: UTF8.self), "hello sandbox\n")
        let (unknown, _) = try await postRaw(cluster, ["type": "GET_MAINTENANCE_STATUS"])
        XCTAssertEqual(unknown, 501)
        try await connection.kill(TaskID("chatty"))
        _ = try await updates.until(TaskID("chatty")) { $0.isTerminal }
    }

    func testFinishedSandboxesAreRemovedAfterTheGCDelay() async throws {
        let cluster = try await InProcessCluster.start(configure: { $0.gcDelay = .milliseconds(300); $0.gcDiskHeadroom = 0 })
        addTeardownBlock { await cluster.stop() }
        let connection = try await cluster.subscribe()
        var updates = Updates(EventReader(connection))
        let offer = try await updates.reader.offer()
        try await connection.launch([try task("brief", "echo done", on: offer)], offers: [offer.id])
        _ = try await updates.until(TaskID("brief")) { $0.isTerminal }
        let sandbox = try sandboxPath(cluster, task: "brief")
        XCTAssertTrue(FileManager.default.fileExists(atPath: sandbox))
        for _ in 0..<100 where FileManager.default.fileExists(atPath: sandbox) {
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox), "the sandbox outlived --gc_delay")
    }

    func postRaw(_ cluster: InProcessCluster, _ body: [String: Any]) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: "http://\(cluster.agentAddress)/api/v1")!)
        request.httpMethod = "POST"
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    func post(_ cluster: InProcessCluster, _ body: [String: Any]) async throws -> [String: Any] {
        let (status, data) = try await postRaw(cluster, body)
        XCTAssertEqual(status, 200, String(decoding: data, as: UTF8.self))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }
}
