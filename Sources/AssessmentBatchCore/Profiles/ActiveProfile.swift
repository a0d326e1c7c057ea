/// The profile a run uses: `--profile`, else `$ASSESSMENT_BATCH_PROFILE`, else the file's
/// `default-profile`; none when nothing names one.
public struct ActiveProfile: Sendable, Equatable {
    public var profile: Profile
    public var file: ConfigFile
    /// Who picked it: `--profile`, `ASSESSMENT_BATCH_PROFILE` or `default-profile`.
    public var chosenBy: String

    public init(profile: Profile, file: ConfigFile, chosenBy: String) {
        self.profile = profile
        self.file = file
        self.chosenBy = chosenBy
    }

    public var name: String { profile.name }

    /// "FILE:LINE" of a key of the profile (or of the profile itself), for messages.
    public func place(_ key: ProfileKey? = nil) -> String {
        "\(file.path):\(key.flatMap { profile.lines[$0] } ?? profile.line)"
    }

    /// The profile in effect for `--profile`/`--config` as given and `environment`.
    ///
    /// Throws when a named file is missing or broken, or a named profile does not exist; nil
    /// when no profile is named and the file (if any) has no default.
    public static func resolve(profileFlag: String?, configFlag: String?,
                               environment: [String: String]) throws(ConfigError) -> ActiveProfile? {
        var requested: (name: String, by: String)?
        if let profileFlag {
            requested = (profileFlag, "--profile")
        } else if let named = environment["ASSESSMENT_BATCH_PROFILE"], !named.isEmpty {
            requested = (named, "ASSESSMENT_BATCH_PROFILE")
        }
        guard let location = ConfigLocation.resolve(flag: configFlag, environment: environment) else {
            if let requested {
                throw ConfigError("\(requested.by) \(requested.name): there is no configuration file (no home directory to look in): pass --config FILE.")
            }
            return nil
        }
        guard let file = try location.load() else {
            if let requested {
                throw ConfigError("\(requested.by) \(requested.name): there is no configuration file at \(location.path): "
                    + "write one there (see the sample config.yaml), or name it with --config FILE.")
            }
            return nil
        }
        guard let (name, chosenBy) = requested ?? file.defaultProfile.map({ ($0, "default-profile") }) else { return nil }
        guard let profile = file.profile(named: name) else {
            throw ConfigError("unknown profile '\(name)' (from \(chosenBy)); known profiles in \(file.path): \(file.knownNames).")
        }
        return ActiveProfile(profile: profile, file: file, chosenBy: chosenBy)
    }
}
