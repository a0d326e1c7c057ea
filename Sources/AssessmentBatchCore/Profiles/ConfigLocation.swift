import Foundation

/// Where the configuration file is: `--config FILE`, else `$ASSESSMENT_BATCH_CONFIG`, else
/// `$XDG_CONFIG_HOME/assessment-batch/config.yaml`, else `~/.config/assessment-batch/config.yaml`.
public struct ConfigLocation: Sendable, Equatable {
    /// The file, `~` expanded.
    public var path: String
    /// Who named it: `--config`, `ASSESSMENT_BATCH_CONFIG`, or nil for the default location.
    /// A named file must exist; the default one may be absent.
    public var namedBy: String?

    public init(path: String, namedBy: String?) {
        self.path = path
        self.namedBy = namedBy
    }

    /// The location in effect; nil only when there is no home directory to look in.
    public static func resolve(flag: String?, environment: [String: String]) -> ConfigLocation? {
        if let flag {
            return ConfigLocation(path: PathExpansion.expandingTilde(flag, environment: environment), namedBy: "--config")
        }
        if let named = environment["ASSESSMENT_BATCH_CONFIG"], !named.isEmpty {
            return ConfigLocation(path: PathExpansion.expandingTilde(named, environment: environment), namedBy: "ASSESSMENT_BATCH_CONFIG")
        }
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            // The XDG spec ignores a relative XDG_CONFIG_HOME.
            return ConfigLocation(path: joined(xdg, "assessment-batch/config.yaml"), namedBy: nil)
        }
        guard let home = PathExpansion.homeDirectory(environment: environment) else { return nil }
        return ConfigLocation(path: joined(home, ".config/assessment-batch/config.yaml"), namedBy: nil)
    }

    private static func joined(_ directory: String, _ rest: String) -> String {
        directory.hasSuffix("/") ? directory + rest : directory + "/" + rest
    }

    /// Reads and checks the file; nil when the default location holds no file.
    public func load() throws(ConfigError) -> ConfigFile? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            guard let namedBy else { return nil }
            throw ConfigError("\(namedBy) names \(path), which does not exist: write the configuration there, or name another file.")
        }
        guard !isDirectory.boolValue else {
            throw ConfigError("\(path) is a directory: the configuration is one YAML file (config.yaml).")
        }
        return try ConfigFile.read(path: path)
    }
}
