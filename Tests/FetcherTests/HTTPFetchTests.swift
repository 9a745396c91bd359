import Foundation
import XCTest
@testable import Fetcher

final class HTTPFetchTests: XCTestCase {
    private var scratch: Scratch!
    private var server: PythonHTTPServer!

    override func setUpWithError() throws {
        scratch = try Scratch()
        let served = try scratch.directory("www")
        try scratch.write("www/app.txt", "served over http")
        try scratch.write("pkg/inner.txt", "from tarball")
        try shell("/usr/bin/tar", ["-czf", served + "/bundle.tar.gz", "-C", scratch.path("pkg"), "inner.txt"])
        server = try PythonHTTPServer(directory: served, logPath: scratch.path("server.log"))
    }

    override func tearDown() {
        server?.stop()
        scratch.remove()
    }

    private func makeFetcher() -> Fetcher {
        Fetcher(config: FetcherConfig(cacheDirectory: scratch.path("cache"), stallTimeout: 5))
    }

    func testDownloadsOverHTTPIgnoringQuery() async throws {
        let fetcher = makeFetcher()
        let sandbox = try scratch.directory("s1")
        try await fetcher.fetch([FetchURI(value: server.url("app.txt?version=3"))], into: sandbox)
        XCTAssertEqual(try scratch.read(sandbox + "/app.txt"), "served over http")
    }

    func testDownloadsAndExtractsTarball() async throws {
        let fetcher = makeFetcher()
        let sandbox = try scratch.directory("s1")
        try await fetcher.fetch([FetchURI(value: server.url("bundle.tar.gz"))], into: sandbox)
        XCTAssertEqual(try scratch.read(sandbox + "/inner.txt"), "from tarball")
    }

    func testSecondCachedFetchDoesNotDownloadAgain() async throws {
        let fetcher = makeFetcher()
        let uri = FetchURI(value: server.url("app.txt"), cache: true)
        try await fetcher.fetch([uri], into: try scratch.directory("s1"))
        try await fetcher.fetch([uri], into: try scratch.directory("s2"))
        XCTAssertEqual(try scratch.read(scratch.path("s2/app.txt")), "served over http")
        let downloads = await fetcher.downloads
        XCTAssertEqual(downloads, 1)
        XCTAssertEqual(server.gets("app.txt"), 1)
    }

    func testConcurrentCachedFetchesDownloadOnce() async throws {
        let fetcher = makeFetcher()
        let uri = FetchURI(value: server.url("bundle.tar.gz"), cache: true)
        let sandboxes = try (0..<6).map { try scratch.directory("c\($0)") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sandbox in sandboxes {
                group.addTask { try await fetcher.fetch([uri], into: sandbox) }
            }
            try await group.waitForAll()
        }
        for sandbox in sandboxes {
            XCTAssertEqual(try scratch.read(sandbox + "/inner.txt"), "from tarball")
        }
        let downloads = await fetcher.downloads
        XCTAssertEqual(downloads, 1)
        XCTAssertEqual(server.gets("bundle.tar.gz"), 1)
    }

    func testNotFoundNamesStatusCode() async throws {
        let fetcher = makeFetcher()
        let uri = server.url("missing.txt")
        let sandbox = try scratch.directory("s1")
        do {
            try await fetcher.fetch([FetchURI(value: uri)], into: sandbox)
            XCTFail("404 accepted")
        } catch {
            XCTAssertEqual(error.uri, uri)
            XCTAssertTrue(error.message.contains("404"), error.description)
            print("404 gives: \(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path("s1/missing.txt")))
    }

    func testCachedNotFoundLeavesNothingInCache() async throws {
        let fetcher = makeFetcher()
        let sandbox = try scratch.directory("s1")
        do {
            try await fetcher.fetch([FetchURI(value: server.url("missing.txt"), cache: true)], into: sandbox)
            XCTFail("404 accepted")
        } catch {
            XCTAssertTrue(error.message.contains("404"), error.description)
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: scratch.path("cache"))) ?? []
        XCTAssertEqual(files, [])
    }

    func testUnreachablePortIsFetchError() async throws {
        let fetcher = makeFetcher()
        let port = try freePort()
        let uri = "http://127.0.0.1:\(port)/app.txt"
        let sandbox = try scratch.directory("s1")
        let started = Date()
        do {
            try await fetcher.fetch([FetchURI(value: uri)], into: sandbox)
            XCTFail("unreachable server accepted")
        } catch {
            XCTAssertEqual(error.uri, uri)
            XCTAssertTrue(error.message.contains("connect"), error.description)
            print("unreachable gives: \(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }
}
