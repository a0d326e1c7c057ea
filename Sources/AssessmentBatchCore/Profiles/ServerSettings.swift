import Foundation

/// The server, the token source and the connection options of one run, each taken from one
/// place: a flag wins over the profile, the profile over the built-in default; the
/// environment (`ENNEO_BASE_URL`, `ENNEO_TOKEN`) stands in for the profile only when no
/// profile says anything, and a profile in effect that the environment contradicts is refused,
/// so yesterday's exported variable never redirects a write.
public struct ServerSettings: Sendable, Equatable {
    /// The built-in server: the local simulator.
    public static let defaultBaseURL = "http://127.0.0.1:8005/api/mind"

    public var active: ActiveProfile?
    public var baseURL: String
    /// Who named the server: `--base-url`, `ENNEO_BASE_URL`, `profile` or `default`.
    public var baseURLSource: String
    public var token: TokenSource
    /// Whether `ENNEO_TOKEN` must agree with the profile's token file.
    public var tokenMustMatchEnvironment: Bool
    public var concurrency: Int
    public var maxRps: Double?
    public var maxAttempts: Int
    public var giveUpAfter: Double
    public var connectTimeout: Double
    public var timeout: Double
    public var lowSpeedTime: Int
    /// `~` expanded.
    public var caBundle: String?
    public var allowInsecureHttp: Bool

    /// Merges `flags`, the profile in effect and `environment` by the rules above.
    public static func resolve(flags: ConnectionFlags, active: ActiveProfile?,
                               environment: [String: String]) throws(ConfigError) -> ServerSettings {
        let profile = active?.profile
        let fromEnvironment = environment["ENNEO_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let baseURL: String
        let baseURLSource: String
        if let flag = flags.baseURL {
            baseURL = flag
            baseURLSource = "--base-url"
        } else if let active, let fromProfile = active.profile.connection.baseURL {
            if let fromEnvironment, normalized(fromEnvironment) != normalized(fromProfile) {
                throw ConfigError("ENNEO_BASE_URL (\(fromEnvironment)) and profile '\(active.name)' (base-url \(fromProfile), \(active.place(.baseURL))) "
                    + "name different servers: unset ENNEO_BASE_URL, or pass --base-url to say which one this run uses.")
            }
            baseURL = fromProfile
            baseURLSource = "profile"
        } else if let fromEnvironment {
            baseURL = fromEnvironment
            baseURLSource = "ENNEO_BASE_URL"
        } else {
            baseURL = defaultBaseURL
            baseURLSource = "default"
        }

        let token: TokenSource
        var mustMatch = false
        if let flag = flags.tokenFile {
            token = .file(path: PathExpansion.expandingTilde(flag, environment: environment), written: flag, profile: nil, place: nil)
        } else if let active, let written = active.profile.connection.tokenFile {
            token = .file(path: PathExpansion.expandingTilde(written, environment: environment), written: written,
                          profile: active.name, place: active.place(.tokenFile))
            mustMatch = environment["ENNEO_TOKEN"] != nil
        } else if environment["ENNEO_TOKEN"] != nil {
            token = .environment
        } else {
            token = .none
        }

        let allowInsecure = flags.allowInsecureHttp || profile?.connection.allowInsecureHttp == true
        if baseURLSource == "profile", let active, !allowInsecure, isPlainHTTPToAnotherHost(baseURL) {
            throw ConfigError("profile '\(active.name)': base-url \(baseURL) uses plain http to another host: the token would travel "
                + "unencrypted. Use https, or set allow-insecure-http: true in the profile.", file: active.file.path,
                line: active.profile.lines[.baseURL])
        }
        return ServerSettings(
            active: active, baseURL: baseURL, baseURLSource: baseURLSource, token: token, tokenMustMatchEnvironment: mustMatch,
            concurrency: flags.concurrency ?? profile?.connection.concurrency ?? 8,
            maxRps: flags.maxRps ?? profile?.connection.maxRps,
            maxAttempts: flags.maxAttempts ?? profile?.connection.maxAttempts ?? 6,
            giveUpAfter: flags.giveUpAfter ?? profile?.connection.giveUpAfter ?? 60,
            connectTimeout: flags.connectTimeout ?? profile?.connection.connectTimeout ?? 10,
            timeout: flags.timeout ?? profile?.connection.timeout ?? 60,
            lowSpeedTime: flags.lowSpeedTime ?? profile?.connection.lowSpeedTime ?? 30,
            caBundle: (flags.caBundle ?? profile?.connection.caBundle).map { PathExpansion.expandingTilde($0, environment: environment) },
            allowInsecureHttp: allowInsecure)
    }

    /// The token, read from its one source; refused when the profile's token file and
    /// `ENNEO_TOKEN` both hold one and they differ (neither is shown).
    public func readToken(environment: [String: String]) throws(ConfigError) -> String {
        let value = try token.read(environment: environment)
        if tokenMustMatchEnvironment, let active, let fromEnvironment = environment["ENNEO_TOKEN"],
           fromEnvironment.trimmingCharacters(in: .whitespacesAndNewlines) != value {
            throw ConfigError("ENNEO_TOKEN and profile '\(active.name)' (\(token.label), \(active.place(.tokenFile))) hold different tokens: "
                + "unset ENNEO_TOKEN, or pass --token-file to say which one this run uses.")
        }
        return value
    }

    /// The profile's name, or nil when none is in effect.
    public var profileName: String? { active?.name }

    /// "profile NAME, server URL" (or "server URL, no profile"), said by every run.
    public var summary: String {
        let server = baseURLSource == "profile" || baseURLSource == "default" ? baseURL : "\(baseURL) (from \(baseURLSource))"
        guard let active else { return "server \(server), no profile" }
        return "profile \(active.name), server \(server)"
    }

    static func normalized(_ url: String) -> String {
        var text = url.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    static func isPlainHTTPToAnotherHost(_ url: String) -> Bool {
        guard let parsed = URL(string: url), parsed.scheme?.lowercased() == "http", let host = parsed.host else { return false }
        return !(host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]")
    }
}
