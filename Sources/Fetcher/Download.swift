import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Moving bytes from a source to a file. These functions are `@concurrent` so that a slow
/// download runs on the global executor and never occupies the `Fetcher` actor, which must
/// stay free to coordinate other tasks' fetches.
enum Download {
    /// Copies or downloads `source` to `destination`, replacing whatever is there.
    @concurrent
    static func transfer(
        _ source: FetchSource, to destination: String, stallTimeout: Double
    ) async throws(FetchFailure) {
        try prepareDestination(destination)
        switch source {
        case .local(let path):
            try copyLocal(from: path, to: destination)
        case .http(let url):
            try await httpGet(url, to: destination, stallTimeout: stallTimeout)
        }
    }

    /// Copies a local file, used both for local URIs and to hand a cached file to a sandbox.
    static func copyLocal(from path: String, to destination: String) throws(FetchFailure) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FetchFailure("no such file '\(path)'")
        }
        // Mesos fetches files; copying a whole directory tree into a sandbox is almost
        // always a mistake in the URI, so it is reported instead of silently done.
        guard !isDirectory.boolValue else { throw FetchFailure("'\(path)' is a directory") }
        if (path as NSString).standardizingPath == (destination as NSString).standardizingPath {
            return  // Already in place: removing the destination would destroy the source.
        }
        do {
            try removeIfPresent(destination)
            try fm.copyItem(atPath: path, toPath: destination)
        } catch {
            throw FetchFailure("failed to copy '\(path)': \(describe(error))")
        }
    }

    /// Creates the destination's directory and refuses to replace a directory with a file:
    /// an `output_file` naming an existing directory is a framework error, and deleting the
    /// directory's contents to make room would destroy data silently.
    static func prepareDestination(_ path: String) throws(FetchFailure) {
        if let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType,
           type == .typeDirectory {
            throw FetchFailure("'\(path)' is an existing directory")
        }
        let parent = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw FetchFailure("cannot create directory '\(parent)': \(describe(error))")
        }
    }

    static func removeIfPresent(_ path: String) throws {
        // `fileExists` follows symlinks, so a dangling link would be missed; ask lstat instead.
        if (try? FileManager.default.attributesOfItem(atPath: path)) != nil {
            try FileManager.default.removeItem(atPath: path)
        }
    }

    private static func httpGet(
        _ url: URL, to destination: String, stallTimeout: Double
    ) async throws(FetchFailure) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = stallTimeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }

        let result: Result<Void, FetchFailure> = await withCheckedContinuation { continuation in
            let task = session.downloadTask(with: URLRequest(url: url)) { location, response, error in
                continuation.resume(returning: finishDownload(
                    location: location, response: response, error: error, destination: destination))
            }
            task.resume()
        }
        try result.get()
    }

    /// Runs inside URLSession's completion handler because the temporary file is deleted
    /// as soon as the handler returns.
    private static func finishDownload(
        location: URL?, response: URLResponse?, error: (any Error)?, destination: String
    ) -> Result<Void, FetchFailure> {
        if let error {
            return .failure(FetchFailure("HTTP request failed: \(describe(error))"))
        }
        guard let http = response as? HTTPURLResponse else {
            return .failure(FetchFailure("HTTP request returned no response"))
        }
        guard (200..<300).contains(http.statusCode) else {
            let reason = HTTPURLResponse.localizedString(forStatusCode: http.statusCode)
            return .failure(FetchFailure("HTTP status \(http.statusCode) (\(reason))"))
        }
        guard let location else {
            return .failure(FetchFailure("HTTP download produced no file"))
        }
        do {
            try removeIfPresent(destination)
            try FileManager.default.moveItem(atPath: location.path, toPath: destination)
            return .success(())
        } catch {
            return .failure(FetchFailure("cannot store download at '\(destination)': \(describe(error))"))
        }
    }
}

/// Human-readable text for errors whose Linux `localizedDescription` is only a domain and a
/// code number, which would tell an operator nothing.
func describe(_ error: any Error) -> String {
    if let urlError = error as? URLError {
        let text: String
        switch urlError.code {
        case .cannotConnectToHost: text = "could not connect to host"
        case .cannotFindHost: text = "could not resolve host"
        case .timedOut: text = "timed out"
        case .networkConnectionLost: text = "connection lost"
        case .notConnectedToInternet: text = "network unreachable"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            text = "TLS handshake failed"
        case .badServerResponse: text = "bad server response"
        default: text = urlError.localizedDescription
        }
        return "\(text) (URLError \(urlError.code.rawValue))"
    }
    if let failure = error as? FetchFailure { return failure.message }
    let nsError = error as NSError
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError {
        return "\(nsError.localizedDescription) (\(underlying.localizedDescription))"
    }
    return nsError.localizedDescription
}
