import Foundation

/// Where the API token comes from, for reading it and for saying so (never the token itself).
public enum TokenSource: Sendable, Equatable {
    /// A file named by `--token-file` (`profile` nil) or by a profile's `token-file`.
    case file(path: String, written: String, profile: String?, place: String?)
    /// `$ENNEO_TOKEN`.
    case environment
    /// Nothing names a token.
    case none

    /// How messages name the source: `--token-file PATH`, `token-file PATH of profile 'p'`, `ENNEO_TOKEN`.
    public var label: String {
        switch self {
        case .file(_, let written, nil, _): "--token-file \(written)"
        case .file(_, let written, let profile?, _): "token-file \(written) of profile '\(profile)'"
        case .environment: "ENNEO_TOKEN"
        case .none: "no token"
        }
    }

    /// The short form for report.json and `profiles`: `--token-file`, `profile`, `ENNEO_TOKEN`.
    public var kind: String {
        switch self {
        case .file(_, _, nil, _): "--token-file"
        case .file: "profile"
        case .environment: "ENNEO_TOKEN"
        case .none: "none"
        }
    }

    /// Reads the token, surrounding whitespace stripped. Each mistake has its own one-line
    /// message; none holds any part of the token.
    public func read(environment: [String: String]) throws(ConfigError) -> String {
        let raw: String
        switch self {
        case .none:
            throw ConfigError("No API token: set ENNEO_TOKEN or pass --token-file FILE (a file holding the token alone).")
        case .environment:
            raw = environment["ENNEO_TOKEN"] ?? ""
        case .file(let path, _, let profile, let place):
            let fix = profile == nil ? "or set ENNEO_TOKEN instead" : "or change token-file in \(place ?? "the profile")"
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ConfigError("\(label) does not exist: write the API token into that file, \(fix).")
            }
            guard !isDirectory.boolValue else {
                throw ConfigError("\(label) is a directory: name the file that holds the API token.")
            }
            try Self.requirePrivate(path: path, label: label)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigError("\(label) cannot be read (permission denied?): make it readable by this user (chmod 600 it and own it).")
            }
            raw = String(decoding: data, as: UTF8.self)
        }
        let token = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw ConfigError("\(label) is empty: it must hold the API token.")
        }
        if token.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) {
            throw ConfigError("\(label) has a line break inside the token: it must hold the token alone on one line.")
        }
        guard !token.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ConfigError("\(label) holds control characters inside the token: it must hold the token alone.")
        }
        return token
    }

    /// Refuses a token file its group or others can read, as ssh refuses such a key.
    static func requirePrivate(path: String, label: String) throws(ConfigError) {
        guard let mode = FileStatus.following(path)?.permissions else { return }  // unreadable: the read says so
        guard mode & 0o044 != 0 else { return }
        let who = mode & 0o040 != 0 && mode & 0o004 != 0 ? "its group and others" : mode & 0o040 != 0 ? "its group" : "others"
        throw ConfigError("\(label) can be read by \(who) (mode \(String(format: "%04o", mode))): a token file must be private to its owner; "
            + "fix it with: chmod 600 \(shellQuotedPath(path))")
    }
}

/// Quotes a path for a shell command line when it needs it.
func shellQuotedPath(_ path: String) -> String {
    let safe = path.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "/._-+,:@~".unicodeScalars.contains($0) }
    return safe && !path.hasPrefix("~") ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
