import CurlHTTP
import Foundation
import Logging
import Synchronization

/// The enneo quality API as every command talks to it (`apply`, `plan`, `export`, `check`): one
/// set-up of the worker pool and its connections, the requests' paths and headers, the
/// API-root check, and one quoting of an answer (``CurlHTTP/HTTPResponse/statusAndMessage``).
///
/// Two ways in: the engines run many requests on the pool's workers (``run(count:body:)``
/// with the worker-side helpers such as ``get(_:on:)``); a command that sends a few requests
/// one after the other (`check`) uses the public single-request methods, which hand back the
/// whole answer, status and headers (`Date`, rate-limit headers) included.
public final class EnneoClient: Sendable {
    let context: RunContext
    private let pool: WorkerPool

    public init(configuration: ServerConfiguration, logger: Logger, control: RunControl) {
        context = RunContext(configuration: configuration, logger: logger, control: control, statistics: HTTPStatistics())
        pool = WorkerPool(context: context)
    }

    deinit { pool.shutDown() }

    /// Request counts and latencies so far.
    public var statistics: HTTPStatistics.Snapshot { context.statistics.snapshot }

    public var configuration: ServerConfiguration { context.configuration }

    public var control: RunControl { context.control }

    // MARK: - Paths

    /// `GET` of one assessment.
    static func assessmentPath(_ id: Int) -> String { "/quality/assessment/\(id)" }

    /// `GET` of one scorecard revision.
    static func scorecardPath(_ id: Int) -> String { "/quality/scorecard/\(id)" }

    /// `GET` of one page of the assessment list; `query` is `&name=value…` filters.
    static func listPath(limit: Int, offset: Int, query: String) -> String {
        "/quality/assessment?limit=\(limit)&offset=\(offset)\(query)"
    }

    // MARK: - On the pool's workers

    /// Runs `body` for every index below `count` on the pool's workers (see ``WorkerPool``).
    func run(count: Int, body: @escaping @Sendable (Int, RequestRunner) -> Void) {
        pool.run(count: count, body: body)
    }

    /// Runs `body` on one worker and returns its value (nil when the run stopped first).
    func once<Value: Sendable>(_ body: @escaping @Sendable (RequestRunner) -> Value) -> Value? {
        let value = Mutex<Value?>(nil)
        pool.run(count: 1) { _, runner in
            let computed = body(runner)
            value.withLock { $0 = computed }
        }
        return value.withLock { $0 }
    }

    /// GETs `path` (under the base URL) on a worker's runner, with retries.
    func get(_ path: String, on runner: RequestRunner) -> SendResult {
        var attempts = 0
        var status: Int?
        return get(path, on: runner, attempts: &attempts, status: &status)
    }

    /// ``get(_:on:)`` that also tells how many attempts it took and the last status.
    func get(_ path: String, on runner: RequestRunner, attempts: inout Int, status: inout Int?) -> SendResult {
        runner.send(HTTPRequest(method: "GET", url: context.configuration.url(path), headers: context.getHeaders),
                    attempts: &attempts, lastStatus: &status)
    }

    /// PATCHes `body` to assessment `id` on a worker's runner, with retries.
    func patchAssessment(_ id: Int, body: [UInt8], on runner: RequestRunner, attempts: inout Int, status: inout Int?) -> SendResult {
        let request = HTTPRequest(method: "PATCH", url: context.configuration.url(Self.assessmentPath(id)),
                                  headers: context.patchHeaders, body: body)
        return runner.send(request, attempts: &attempts, lastStatus: &status)
    }

    // MARK: - One request at a time

    /// Reads the API root once (see ``APIRootCheck``) and says what it found; nothing is
    /// stopped by it (``checkAPIRootBeforeRun()`` does that for a run).
    public func checkAPIRoot() -> APIRootVerdict {
        once { runner in APIRootCheck.verdict(self.get(APIRootCheck.path, on: runner), url: self.context.configuration.url(APIRootCheck.path),
                                              baseURL: self.context.configuration.baseURL) } ?? .stopped
    }

    /// The API-root check as the first request of a run: false, with the run stopped for the
    /// reason, when the base URL does not lead to the API or the run stopped meanwhile (401,
    /// nothing listening). A transient failure of the check is only logged: it says nothing
    /// about the base URL, and each request of the run meets the server's state on its own.
    func checkAPIRootBeforeRun() -> Bool {
        switch checkAPIRoot() {
        case .api, .stopped:
            break
        case .notTheAPI(let problem):
            context.control.abort(.notTheAPI(problem), abortTransfers: false)
        case .unknown(let message):
            context.logger.warning("\(message): going on without checking the base URL")
        }
        return !context.control.stop.isCancelled
    }

    /// GETs one assessment.
    public func getAssessment(_ id: Int) -> SendResult {
        once { self.get(Self.assessmentPath(id), on: $0) } ?? .stopped(lastError: nil)
    }

    /// GETs one scorecard revision.
    public func getScorecard(_ id: Int) -> SendResult {
        once { self.get(Self.scorecardPath(id), on: $0) } ?? .stopped(lastError: nil)
    }

    /// GETs one page of the assessment list; `query` is appended as it is (`&state=aiReady…`).
    public func listAssessments(limit: Int, offset: Int, query: String = "") -> SendResult {
        once { self.get(Self.listPath(limit: limit, offset: offset, query: query), on: $0) } ?? .stopped(lastError: nil)
    }
}
