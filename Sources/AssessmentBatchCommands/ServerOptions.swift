import ArgumentParser
import AssessmentBatchCore
import CurlHTTP
import Foundation
import Logging

/// Options of the commands that talk to the API (`plan`, `apply`).
struct ServerOptions: ParsableArguments {
    @Option(help: "API root (default: $ENNEO_BASE_URL, else the local simulator http://127.0.0.1:8005/api/mind).")
    var baseURL: String?

    @Option(help: "File holding the API token (surrounding whitespace is stripped). Default: $ENNEO_TOKEN.")
    var tokenFile: String?

    @Option(help: "Requests in flight at once, one connection each.")
    var concurrency: Int = 8

    @Option(help: "Most requests per second across all workers (default: no limit).")
    var maxRps: Double?

    @Option(help: "Attempts per request for timeouts, dropped connections, 408, 425, 429 and 5xx answers.")
    var maxAttempts: Int = 6

    @Option(help: "Stop the run (exit 3) when the server has not answered for this many seconds.")
    var giveUpAfter: Double = 60

    @Option(help: "Seconds allowed to connect.")
    var connectTimeout: Double = 10

    @Option(help: "Seconds allowed for one request.")
    var timeout: Double = 60

    @Option(help: "Abort a request that moves less than 1 byte/s for this many seconds.")
    var lowSpeedTime: Int = 30

    @Option(help: "CA bundle to trust instead of the system's.")
    var caBundle: String?

    @Option(help: "Run directory for the files a run writes (default: runs/<input-stem>-<UTC time>).")
    var out: String?

    @Flag(help: "Allow a plain-http base URL for a host other than loopback (sends the token unencrypted).")
    var allowInsecureHttp = false

    @Flag(name: .shortAndLong, help: "Log every retry.")
    var verbose = false

    func validate() throws {
        guard concurrency >= 1 && concurrency <= 256 else { throw ValidationError("--concurrency must be between 1 and 256.") }
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1.") }
        if let maxRps, maxRps <= 0 { throw ValidationError("--max-rps must be positive.") }
        guard connectTimeout > 0, timeout > 0, giveUpAfter > 0, lowSpeedTime > 0 else { throw ValidationError("Timeouts must be positive.") }
    }

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The base URL to use; refuses schemes other than http(s), and plain http to anything
    /// but loopback unless allowed.
    func resolvedBaseURL() throws -> String {
        let base = baseURL ?? environment["ENNEO_BASE_URL"] ?? "http://127.0.0.1:8005/api/mind"
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

    /// The token from --token-file or $ENNEO_TOKEN, surrounding whitespace stripped.
    ///
    /// Each mistake gets its own one-line message (exit 2, no usage banner); no message holds
    /// any part of the token.
    func loadToken() throws(CommandFailure) -> String {
        let raw: String
        let source: String
        if let tokenFile {
            source = "--token-file \(tokenFile)"
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: tokenFile, isDirectory: &isDirectory) else {
                throw CommandFailure("\(source) does not exist: write the API token into that file, or set ENNEO_TOKEN instead.")
            }
            guard !isDirectory.boolValue else {
                throw CommandFailure("\(source) is a directory: name the file that holds the API token.")
            }
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw CommandFailure("\(source) cannot be read (permission denied?): make it readable by this user (chmod 600 it and own it).")
            }
            raw = String(decoding: data, as: UTF8.self)
        } else if let fromEnvironment = environment["ENNEO_TOKEN"] {
            source = "ENNEO_TOKEN"
            raw = fromEnvironment
        } else {
            throw CommandFailure("No API token: set ENNEO_TOKEN or pass --token-file FILE (a file holding the token alone).")
        }
        let token = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw CommandFailure("\(source) is empty: it must hold the API token.")
        }
        if token.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) {
            throw CommandFailure("\(source) has a line break inside the token: it must hold the token alone on one line.")
        }
        guard !token.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw CommandFailure("\(source) holds control characters inside the token: it must hold the token alone.")
        }
        return token
    }

    /// Everything the engine needs (the job initialises libcurl once the input is loaded).
    func configuration() throws -> ServerConfiguration {
        let base = try resolvedBaseURL()
        let token = try loadToken()
        signal(SIGPIPE, SIG_IGN)
        return ServerConfiguration(
            baseURL: base, token: token, concurrency: concurrency, maxRequestsPerSecond: maxRps,
            retry: RetryPolicy(maxAttempts: maxAttempts), giveUpAfterSeconds: giveUpAfter,
            transport: TransportOptions(
                connectTimeoutMilliseconds: Int(connectTimeout * 1000), totalTimeoutMilliseconds: Int(timeout * 1000),
                lowSpeedSeconds: lowSpeedTime, caBundlePath: caBundle, userAgent: "assessment-batch/\(toolVersion)"))
    }

    /// The tool's logger, through the console that `--log-format` set up.
    func logger() -> Logger { LoggingOptions.logger(verbose: verbose) }

    /// The options as given, for the report; the token is never among them.
    func record(into object: inout JSONObject) {
        object.append("concurrency", .number(String(concurrency)))
        object.append("maxAttempts", .number(String(maxAttempts)))
        object.append("maxRps", maxRps.map { .number(String($0)) } ?? .null)
        object.append("giveUpAfterSeconds", .number(String(giveUpAfter)))
        object.append("connectTimeoutSeconds", .number(String(connectTimeout)))
        object.append("timeoutSeconds", .number(String(timeout)))
        object.append("lowSpeedTimeSeconds", .number(String(lowSpeedTime)))
        object.append("tokenSource", .string(tokenFile == nil ? "ENNEO_TOKEN" : "--token-file"))
    }
}
