import ArgumentParser
import AssessmentBatchCore
import CurlHTTP
import Foundation
import Logging

/// Options of the commands that talk to the API (`plan`, `apply`, `export`, `check`).
///
/// The connection options are nil when not given, so that the profile in effect (`--profile`)
/// can stand in for them; `settings()` applies the defaults.
struct ServerOptions: ParsableArguments {
    @OptionGroup var profileOptions: ProfileOptions

    @Option(help: "API root (default: the profile's base-url, else $ENNEO_BASE_URL, else the local simulator http://127.0.0.1:8005/api/mind).")
    var baseURL: String?

    @Option(help: "File holding the API token, readable by its owner only (surrounding whitespace is stripped). Default: the profile's token-file, else $ENNEO_TOKEN.")
    var tokenFile: String?

    @Option(help: "Requests in flight at once, one connection each (default 8).")
    var concurrency: Int?

    @Option(help: "Most requests per second across all workers (default: no limit).")
    var maxRps: Double?

    @Option(help: "Attempts per request for timeouts, dropped connections, 408, 425, 429 and 5xx answers (default 6).")
    var maxAttempts: Int?

    @Option(help: "Stop the run (exit 3) when the server has not answered for this many seconds (default 60).")
    var giveUpAfter: Double?

    @Option(help: "Seconds allowed to connect (default 10).")
    var connectTimeout: Double?

    @Option(help: "Seconds allowed for one request (default 60).")
    var timeout: Double?

    @Option(help: "Abort a request that moves less than 1 byte/s for this many seconds (default 30).")
    var lowSpeedTime: Int?

    @Option(help: "CA bundle to trust instead of the system's.")
    var caBundle: String?

    @Option(help: "Run directory for the files a run writes (default: runs/<input-stem>-<UTC time>).")
    var out: String?

    @Flag(help: "Allow a plain-http base URL for a host other than loopback (sends the token unencrypted).")
    var allowInsecureHttp = false

    @Flag(name: .shortAndLong, help: "Log every retry.")
    var verbose = false

    func validate() throws {
        if let concurrency, !(1...256).contains(concurrency) { throw ValidationError("--concurrency must be between 1 and 256.") }
        if let maxAttempts, maxAttempts < 1 { throw ValidationError("--max-attempts must be at least 1.") }
        if let maxRps, maxRps <= 0 { throw ValidationError("--max-rps must be positive.") }
        guard [connectTimeout, timeout, giveUpAfter, lowSpeedTime.map(Double.init)].allSatisfy({ ($0 ?? 1) > 0 }) else {
            throw ValidationError("Timeouts must be positive.")
        }
    }

    /// The connection flags as given (nil where not).
    var flags: ConnectionFlags {
        ConnectionFlags(baseURL: baseURL, tokenFile: tokenFile, concurrency: concurrency, maxRps: maxRps, maxAttempts: maxAttempts,
                        giveUpAfter: giveUpAfter, connectTimeout: connectTimeout, timeout: timeout, lowSpeedTime: lowSpeedTime,
                        caBundle: caBundle, allowInsecureHttp: allowInsecureHttp)
    }

    /// The server, token source and options of this run: flags over the profile in effect
    /// over the defaults; a profile the environment contradicts is exit 2.
    func settings() throws(CommandFailure) -> ServerSettings {
        let active = try profileOptions.active()
        do {
            return try ServerSettings.resolve(flags: flags, active: active, environment: environment)
        } catch {
            throw CommandFailure(error.description)
        }
    }

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The base URL to use; refuses schemes other than http(s), and plain http to anything
    /// but loopback unless allowed.
    func resolvedBaseURL(_ settings: ServerSettings) throws -> String {
        let base = settings.baseURL
        let allowInsecureHttp = settings.allowInsecureHttp
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw ValidationError("--base-url '\(base)' is not a URL like https://demo.enneo.ai/api/mind.")
        }
        guard scheme == "https" || scheme == "http" else {
            throw ValidationError("--base-url must use https (or http to a loopback address), not \(scheme).")
        }
        let loopback = host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
        if scheme == "http" && !loopback && !allowInsecureHttp {
            throw ValidationError("--base-url uses plain http to \(host): the token would travel unencrypted. Use https, or pass --allow-insecure-http.")
        }
        return base
    }

    /// The token from its one source (--token-file, the profile's token-file or $ENNEO_TOKEN),
    /// surrounding whitespace stripped.
    ///
    /// Each mistake gets its own one-line message (exit 2, no usage banner); no message holds
    /// any part of the token.
    func loadToken(_ settings: ServerSettings) throws(CommandFailure) -> String {
        do {
            return try settings.readToken(environment: environment)
        } catch {
            throw CommandFailure(error.description)
        }
    }

    /// Everything the engine needs (the job initialises libcurl once the input is loaded); says
    /// on stderr which profile and server the run uses, as every run must.
    func configuration() throws -> ServerConfiguration {
        let settings = try settings()
        let base = try resolvedBaseURL(settings)
        let token = try loadToken(settings)
        signal(SIGPIPE, SIG_IGN)
        printError("assessment-batch: \(settings.summary)", metadata: [
            "event": "connection", "profile": .string(settings.profileName ?? ""), "server": .string(base),
        ])
        return ServerConfiguration(
            baseURL: base, token: token, concurrency: settings.concurrency, maxRequestsPerSecond: settings.maxRps,
            retry: RetryPolicy(maxAttempts: settings.maxAttempts), giveUpAfterSeconds: settings.giveUpAfter,
            transport: transportOptions(settings))
    }

    /// libcurl's limits for `settings`.
    func transportOptions(_ settings: ServerSettings) -> TransportOptions {
        TransportOptions(
            connectTimeoutMilliseconds: Int(settings.connectTimeout * 1000), totalTimeoutMilliseconds: Int(settings.timeout * 1000),
            lowSpeedSeconds: settings.lowSpeedTime, caBundlePath: settings.caBundle, userAgent: "assessment-batch/\(toolVersion)")
    }

    /// The tool's logger, through the console that `--log-format` set up.
    func logger() -> Logger { LoggingOptions.logger(verbose: verbose) }

    /// The options in effect (flags over the profile), the profile and the server, for the
    /// report; the token is never among them.
    func record(into object: inout JSONObject) {
        guard let settings = try? settings() else { return }
        object.append("profile", settings.profileName.map { .string($0) } ?? .null)
        object.append("server", .string(settings.baseURL))
        object.append("serverSource", .string(settings.baseURLSource))
        object.append("concurrency", .number(String(settings.concurrency)))
        object.append("maxAttempts", .number(String(settings.maxAttempts)))
        object.append("maxRps", settings.maxRps.map { .number(String($0)) } ?? .null)
        object.append("giveUpAfterSeconds", .number(String(settings.giveUpAfter)))
        object.append("connectTimeoutSeconds", .number(String(settings.connectTimeout)))
        object.append("timeoutSeconds", .number(String(settings.timeout)))
        object.append("lowSpeedTimeSeconds", .number(String(settings.lowSpeedTime)))
        object.append("tokenSource", .string(settings.token.kind))
    }
}
