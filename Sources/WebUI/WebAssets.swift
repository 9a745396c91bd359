/// The web UI's files, compiled into the binary (SwiftPM's `embedInCode`), so a master needs
/// nothing beside its executable to serve them.
public enum WebAssets {
    public struct Asset: Sendable {
        public let bytes: [UInt8]
        public let contentType: String
    }

    /// The asset at a path under `/ui/` (`app.js`), or the page itself for `index.html`.
    public static func asset(_ name: String) -> Asset? {
        guard let bytes = files[name] else { return nil }
        return Asset(bytes: bytes, contentType: contentType(of: name))
    }

    public static var index: Asset { asset("index.html")! }

    private static let files: [String: [UInt8]] = [
        "index.html": PackageResources.index_html,
        "style.css": PackageResources.style_css,
        "app.js": PackageResources.app_js,
        "store.js": PackageResources.store_js,
        "pages.js": PackageResources.pages_js,
        "dom.js": PackageResources.dom_js,
        "sandbox.js": PackageResources.sandbox_js,
    ]

    private static func contentType(of name: String) -> String {
        if name.hasSuffix(".js") { return "text/javascript; charset=utf-8" }
        if name.hasSuffix(".css") { return "text/css; charset=utf-8" }
        return "text/html; charset=utf-8"
    }
}
