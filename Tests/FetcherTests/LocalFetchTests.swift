import Foundation
import XCTest
@testable import Fetcher

final class LocalFetchTests: XCTestCase {
    private var scratch: Scratch!
    private var sandbox: String!
    private var fetcher: Fetcher!

    override func setUpWithError() throws {
        scratch = try Scratch()
        sandbox = try scratch.directory("sandbox")
        fetcher = Fetcher(config: FetcherConfig(cacheDirectory: scratch.path("cache")))
    }

    override func tearDown() {
        scratch.remove()
    }

    func testCopiesLocalAbsolutePath() async throws {
        let source = try scratch.write("src/hello.txt", "hello")
        try await fetcher.fetch([FetchURI(value: source)], into: sandbox)
        XCTAssertEqual(try scratch.read(sandbox + "/hello.txt"), "hello")
        let downloads = await fetcher.downloads
        XCTAssertEqual(downloads, 1)
    }

    func testCopiesFileURL() async throws {
        let source = try scratch.write("src/with space.txt", "url")
        let uri = URL(fileURLWithPath: source).absoluteString
        XCTAssertTrue(uri.hasPrefix("file://"))
        try await fetcher.fetch([FetchURI(value: uri)], into: sandbox)
        XCTAssertEqual(try scratch.read(sandbox + "/with space.txt"), "url")
    }

