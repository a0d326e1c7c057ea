import Foundation
import Yams

// Why Yams and not apple/swift-configuration (1.4.0, `YAML` trait), which is built for layering a
// file, the environment and defaults. Build time does not decide it: Hummingbird (the simulator)
// already compiles swift-configuration, so either way the added compile is Yams (measured in
// docs/profiles.md). Its model decides it: it flattens the file into a key -> value table read
// by lookups, so (1) the profiles cannot be listed (`profiles`, and "unknown profile; known ones
// are ..." need the names), (2) keys nobody asks for are never seen, so a misspelt key cannot be
// refused with the nearest known one, (3) no value keeps its line, so a bad value cannot be
// reported as FILE:LINE, and (4) its provider chain resolves two sources that disagree by
// precedence, silently, where this tool must refuse (a profile against ENNEO_BASE_URL or
// ENNEO_TOKEN). Its file provider is also async-only, in a synchronous command. Yams, which it
// uses underneath, gives the node tree with a line for every key and value; the precedence
// rules are a page of code (`ServerSettings`).

/// The configuration file: named profiles of enneo instances, and which one is the default.
public struct ConfigFile: Sendable, Equatable {
    /// The file as located (`~` expanded).
    public var path: String
    public var defaultProfile: String?
    public var defaultProfileLine: Int?
    /// The profiles in the order the file lists them.
    public var profiles: [Profile]

    /// Top-level keys.
    public static let topLevelKeys = ["default-profile", "profiles"]
    /// Larger files are refused: a configuration is a few hundred bytes.
    public static let maxBytes = 1 << 20

    public init(path: String, defaultProfile: String? = nil, defaultProfileLine: Int? = nil, profiles: [Profile] = []) {
        self.path = path
        self.defaultProfile = defaultProfile
        self.defaultProfileLine = defaultProfileLine
        self.profiles = profiles
    }

    /// The profile called `name`, if the file has one.
    public func profile(named name: String) -> Profile? {
        profiles.first { $0.name == name }
    }

    /// The profile names, in file order, for messages ("known profiles: a, b").
    public var knownNames: String {
        profiles.isEmpty ? "none (the file defines no profiles)" : profiles.map(\.name).joined(separator: ", ")
    }

