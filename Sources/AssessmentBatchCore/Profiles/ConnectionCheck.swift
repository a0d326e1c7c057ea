import CurlHTTP
import Foundation
import Logging

/// `assessment-batch check` after the configuration held: DNS, connect, TLS, the API root,
/// the token (a read), whether it can edit, the clock and the rate-limit headers.
///
/// The DNS, connect and TLS lines come from one GET without the token on a `CurlEasy` of its
/// own: they need libcurl's own error codes, which the retry loop's `TransportError` folds
/// together. Everything that reads the API goes through `EnneoClient`, as every run does, with
/// one attempt per request: a check reports what happens, it does not retry it away.
public struct ConnectionCheck: Sendable {
    public var baseURL: String
    public var token: String
    /// Timeouts, CA bundle and user agent of the run.
    public var transport: TransportOptions
    /// Named in the TLS line; nil for the system's store.
    public var caBundle: String?
    /// The largest difference from the server's `Date` that passes.
    public var clockToleranceSeconds: Double = 60
    /// This machine's clock (a test moves it).
    public var now: @Sendable () -> Date = { Date() }

    public init(baseURL: String, token: String, transport: TransportOptions, caBundle: String?) {
        self.baseURL = baseURL
        self.token = token
        self.transport = transport
        self.caBundle = caBundle
    }

    private var root: String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    /// Every check after `configuration`, in order; each failure says what to do.
    public func run() -> [CheckLine] {
        var lines: [CheckLine] = []
        func skipRest(after name: String, because reason: String) -> [CheckLine] {
            let rest = CheckLine.checks.drop { $0 != name }.dropFirst()
            return lines + rest.map { CheckLine($0, .skipped, reason) }
        }
        let url = URL(string: root)
        let host = url?.host ?? root
        let isHTTPS = url?.scheme?.lowercased() == "https"
        let hostPort = hostAndPortOf(url)
        let rootURL = root + APIRootCheck.path

        // The connection, without the token: any HTTP answer means DNS, TCP and TLS held.
        let probe: HTTPResponse
        let sentAt: Date
        do {
            let easy = try CurlEasy(options: transport)
            sentAt = now()
            probe = try easy.send(HTTPRequest(method: "GET", url: rootURL, headers: [(name: "Accept", value: "application/json")]))
        } catch {
            return skipRest(after: record(error, host: host, hostPort: hostPort, isHTTPS: isHTTPS, into: &lines),
                            because: "needs the connection above")
        }
        let receivedAt = now()
        lines.append(isIPAddress(host) ? CheckLine("dns", .ok, "\(host) is an IP address: nothing to look up")
                                       : CheckLine("dns", .ok, "\(host) resolves"))
        lines.append(CheckLine("connect", .ok, "connected to \(hostPort)"))
        lines.append(isHTTPS ? CheckLine("tls", .ok, "certificate of \(host) verified against \(caDescription)")
                             : CheckLine("tls", .skipped, "plain http: no TLS (the token travels unencrypted)"))

        // The API root and the token: the read every run starts with, with the token.
        var quiet = Logger(label: "assessment-batch.check") { _ in SwiftLogNoOpLogHandler() }
        quiet.logLevel = .critical
        let client = EnneoClient(
            configuration: ServerConfiguration(baseURL: baseURL, token: token, concurrency: 1, retry: RetryPolicy(maxAttempts: 1),
                                               giveUpAfterSeconds: max(1, Double(transport.totalTimeoutMilliseconds) / 1000), transport: transport),
            logger: quiet, control: RunControl())
        switch client.checkAPIRoot() {
        case .api:
            lines.append(CheckLine("api root", .ok, "GET \(rootURL) answered the API's list of scorecards"))
            lines.append(CheckLine("token", .ok, "accepted for a read (GET \(rootURL))"))
        case .notTheAPI(let problem):
            lines.append(CheckLine("api root", .failed, problem))
            return skipRest(after: "api root", because: "needs the API root")
        case .unknown(let message):
            lines.append(CheckLine("api root", .failed, "\(message): the server is in trouble or overloaded; try again later, or ask its operators"))
            return skipRest(after: "api root", because: "needs the API root")
        case .stopped:
            guard case .authenticationRejected? = client.control.abortReason else {
                let reason = client.control.abortReason.map { "\($0)" } ?? "no answer"
                lines.append(CheckLine("api root", .failed, "GET \(rootURL) stopped: \(reason)"))
                return skipRest(after: "api root", because: "needs the API root")
            }
            lines.append(CheckLine("api root", .skipped, "GET \(rootURL) answered 401 before showing whether it is the API"))
            lines.append(CheckLine("token", .failed, "the server refused the token (HTTP 401): put a valid API token in the token source named on the configuration line"))
            return skipRest(after: "token", because: "needs a token the server accepts")
        }

        // Whether the token can edit: `canEdit` on an assessment it lists.
        var responses = [probe]
        lines.append(canEditLine(client, responses: &responses))
        lines.append(clockLine(probe, sentAt: sentAt, receivedAt: receivedAt))
        lines.append(rateLimitLine(responses))
        return lines
    }

