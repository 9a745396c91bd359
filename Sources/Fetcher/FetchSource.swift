import Foundation

/// A failure inside one fetch step; `Fetcher` attaches the URI to turn it into a `FetchError`.
struct FetchFailure: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Where a URI's bytes come from, decided once up front so that an unsupported URI fails
/// before anything is written into the sandbox.
enum FetchSource: Sendable, Equatable {
    case local(path: String)
    case http(URL)

    init(parsing value: String) throws(FetchFailure) {
        if value.hasPrefix("/") {
            self = .local(path: value)
            return
        }
        guard let url = URL(string: value), let scheme = url.scheme?.lowercased() else {
            throw FetchFailure("not an absolute path and has no URI scheme")
        }
        switch scheme {
        case "file":
            // Only this machine's files: a host in a file URL would mean a remote share.
            if let host = url.host, !host.isEmpty, host != "localhost" {
                throw FetchFailure("file URI with a remote host '\(host)' is not supported")
            }
            guard !url.path.isEmpty else { throw FetchFailure("file URI has no path") }
            self = .local(path: url.path)
        case "http", "https":
            guard url.host?.isEmpty == false else { throw FetchFailure("URI has no host") }
            self = .http(url)
        default:
            throw FetchFailure("unsupported URI scheme '\(scheme)'")
        }
    }

    /// The name the file gets in the sandbox when `output_file` is not set: the last path
    /// component, so `http://host/pkg.tgz?sig=abc` lands as `pkg.tgz`.
    var defaultFileName: String? {
        let name: String
        switch self {
        case .local(let path): name = (path as NSString).lastPathComponent
        case .http(let url): name = url.lastPathComponent
        }
        return name.isEmpty || name == "/" || name == "." || name == ".." ? nil : name
    }
}

/// Resolves where in the sandbox a URI is written. `output_file` comes from the framework,
/// so it is confined to the sandbox: a task must not be able to overwrite agent files.
func destinationPath(for uri: FetchURI, source: FetchSource, sandbox: String) throws(FetchFailure) -> String {
    let relative: String
    if let output = uri.outputFile {
        guard !output.isEmpty else { throw FetchFailure("output_file is empty") }
        guard !output.hasPrefix("/") else {
            throw FetchFailure("output_file '\(output)' must be relative to the sandbox")
        }
        var parts: [String] = []
        for component in output.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                guard !parts.isEmpty else {
                    throw FetchFailure("output_file '\(output)' escapes the sandbox")
                }
                parts.removeLast()
            default: parts.append(String(component))
            }
        }
        guard !parts.isEmpty else { throw FetchFailure("output_file '\(output)' names no file") }
        relative = parts.joined(separator: "/")
    } else {
        guard let name = source.defaultFileName else {
            throw FetchFailure("cannot determine a file name from the URI; set output_file")
        }
        relative = name
    }
    let root = sandbox.hasSuffix("/") ? String(sandbox.dropLast()) : sandbox
    return root + "/" + relative
}