    func testExecutableSetsModeAndSkipsExtraction() async throws {
        let tool = try scratch.write("src/tool.sh", "#!/bin/sh\necho hi\n")
        try await fetcher.fetch([FetchURI(value: tool, executable: true)], into: sandbox)
        let mode = try FileManager.default.attributesOfItem(atPath: sandbox + "/tool.sh")[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o755)

        // An executable archive is left packed.
        try scratch.write("pkg/inner.txt", "inner")
        try shell("/usr/bin/tar", ["-czf", scratch.path("src/bundle.tgz"), "-C", scratch.path("pkg"), "inner.txt"])
        try await fetcher.fetch([FetchURI(value: scratch.path("src/bundle.tgz"), executable: true)], into: sandbox)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox + "/inner.txt"))
    }

    func testOutputFileRenamesAndCreatesDirectories() async throws {
        let source = try scratch.write("src/a.txt", "renamed")
        try await fetcher.fetch([FetchURI(value: source, outputFile: "conf/b.cfg")], into: sandbox)
        XCTAssertEqual(try scratch.read(sandbox + "/conf/b.cfg"), "renamed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox + "/a.txt"))
    }

    func testOutputFileMayNotEscapeSandbox() async throws {
        let source = try scratch.write("src/a.txt", "x")
        for bad in ["../outside.txt", "/etc/evil", "a/../../x"] {
            do {
                try await fetcher.fetch([FetchURI(value: source, outputFile: bad)], into: sandbox)
                XCTFail("output_file \(bad) accepted")
            } catch {
                XCTAssertTrue(error.message.contains("output_file"), error.description)
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path("outside.txt")))
    }

    func testExtractsTarGzAndKeepsArchive() async throws {
        try scratch.write("pkg/bin/run.sh", "run")
        try scratch.write("pkg/README", "readme")
        let archive = scratch.path("src/pkg.tar.gz")
        try FileManager.default.createDirectory(atPath: scratch.path("src"), withIntermediateDirectories: true)
        try shell("/usr/bin/tar", ["-czf", archive, "-C", scratch.path("pkg"), "bin", "README"])

        try await fetcher.fetch([FetchURI(value: archive)], into: sandbox)
        XCTAssertEqual(try scratch.read(sandbox + "/bin/run.sh"), "run")
        XCTAssertEqual(try scratch.read(sandbox + "/README"), "readme")
        XCTAssertTrue(FileManager.default.fileExists(atPath: sandbox + "/pkg.tar.gz"))
    }

    func testRefusesToReplaceADirectory() async throws {
        let source = try scratch.write("src/a.txt", "x")
        try scratch.write("sandbox/conf/keep.txt", "keep")
        do {
            try await fetcher.fetch([FetchURI(value: source, outputFile: "conf")], into: sandbox)
            XCTFail("directory replaced")
        } catch {
            XCTAssertTrue(error.message.contains("directory"), error.description)
        }
        XCTAssertEqual(try scratch.read(sandbox + "/conf/keep.txt"), "keep")
    }

    func testExtractFalseLeavesArchivePacked() async throws {
        try scratch.write("pkg/inner.txt", "inner")
        try FileManager.default.createDirectory(atPath: scratch.path("src"), withIntermediateDirectories: true)
        try shell("/usr/bin/tar", ["-cf", scratch.path("src/p.tar"), "-C", scratch.path("pkg"), "inner.txt"])
        try await fetcher.fetch([FetchURI(value: scratch.path("src/p.tar"), extract: false)], into: sandbox)
        XCTAssertTrue(FileManager.default.fileExists(atPath: sandbox + "/p.tar"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox + "/inner.txt"))
    }

    func testGunzipsPlainGz() async throws {
        guard let gzip = which("gzip") else { throw XCTSkip("gzip is not installed") }
        let file = try scratch.write("src/data.txt", "compressed text")
        try shell(gzip, ["-k", file])
        try await fetcher.fetch([FetchURI(value: file + ".gz")], into: sandbox)
        XCTAssertEqual(try scratch.read(sandbox + "/data.txt"), "compressed text")
        XCTAssertTrue(FileManager.default.fileExists(atPath: sandbox + "/data.txt.gz"))
    }

    func testExtractsZip() async throws {
        guard which("unzip") != nil else {
            print("skipping zip test: unzip is not installed")
            throw XCTSkip("unzip is not installed")
        }
        let archive = try scratch.directory("src") + "/bundle.zip"
        try scratch.write("pkg/dir/z.txt", "zipped")
        // python3's zipfile works whether or not the `zip` program is installed.
        try shell("/usr/bin/python3", [
            "-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], 'w'); z.write('dir/z.txt'); z.close()",
            archive,
        ], in: scratch.path("pkg"))
        try await fetcher.fetch([FetchURI(value: archive)], into: sandbox)
        XCTAssertEqual(try scratch.read(sandbox + "/dir/z.txt"), "zipped")
        XCTAssertTrue(FileManager.default.fileExists(atPath: sandbox + "/bundle.zip"))
    }

    func testCorruptArchiveIsFetchErrorWithToolOutput() async throws {
        let bogus = try scratch.write("src/broken.tar.gz", "this is not gzip data")
        do {
            try await fetcher.fetch([FetchURI(value: bogus)], into: sandbox)
            XCTFail("corrupt archive accepted")
        } catch {
            XCTAssertEqual(error.uri, bogus)
            XCTAssertTrue(error.message.contains("tar"), error.description)
            print("corrupt archive gives: \(error)")
        }
    }

    func testMissingFileAndUnsupportedScheme() async throws {
        do {
            try await fetcher.fetch([FetchURI(value: scratch.path("nope.txt"))], into: sandbox)
            XCTFail("missing file accepted")
        } catch {
            XCTAssertTrue(error.message.contains("no such file"), error.description)
        }
        do {
            try await fetcher.fetch([FetchURI(value: "ftp://example.com/file.txt")], into: sandbox)
            XCTFail("ftp accepted")
        } catch {
            XCTAssertTrue(error.message.contains("'ftp'"), error.description)
            XCTAssertEqual(error.description, "Failed to fetch 'ftp://example.com/file.txt': \(error.message)")
        }
        do {
            try await fetcher.fetch([FetchURI(value: "relative/path.txt")], into: sandbox)
            XCTFail("relative path accepted")
        } catch {
            XCTAssertEqual(error.uri, "relative/path.txt")
        }
    }

    func testStopsAtFirstFailureKeepingEarlierOutput() async throws {
        let first = try scratch.write("src/first.txt", "1")
        let third = try scratch.write("src/third.txt", "3")
        do {
            try await fetcher.fetch([
                FetchURI(value: first), FetchURI(value: "gopher://x/y"), FetchURI(value: third),
            ], into: sandbox)
            XCTFail("expected failure")
        } catch {
            XCTAssertEqual(error.uri, "gopher://x/y")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: sandbox + "/first.txt"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox + "/third.txt"))
    }

    func testOwnerIsAppliedToFetchedFiles() async throws {
        guard getuid() == 0 else { throw XCTSkip("chown needs root") }
        try scratch.write("pkg/inner.txt", "inner")
        try FileManager.default.createDirectory(atPath: scratch.path("src"), withIntermediateDirectories: true)
        try shell("/usr/bin/tar", ["-czf", scratch.path("src/p.tgz"), "-C", scratch.path("pkg"), "inner.txt"])
        try await fetcher.fetch([FetchURI(value: scratch.path("src/p.tgz"))], into: sandbox, owner: (uid: 4321, gid: 4322))
        for file in ["p.tgz", "inner.txt"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: sandbox + "/" + file)
            XCTAssertEqual((attributes[.ownerAccountID] as? NSNumber)?.intValue, 4321, file)
            XCTAssertEqual((attributes[.groupOwnerAccountID] as? NSNumber)?.intValue, 4322, file)
        }
    }
}