    /// The failing line of a transfer that got no answer, the lines before it ok; returns the
    /// failing check's name.
    private func record(_ error: CurlError, host: String, hostPort: String, isHTTPS: Bool, into lines: inout [CheckLine]) -> String {
        switch error.stage {
        case .resolve:
            lines.append(CheckLine("dns", .failed, "\(host) does not resolve (\(error.connectDetail)): check the host name in the base URL, and the DNS or proxy settings of this machine"))
            return "dns"
        case .connect:
            lines.append(CheckLine("dns", .ok, isIPAddress(host) ? "\(host) is an IP address: nothing to look up" : "\(host) resolves"))
            lines.append(CheckLine("connect", .failed, "cannot connect to \(hostPort) (\(error.connectDetail)): check that the server runs and the port in the base URL, or a firewall or proxy in between"))
            return "connect"
        case .tls:
            lines.append(CheckLine("dns", .ok, isIPAddress(host) ? "\(host) is an IP address: nothing to look up" : "\(host) resolves"))
            lines.append(CheckLine("connect", .ok, "connected to \(hostPort)"))
            let detail = isHTTPS ? "\(error) (verified against \(caDescription))"
                                 : "\(error): the base URL says http, and a TLS error came back"
            lines.append(CheckLine("tls", .failed, detail))
            return "tls"
        case .transfer:
            lines.append(CheckLine("dns", .ok, isIPAddress(host) ? "\(host) is an IP address: nothing to look up" : "\(host) resolves"))
            lines.append(CheckLine("connect", .ok, "connected to \(hostPort)"))
            lines.append(isHTTPS ? CheckLine("tls", .ok, "verified against \(caDescription)") : CheckLine("tls", .skipped, "plain http: no TLS"))
            lines.append(CheckLine("api root", .failed, "GET \(root + APIRootCheck.path) got no answer: \(error): check the base URL and the server's health"))
            return "api root"
        }
    }

    private var caDescription: String {
        if let caBundle { return "the CA bundle \(caBundle) (ca-bundle)" }
        if let system = CurlError.defaultCABundle { return "the system's CA bundle \(system)" }
        return "the system's CA store"
    }

