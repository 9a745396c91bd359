import Foundation

/// Unpacking of fetched archives, chosen by file name as Mesos does: frameworks name their
/// artifacts conventionally and sniffing content would surprise them with different results.
enum Extraction {
    enum Kind: Sendable, Equatable {
        case tar
        case zip
        case gzip
    }

    private static let tarSuffixes = [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz"]

    static func kind(ofFileNamed path: String) -> Kind? {
        let name = (path as NSString).lastPathComponent.lowercased()
        if tarSuffixes.contains(where: { name.hasSuffix($0) }) { return .tar }
        if name.hasSuffix(".zip") { return .zip }
        // Checked after the tar suffixes so `x.tar.gz` is unpacked, not merely decompressed.
        if name.hasSuffix(".gz"), name.count > 3 { return .gzip }
        return nil
    }

    /// Unpacks `archive` into `sandbox`; the archive itself stays, as it does in Mesos.
    @concurrent
    static func extract(_ archive: String, kind: Kind, into sandbox: String) async throws(FetchFailure) {
        switch kind {
        case .tar:
            guard let tar = Tool.locate("tar", preferring: "/usr/bin/tar") else {
                throw FetchFailure("cannot extract: 'tar' is not installed")
            }
            // tar picks the compression from the data, so one command covers every variant.
            try await Tool.run(tar, ["-xf", archive, "-C", sandbox])
        case .zip:
            guard let unzip = Tool.locate("unzip") else {
                throw FetchFailure("cannot extract: 'unzip' is not installed")
            }
            try await Tool.run(unzip, ["-o", "-q", archive, "-d", sandbox])
        case .gzip:
            guard let gunzip = Tool.locate("gunzip") else {
                throw FetchFailure("cannot extract: 'gunzip' is not installed")
            }
            let name = (archive as NSString).lastPathComponent
            let output = sandbox + "/" + String(name.dropLast(3))
            do {
                try await Tool.run(gunzip, ["-d", "-c", archive], standardOutputPath: output)
            } catch {
                // Do not leave a truncated file that a task could mistake for the real thing.
                try? FileManager.default.removeItem(atPath: output)
                throw error
            }
        }
    }
}
