/// Role names as Mesos accepts them: `*`, or `/`-separated path components none of which is
/// empty, `.`, `..`, `*` or starts with `-`, with no whitespace or control characters.
public enum RoleName {
    public static func check(_ role: String) -> String? {
        if role == "*" { return nil }
        if role.isEmpty { return "Role name must not be empty" }
        if role.hasPrefix("/") || role.hasSuffix("/") {
            return "Role '\(role)' must not start or end with a slash"
        }
        if role.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7f }) {
            return "Role '\(role)' must not contain whitespace or control characters"
        }
        for component in role.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty { return "Role '\(role)' must not contain '//'" }
            if component == "." || component == ".." || component == "*" {
                return "Role '\(role)' must not have '\(component)' as a path component"
            }
            if component.hasPrefix("-") { return "Role '\(role)' must not have a component starting with '-'" }
        }
        return nil
    }

    /// `eng/frontend` is in the subtree of `eng` and of itself.
    public static func isInSubtree(_ role: String, of ancestor: String) -> Bool {
        role == ancestor || role.hasPrefix(ancestor + "/")
    }
}
