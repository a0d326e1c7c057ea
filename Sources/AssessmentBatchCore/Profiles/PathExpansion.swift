#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `~` and `~/…` in a path from a flag or the configuration file, expanded as a shell would
/// (a path written in YAML or after `--flag=` never reaches a shell that would do it).
public enum PathExpansion {
    /// `path` with a leading `~` replaced by the home directory: `$HOME`, else the account's.
    /// `~user` and paths without `~` are returned unchanged.
    public static func expandingTilde(_ path: String, environment: [String: String]) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        guard let home = homeDirectory(environment: environment) else { return path }
        var base = home
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        return base + path.dropFirst()
    }

    /// `$HOME` when set, else the home directory of the account running the tool.
    public static func homeDirectory(environment: [String: String]) -> String? {
        if let home = environment["HOME"], !home.isEmpty { return home }
        guard let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir else { return nil }
        let home = String(cString: directory)
        return home.isEmpty ? nil : home
    }
}