    private func canEditLine(_ client: EnneoClient, responses: inout [HTTPResponse]) -> CheckLine {
        let listURL = root + EnneoClient.listPath(limit: 100, offset: 0, query: "")
        guard case .answered(let response) = client.listAssessments(limit: 100, offset: 0) else {
            return CheckLine("can edit", .failed, "GET \(listURL) got no answer: \(client.control.abortReason.map { "\($0)" } ?? "try again")")
        }
        responses.append(response)
        guard (200..<300).contains(response.status) else {
            return CheckLine("can edit", .failed, "the token cannot list assessments (GET \(listURL) answered \(response.statusAndMessage(limit: 120))): ask an enneo admin for a token with quality permissions")
        }
        let parsed = response.body.withUnsafeBytes { try? JSONParser.parse($0, maxDepth: 64, maxStringBytes: 16 << 20) }
        guard let items = parsed?.objectValue?["assessments"]?.arrayValue else {
            return CheckLine("can edit", .failed, "GET \(listURL) did not answer {\"assessments\": [...]}: check the base URL")
        }
        let objects = items.compactMap(\.objectValue)
        guard !objects.isEmpty else {
            return CheckLine("can edit", .warning, "the token sees no assessment, so whether it can edit is unknown")
        }
        if let editable = objects.first(where: { $0["canEdit"] == .bool(true) }), let id = editable["id"]?.intValue {
            return CheckLine("can edit", .ok, "the token can edit assessment \(id) (canEdit on the first of \(objects.count) listed)")
        }
        if objects.allSatisfy({ $0["canEdit"] == nil }), let id = objects.first?["id"]?.intValue {
            // A list without canEdit: ask the assessment itself.
            if case .answered(let answer) = client.getAssessment(id), (200..<300).contains(answer.status) {
                responses.append(answer)
                let object = answer.body.withUnsafeBytes { try? JSONParser.parse($0, maxDepth: 64, maxStringBytes: 16 << 20) }?.objectValue
                if object?["canEdit"] == .bool(true) { return CheckLine("can edit", .ok, "the token can edit assessment \(id)") }
                if object?["canEdit"] == nil { return CheckLine("can edit", .warning, "the server does not say canEdit for assessment \(id)") }
            }
        }
        return CheckLine("can edit", .failed, "the token can read but edit none of the \(objects.count) assessments it lists (canEdit is false): ask an enneo admin for the permission to do quality assessments")
    }

    /// The probe's `Date` against this machine's clock in the middle of the probe.
    private func clockLine(_ response: HTTPResponse, sentAt: Date, receivedAt: Date) -> CheckLine {
        guard let header = response.header("Date") else {
            return CheckLine("clock", .skipped, "the server sent no Date header")
        }
        guard let serverDate = Self.httpDate(header) else {
            return CheckLine("clock", .skipped, "the server's Date header '\(header)' is not an HTTP date")
        }
        // Date drops the fraction (the server's instant is in [Date, Date + 1 s)); the local
        // instant is the middle of the probe.
        let local = sentAt.addingTimeInterval(receivedAt.timeIntervalSince(sentAt) / 2)
        let skew = local.timeIntervalSince(serverDate.addingTimeInterval(0.5))
        let seconds = Int(abs(skew).rounded())
        guard abs(skew) > clockToleranceSeconds else {
            return CheckLine("clock", .ok, "within \(max(seconds, 1)) s of the server's Date (\(header))")
        }
        return CheckLine("clock", .failed, "this machine's clock is \(seconds) s \(skew > 0 ? "ahead of" : "behind") the server's Date (\(header)): set it right (e.g. timedatectl set-ntp true)")
    }

    private func rateLimitLine(_ responses: [HTTPResponse]) -> CheckLine {
        let names = ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy", "RateLimit",
                     "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]
        guard let response = responses.last(where: { response in names.contains { response.header($0) != nil } }) else {
            return CheckLine("rate limit", .skipped, "the server sends no rate-limit headers (--max-rps caps the rate if it must be lower)")
        }
        let found = names.compactMap { name in response.header(name).map { "\(name): \($0)" } }
        let remaining = response.header("RateLimit-Remaining") ?? response.header("X-RateLimit-Remaining")
        if let remaining, Int(remaining.trimmingCharacters(in: .whitespaces)) == 0 {
            return CheckLine("rate limit", .warning, found.joined(separator: "; ") + ": no requests left in this window")
        }
        return CheckLine("rate limit", .ok, found.joined(separator: "; "))
    }

    /// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form HTTP servers send.
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text.trimmingCharacters(in: .whitespaces))
    }

    private func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || (host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." })
    }

    private func hostAndPortOf(_ url: URL?) -> String {
        guard let url, let host = url.host else { return root }
        let port = url.port ?? (url.scheme?.lowercased() == "http" ? 80 : 443)
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