    /// Reads and checks the file at `path`.
    public static func read(path: String) throws(ConfigError) -> ConfigFile {
        // FileHandle, not Data(contentsOf:): /dev/null (an empty configuration) is read as such.
        let unreadable = ConfigError("cannot be read (permission denied?): make it readable by this user.", file: path)
        guard let handle = FileHandle(forReadingAtPath: path) else { throw unreadable }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maxBytes + 1) ?? Data()
        } catch {
            throw unreadable
        }
        guard data.count <= maxBytes else {
            throw ConfigError("is larger than 1 MiB: a configuration file names a few profiles.", file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError("is not UTF-8 text: save it as UTF-8.", file: path)
        }
        return try parse(text, path: path)
    }

    /// Checks `text` as the file at `path`: YAML syntax, the known keys and every value.
    public static func parse(_ text: String, path: String) throws(ConfigError) -> ConfigFile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error, text: text, path: path)
        } catch {
            throw ConfigError("is not valid YAML: \(error)", file: path)
        }
        var file = ConfigFile(path: path)
        guard let root else { return file }  // empty, or comments only
        guard let mapping = root.mapping else {
            throw ConfigError("the file must be a mapping with 'default-profile' and 'profiles' (see the sample config.yaml).",
                              file: path, line: line(of: root))
        }
        var profilesNode: Node?
        for (keyNode, value) in try uniqueEntries(mapping, path: path, place: "the top level") {
            let key = keyNode.string ?? ""
            switch key {
            case "default-profile":
                guard let name = value.scalar?.string, !name.isEmpty, value.null == nil else {
                    throw ConfigError("default-profile must name a profile.", file: path, line: line(of: value) ?? line(of: keyNode))
                }
                file.defaultProfile = name
                file.defaultProfileLine = line(of: keyNode)
            case "profiles":
                profilesNode = value
            default:
                throw unknownKey(key, known: topLevelKeys, place: "at the top level", path: path, line: line(of: keyNode))
            }
        }
        if let profilesNode, profilesNode.null == nil || profilesNode.scalar?.string.isEmpty == false {
            guard let profiles = profilesNode.mapping else {
                throw ConfigError("profiles must be a mapping of profile names to their settings.", file: path, line: line(of: profilesNode))
            }
            for (nameNode, body) in try uniqueEntries(profiles, path: path, place: "profiles") {
                guard let name = nameNode.scalar?.string, !name.isEmpty else {
                    throw ConfigError("a profile name must be a plain word.", file: path, line: line(of: nameNode))
                }
                file.profiles.append(try parseProfile(name: name, line: line(of: nameNode) ?? 1, body: body, path: path))
            }
        }
        if let name = file.defaultProfile, file.profile(named: name) == nil {
            throw ConfigError("default-profile '\(name)' is not one of the profiles below; known profiles: \(file.knownNames).",
                              file: path, line: file.defaultProfileLine)
        }
        return file
    }

    private static func parseProfile(name: String, line profileLine: Int, body: Node, path: String) throws(ConfigError) -> Profile {
        var profile = Profile(name: name, line: profileLine)
        if body.null != nil, body.scalar?.string.isEmpty != false { return profile }
        guard let mapping = body.mapping else {
            throw ConfigError("profile '\(name)' must be a mapping of settings (base-url, token-file, …).", file: path, line: line(of: body) ?? profileLine)
        }
        for (keyNode, value) in try uniqueEntries(mapping, path: path, place: "profile '\(name)'") {
            let keyName = keyNode.string ?? ""
            let keyLine = line(of: keyNode) ?? profileLine
            guard let key = ProfileKey(rawValue: keyName) else {
                if ["token", "api-token", "enneo-token", "password", "secret"].contains(keyName.lowercased()) {
                    throw ConfigError("profile '\(name)': a token never goes in the configuration file: put it alone in a file "
                        + "only you can read (chmod 600) and name that file with token-file.", file: path, line: keyLine)
                }
                throw unknownKey(keyName, known: ProfileKey.allCases.map(\.rawValue), place: "in profile '\(name)'", path: path, line: keyLine)
            }
            profile.lines[key] = keyLine
            try set(key, from: value, on: &profile, path: path, line: keyLine)
        }
        return profile
    }

    /// Checks one value and stores it.
    private static func set(_ key: ProfileKey, from node: Node, on profile: inout Profile, path: String, line: Int) throws(ConfigError) {
        let place = "profile '\(profile.name)': \(key.rawValue)"
        guard let scalar = node.scalar, node.null == nil, !scalar.string.isEmpty else {
            throw ConfigError("\(place) has no value.", file: path, line: line)
        }
        let text = scalar.string
        func positive() throws(ConfigError) -> Double {
            guard let value = Double(text), value.isFinite, value > 0 else {
                throw ConfigError("\(place) must be a positive number of seconds, not '\(text)'.", file: path, line: line)
            }
            return value
        }
        switch key {
        case .baseURL:
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
                  let host = url.host, !host.isEmpty
            else {
                throw ConfigError("\(place) '\(text)' is not a URL like https://demo.enneo.ai/api/mind.", file: path, line: line)
            }
            profile.connection.baseURL = text
        case .tokenFile: profile.connection.tokenFile = text
        case .caBundle: profile.connection.caBundle = text
        case .concurrency:
            guard let value = Int(text), (1...256).contains(value) else {
                throw ConfigError("\(place) must be between 1 and 256, not '\(text)'.", file: path, line: line)
            }
            profile.connection.concurrency = value
        case .maxAttempts:
            guard let value = Int(text), value >= 1 else {
                throw ConfigError("\(place) must be at least 1, not '\(text)'.", file: path, line: line)
            }
            profile.connection.maxAttempts = value
        case .lowSpeedTime:
            guard let value = Int(text), value > 0 else {
                throw ConfigError("\(place) must be a positive number of seconds, not '\(text)'.", file: path, line: line)
            }
            profile.connection.lowSpeedTime = value
        case .maxRps:
            guard let value = Double(text), value.isFinite, value > 0 else {
                throw ConfigError("\(place) must be a positive number of requests per second, not '\(text)'.", file: path, line: line)
            }
            profile.connection.maxRps = value
        case .giveUpAfter: profile.connection.giveUpAfter = try positive()
        case .connectTimeout: profile.connection.connectTimeout = try positive()
        case .timeout: profile.connection.timeout = try positive()
        case .allowInsecureHttp:
            switch text.lowercased() {
            case "true": profile.connection.allowInsecureHttp = true
            case "false": profile.connection.allowInsecureHttp = false
            default: throw ConfigError("\(place) must be true or false, not '\(text)'.", file: path, line: line)
            }
        case .timezone:
            guard Timestamp.Zone(text) != nil else {
                throw ConfigError("\(place) must be an IANA name like Europe/Berlin or an offset like +01:00, not '\(text)'.", file: path, line: line)
            }
            profile.timezone = text
        case .encoding:
            guard EncodingOption(name: text) != nil else {
                throw ConfigError("\(place) must be utf-8, windows-1252, iso-8859-15 or utf-16, not '\(text)'.", file: path, line: line)
            }
            profile.encoding = text
        }
    }

    /// The entries of a mapping, each key a plain word (Yams itself refuses a key given twice).
    private static func uniqueEntries(_ mapping: Node.Mapping, path: String, place: String) throws(ConfigError) -> [(Node, Node)] {
        var entries: [(Node, Node)] = []
        for (key, value) in mapping {
            guard key.scalar?.string != nil else {
                throw ConfigError("a key in \(place) is not a plain word.", file: path, line: line(of: key))
            }
            entries.append((key, value))
        }
        return entries
    }

    private static func unknownKey(_ key: String, known: [String], place: String, path: String, line: Int?) -> ConfigError {
        if let closest = ProfileKey.closest(to: key, among: known) {
            return ConfigError("unknown key '\(key)' \(place): did you mean '\(closest)'?", file: path, line: line)
        }
        return ConfigError("unknown key '\(key)' \(place); known keys: \(known.joined(separator: ", ")).", file: path, line: line)
    }

    private static func line(of node: Node) -> Int? { node.mark?.line }

    /// A YAML syntax error as FILE:LINE: libyaml's problem (never the file's text, which may
    /// hold a misplaced secret).
    private static func syntaxError(_ error: YamlError, text: String, path: String) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let while_ = context.map { " (\($0.text) on line \($0.mark.line))" } ?? ""
            return ConfigError("not valid YAML: \(problem)\(while_), column \(mark.column).", file: path, line: mark.line)
        case .reader(let problem, let offset, _, _):
            let line = offset.map { offset in 1 + text.utf8.prefix(offset).lazy.filter { $0 == UInt8(ascii: "\n") }.count }
            return ConfigError("not valid YAML: \(problem).", file: path, line: line)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return ConfigError("\(keys) is given twice in the mapping that starts here: keep one.", file: path, line: context.mark.line)
        default:
            return ConfigError("not valid YAML: \(error).", file: path)
        }
    }
}
