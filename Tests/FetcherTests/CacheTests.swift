import Foundation
import XCTest
@testable import Fetcher

final class CacheTests: XCTestCase {
    private var scratch: Scratch!

    override func setUpWithError() throws { scratch = try Scratch() }
    override func tearDown() { scratch.remove() }

    private func cacheFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: scratch.path("cache"))) ?? [])
            .filter(FetchCache.isCacheFileName)
    }

    func testSHA256KnownVectors() {
        XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(
            SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testKeyDependsOnUser() {
        XCTAssertNotEqual(FetchCache.key(uri: "/a", uid: nil), FetchCache.key(uri: "/a", uid: 1000))
        XCTAssertEqual(FetchCache.key(uri: "/a", uid: 7), FetchCache.key(uri: "/a", uid: 7))
    }

    func testSecondCachedFetchIsServedFromCache() async throws {
        let source = try scratch.write("src/blob.bin", "cached content")
        let fetcher = Fetcher(config: FetcherConfig(cacheDirectory: scratch.path("cache")))
        let uri = FetchURI(value: source, cache: true)
        try await fetcher.fetch([uri], into: try scratch.directory("s1"))
        try await fetcher.fetch([uri], into: try scratch.directory("s2"))
        XCTAssertEqual(try scratch.read(scratch.path("s2/blob.bin")), "cached content")
        let (downloads, hits) = (await fetcher.downloads, await fetcher.cacheHits)
        XCTAssertEqual(downloads, 1)
        XCTAssertEqual(hits, 1)
        XCTAssertEqual(cacheFiles().count, 1)

        // Another user's task gets its own copy.
        try await fetcher.fetch([uri], into: try scratch.directory("s3"), owner: (uid: 0, gid: 0))
        let afterOtherUser = await fetcher.downloads
        XCTAssertEqual(afterOtherUser, 2)
    }

    func testLeastRecentlyUsedEntryIsEvicted() async throws {
        let a = try scratch.write("src/a", String(repeating: "a", count: 10))
        let b = try scratch.write("src/b", String(repeating: "b", count: 10))
        let c = try scratch.write("src/c", String(repeating: "c", count: 10))
        let fetcher = Fetcher(config: FetcherConfig(cacheDirectory: scratch.path("cache"), cacheSizeBytes: 25))
        func fetch(_ path: String) async throws {
            try await fetcher.fetch([FetchURI(value: path, cache: true)], into: try scratch.directory(UUID().uuidString))
        }
        try await fetch(a)
        try await fetch(b)
        try await fetch(a)  // hit: b is now the least recently used
        var downloads = await fetcher.downloads
        XCTAssertEqual(downloads, 2)

        try await fetch(c)  // 30 bytes would not fit: b goes
        downloads = await fetcher.downloads
        XCTAssertEqual(downloads, 3)
        let cached = await fetcher.cachedBytes
        XCTAssertEqual(cached, 20)
        XCTAssertEqual(cacheFiles().count, 2)

        try await fetch(a)  // still cached
        downloads = await fetcher.downloads
        XCTAssertEqual(downloads, 3)
        try await fetch(b)  // evicted, so downloaded again
        downloads = await fetcher.downloads
        XCTAssertEqual(downloads, 4)
    }

    func testFileLargerThanCacheIsFetchedWithoutCaching() async throws {
        let big = try scratch.write("src/big", String(repeating: "x", count: 100))
        let fetcher = Fetcher(config: FetcherConfig(cacheDirectory: scratch.path("cache"), cacheSizeBytes: 50))
        for name in ["s1", "s2"] {
            try await fetcher.fetch([FetchURI(value: big, cache: true)], into: try scratch.directory(name))
            XCTAssertEqual(try scratch.read(scratch.path("\(name)/big")).count, 100)
        }
        let (downloads, cached) = (await fetcher.downloads, await fetcher.cachedBytes)
        XCTAssertEqual(downloads, 2)
        XCTAssertEqual(cached, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path("cache")), [])
    }

    func testCachedArchiveIsExtractedInEverySandbox() async throws {
        try scratch.write("pkg/inner.txt", "inner")
        try FileManager.default.createDirectory(atPath: scratch.path("src"), withIntermediateDirectories: true)
        try shell("/usr/bin/tar", ["-czf", scratch.path("src/p.tgz"), "-C", scratch.path("pkg"), "inner.txt"])
        let fetcher = Fetcher(config: FetcherConfig(cacheDirectory: scratch.path("cache")))
        for name in ["s1", "s2"] {
            try await fetcher.fetch([FetchURI(value: scratch.path("src/p.tgz"), cache: true)], into: try scratch.directory(name))
            XCTAssertEqual(try scratch.read(scratch.path("\(name)/inner.txt")), "inner")
        }
        let downloads = await fetcher.downloads
        XCTAssertEqual(downloads, 1)
    }

    func testInitRemovesOnlyStaleCacheFiles() throws {
        let stale = try scratch.write("cache/" + FetchCache.key(uri: "/old", uid: nil), "old")
        let partial = try scratch.write("cache/" + FetchCache.key(uri: "/old2", uid: nil) + ".partial-1", "p")
        let foreign = try scratch.write("cache/keep-me.txt", "mine")
        _ = Fetcher(config: FetcherConfig(cacheDirectory: scratch.path("cache")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
        XCTAssertFalse(FileManager.default.fileExists(atPath: partial))
        XCTAssertTrue(FileManager.default.fileExists(atPath: foreign))
    }
}
