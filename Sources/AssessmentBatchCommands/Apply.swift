import ArgumentParser
import AssessmentBatchCore
import CurlHTTP
import Foundation
import Logging

extension AssessmentBatchCommand {
    /// `apply FILE...`: validate, then send one PATCH per assessment.
    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the files, then send one PATCH per assessment and write a report and a failures file.",
            discussion: """
                The token comes from ENNEO_TOKEN or --token-file, never from the command line. \
                Invalid input sends nothing (exit 2) unless --skip-invalid is given.
                """
        )

        @OptionGroup var input: InputOptions

        @Option(help: "API root (default: $ENNEO_BASE_URL, else the local simulator http://127.0.0.1:8005/api/mind).")
        var baseURL: String?

        @Option(help: "File holding the API token (surrounding whitespace is stripped). Default: $ENNEO_TOKEN.")
        var tokenFile: String?

        @Option(help: "Requests in flight at once, one connection each.")
        var concurrency: Int = 8

        @Option(help: "Most requests per second across all workers (default: no limit).")
        var maxRps: Double?

        @Option(help: "Attempts per assessment for timeouts, dropped connections, 408, 425, 429 and 5xx answers.")
        var maxAttempts: Int = 6

        @Option(help: "Stop the run (exit 3) when the server has not answered for this many seconds.")
        var giveUpAfter: Double = 60

        @Option(help: "Seconds allowed to connect.")
        var connectTimeout: Double = 10

        @Option(help: "Seconds allowed for one request.")
        var timeout: Double = 60

        @Option(help: "CA bundle to trust instead of the system's.")
        var caBundle: String?

        @Option(help: "Run directory for report.json and the failures files (default: runs/<input-stem>-<UTC time>).")
        var out: String?

        @Flag(help: "Send the valid assessments even when some rows are invalid; invalid ones go to the failures file.")
        var skipInvalid = false

        @Flag(help: "Allow a plain-http base URL for a host other than loopback (sends the token unencrypted).")
        var allowInsecureHttp = false

        @Flag(name: .shortAndLong, help: "Log every retry.")
        var verbose = false

        func validate() throws {
            guard concurrency >= 1 && concurrency <= 256 else { throw ValidationError("--concurrency must be between 1 and 256.") }
            guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1.") }
            if let maxRps, maxRps <= 0 { throw ValidationError("--max-rps must be positive.") }
            guard connectTimeout > 0, timeout > 0, giveUpAfter > 0 else { throw ValidationError("Timeouts must be positive.") }
        }

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let base = baseURL ?? environment["ENNEO_BASE_URL"] ?? "http://127.0.0.1:8005/api/mind"
            try checkBaseURL(base)
            let token = try loadToken(environment: environment)
            try CurlGlobal.initialize()
            signal(SIGPIPE, SIG_IGN)

            var logger = Logger(label: "assessment-batch") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = verbose ? .debug : .info
            let configuration = ApplyConfiguration(
                baseURL: base, token: token, concurrency: concurrency, maxRequestsPerSecond: maxRps,
                retry: RetryPolicy(maxAttempts: maxAttempts), giveUpAfterSeconds: giveUpAfter,
                transport: TransportOptions(
                    connectTimeoutMilliseconds: Int(connectTimeout * 1000), totalTimeoutMilliseconds: Int(timeout * 1000),
                    caBundlePath: caBundle, userAgent: "assessment-batch/\(toolVersion)"))
            let options = ApplyJobOptions(
                paths: input.files, load: try input.loadOptions(), skipInvalid: skipInvalid, outDirectory: out,
                configuration: configuration, recordedOptions: recordedOptions(baseURL: base))

            let control = RunControl()
            let signals = SignalHandlers(control: control)
            let progress = ProgressLine()
            let result = ApplyJob.run(options, logger: logger, control: control,
                                      onStart: { progress.start(total: $0) },
                                      onOutcome: { _, outcome in progress.record(outcome) })
            progress.stop()
            withExtendedLifetime(signals) {}
            printDiagnostics(result.diagnostics)
            printSummary(result)
            if result.exitStatus != .success { throw ExitCode(result.exitStatus.rawValue) }
        }

        /// Refuses schemes other than http(s), and plain http to anything but loopback.
        private func checkBaseURL(_ base: String) throws {
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
        }

        /// The token from --token-file or $ENNEO_TOKEN, whitespace stripped.
        private func loadToken(environment: [String: String]) throws -> String {
            let raw: String
            if let tokenFile {
                guard let data = FileManager.default.contents(atPath: tokenFile) else {
                    throw ValidationError("Cannot read --token-file \(tokenFile).")
                }
                raw = String(decoding: data, as: UTF8.self)
            } else if let fromEnvironment = environment["ENNEO_TOKEN"] {
                raw = fromEnvironment
            } else {
                throw ValidationError("No API token: set ENNEO_TOKEN or pass --token-file FILE.")
            }
            let token = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw ValidationError("The API token is empty.") }
            guard !token.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw ValidationError("The API token contains control characters.")
            }
            return token
        }

        /// The options as given, for the report; the token is never among them.
        private func recordedOptions(baseURL: String) -> JSONObject {
            var object = JSONObject()
            object.append("concurrency", .number(String(concurrency)))
            object.append("maxAttempts", .number(String(maxAttempts)))
            object.append("maxRps", maxRps.map { .number(String($0)) } ?? .null)
            object.append("giveUpAfterSeconds", .number(String(giveUpAfter)))
            object.append("connectTimeoutSeconds", .number(String(connectTimeout)))
            object.append("timeoutSeconds", .number(String(timeout)))
            object.append("skipInvalid", .bool(skipInvalid))
            object.append("timezone", input.timezone.map { .string($0) } ?? .null)
            object.append("format", input.format.map { .string($0) } ?? .null)
            object.append("delimiter", input.delimiter.map { .string($0) } ?? .null)
            object.append("tokenSource", .string(tokenFile == nil ? "ENNEO_TOKEN" : "--token-file"))
            return object
        }

        private func printSummary(_ result: ApplyJobResult) {
            guard let report = result.report else {
                printError("assessment-batch: invalid input, nothing sent (run 'assessment-batch validate' to check files offline)")
                return
            }
            let counts = report.counts
            var line = "assessment-batch: \(counts.assessments) assessments from \(counts.rows) rows: \(counts.applied) applied, \(counts.unchanged) unchanged, \(counts.failed) failed"
            if !counts.failedByKind.isEmpty {
                line += " (" + ErrorKind.allCases.compactMap { kind in counts.failedByKind[kind].map { "\(kind.rawValue) \($0)" } }.joined(separator: ", ") + ")"
            }
            line += ", \(counts.notAttempted) not attempted in \(String(format: "%.1f", report.finishedAt.timeIntervalSince(report.startedAt))) s"
            printError(line)
            if let reason = report.abortReason { printError("  stopped:  \(reason)") }
            if let path = result.reportPath { printError("  report:   \(path)") }
            for file in report.failuresFiles {
                printError("  failures: \(file.path) (\(file.rows) row\(file.rows == 1 ? "" : "s"))")
            }
            if !report.failuresFiles.isEmpty {
                printError("  re-run:   assessment-batch apply \(report.failuresFiles.map { shellQuoted($0.path) }.joined(separator: " "))")
            }
        }
    }
}
