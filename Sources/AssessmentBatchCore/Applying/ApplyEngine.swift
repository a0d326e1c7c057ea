import CurlHTTP
import Foundation
import Logging
import Synchronization

/// Where and how to send updates.
public struct ApplyConfiguration: Sendable {
    /// The API root, e.g. `https://demo.enneo.ai/api/mind`.
    public var baseURL: String
    /// The bearer token; never logged or written anywhere.
    public var token: String
    /// Worker threads, each with its own connection.
    public var concurrency: Int
    /// Requests per second across all workers; nil for no limit.
    public var maxRequestsPerSecond: Double?
    public var retry: RetryPolicy
    /// The run stops (exit 3) when no HTTP answer arrived for this long.
    public var giveUpAfterSeconds: Double
    /// Makes each worker's connection: libcurl in the tool, a scripted fake in unit tests.
    public var transportFactory: TransportFactory

    public init(baseURL: String, token: String, concurrency: Int = 8, maxRequestsPerSecond: Double? = nil,
                retry: RetryPolicy = RetryPolicy(), giveUpAfterSeconds: Double = 60, transport: TransportOptions = TransportOptions(),
                transportFactory: TransportFactory? = nil) {
        self.baseURL = baseURL
        self.token = token
        self.concurrency = concurrency
        self.maxRequestsPerSecond = maxRequestsPerSecond
        self.retry = retry
        self.giveUpAfterSeconds = giveUpAfterSeconds
        self.transportFactory = transportFactory ?? .curl(transport)
    }

    func url(_ path: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }
}

/// Stops a run from outside: `stop` ends the taking of new work, `abortTransfers` also
/// aborts requests in flight.
public final class RunControl: Sendable {
    /// Raised to stop taking work (first signal, 401, unreachable server).
    public let stop = CancellationFlag()
    /// Raised to abort transfers in flight (libcurl's progress callback sees it).
    public let abortTransfers = CancellationFlag()
    private let reason = Mutex<AbortReason?>(nil)

    public init() {}

    /// Stops the run for `reason`; the first reason given is kept.
    public func abort(_ reason: AbortReason, abortTransfers: Bool) {
        self.reason.withLock { if $0 == nil { $0 = reason } }
        stop.cancel()
        if abortTransfers { self.abortTransfers.cancel() }
    }

    public var abortReason: AbortReason? { reason.withLock { $0 } }
}

/// Sends requests for a batch from a fixed pool of worker threads: preflight GETs, then one
/// PATCH per assessment.
public final class ApplyEngine: Sendable {
    private let context: RunContext
    /// Shared by preflight and write, so each worker keeps its connection from one to the other.
    private let pool: WorkerPool

    public init(configuration: ApplyConfiguration, logger: Logger, control: RunControl) {
        context = RunContext(configuration: configuration, logger: logger, control: control, statistics: HTTPStatistics())
        pool = WorkerPool(context: context)
    }

    deinit { pool.shutDown() }

    /// Request counts and latencies so far.
    public var statistics: HTTPStatistics.Snapshot { context.statistics.snapshot }

    /// GETs every assessment (and each scorecard revision once) and decides, per update,
    /// whether to write it. Sends no write. Updates the run never reached have no verdict.
    ///
    /// - Parameter keep: called from worker threads as each decision is made; returns what to
    ///   keep of it (a plan shows the changes, an apply needs the undo image); it also gets
    ///   what preflight read, when it read the assessment.
    func preflight(_ updates: [AssessmentUpdate], options: PreflightOptions,
                   keep: @escaping @Sendable (Int, AssessmentUpdate, PreflightVerdict, PreflightSeen?) -> PreflightVerdict = { _, _, verdict, _ in verdict }) -> [PreflightVerdict?] {
        let verdicts = Mutex([PreflightVerdict?](repeating: nil, count: updates.count))
        let scorecards = ScorecardCache()
        let context = context
        pool.run(count: updates.count) { index, runner in
            var seen: PreflightSeen?
            guard let verdict = Self.inspect(updates[index], runner: runner, context: context, scorecards: scorecards, options: options,
                                             seen: &seen) else { return }
            let kept = keep(index, updates[index], verdict, seen)
            verdicts.withLock { $0[index] = kept }
        }
        return verdicts.withLock { $0 }
    }

    /// PATCHes every update and checks each answer against what was sent.
    ///
    /// - Parameter beforeSending: called on the worker thread right before an update's first
    ///   PATCH (the undo file is written there); when it throws, the update is not sent.
    public func write(_ updates: [AssessmentUpdate],
                      beforeSending: @escaping @Sendable (Int) throws -> Void = { _ in },
                      onOutcome: @escaping @Sendable (Int, AssessmentOutcome) -> Void = { _, _ in }) -> [AssessmentOutcome] {
        // Outcomes start as "not attempted"; `reached` tells which ones a worker wrote.
        let results = Mutex((outcomes: updates.map { AssessmentOutcome.notAttempted($0, "not attempted") },
                             reached: [Bool](repeating: false, count: updates.count)))
        let context = context
        pool.run(count: updates.count) { index, runner in
            let outcome: AssessmentOutcome
            do {
                if !updates[index].setsAnything {
                    // An exported sheet's unedited assessment (with --no-preflight): an empty PATCH would only re-stamp it.
                    outcome = AssessmentOutcome(assessmentId: updates[index].assessmentId, sources: updates[index].sources, status: .unchanged)
                } else {
                    try beforeSending(index)
                    outcome = Self.patch(updates[index], runner: runner, context: context)
                }
            } catch {
                context.control.abort(.localFailure("\(error)"), abortTransfers: false)
                outcome = .notAttempted(updates[index], "not sent: \(error)")
            }
            results.withLock {
                $0.outcomes[index] = outcome
                $0.reached[index] = true
            }
            onOutcome(index, outcome)
        }
        let control = context.control
        return results.withLock { results in
            for index in results.outcomes.indices where !results.reached[index] {
                results.outcomes[index] = .notAttempted(updates[index], stoppedBy: control)
            }
            return exchange(&results.outcomes, with: [])
        }
    }

    /// Reads the API root once before anything else; false (and the run stopped with the
    /// reason) when the base URL does not lead to the API or the server cannot be reached.
    func checkAPIRoot() -> Bool {
        APIRootCheck.run(on: pool, context: context)
    }

    // MARK: - One assessment

    private static func get(_ path: String, runner: RequestRunner, context: RunContext,
                            attempts: inout Int, status: inout Int?) -> SendResult {
        runner.send(HTTPRequest(method: "GET", url: context.configuration.url(path), headers: context.getHeaders),
                    attempts: &attempts, lastStatus: &status)
    }

    /// nil when the run stopped before a decision.
    private static func inspect(_ update: AssessmentUpdate, runner: RequestRunner, context: RunContext,
                                scorecards: ScorecardCache, options: PreflightOptions, seen: inout PreflightSeen?) -> PreflightVerdict? {
        // Nothing to send (an exported sheet's unedited assessment): no GET needed.
        if !update.setsAnything { return .unchanged }
        var attempts = 0
        var status: Int?
        let id = update.assessmentId
        let live: LiveAssessment
        switch get("/quality/assessment/\(id)", runner: runner, context: context, attempts: &attempts, status: &status) {
        case .answered(let response):
            guard (200..<300).contains(response.status) else {
                // A 409 means "this state cannot be edited" here, a refusal like any other 4xx.
                let kind: ErrorKind = .rejected
                let detail = response.status == 404 ? "assessment \(id) does not exist or was deleted" : "cannot read assessment \(id)"
                return .failed(kind, "\(detail) (HTTP \(response.status)\(serverMessage(response).map { ": \($0)" } ?? ""))", httpStatus: response.status)
            }
            guard let parsed = response.body.withUnsafeBytes(LiveAssessment.init(answer:)) else {
                return .failed(.rejected, "GET assessment \(id) did not return an assessment object", httpStatus: response.status)
            }
            live = parsed
        case .exhausted(let message, let lastStatus):
            return .failed(.transient, "preflight GET: \(message)", httpStatus: lastStatus)
        case .unauthorized, .stopped:
            return nil
        }
        var scorecard: Scorecard?
        if let scorecardId = live.scorecardId {
            switch scorecards.scorecard(scorecardId, fetch: {
                var attempts = 0
                var status: Int?
                return get("/quality/scorecard/\(scorecardId)", runner: runner, context: context, attempts: &attempts, status: &status)
            }) {
            case .found(let found): scorecard = found
            case .failed(let kind, let message): return .failed(kind, message, httpStatus: nil)
            case .stopped: return nil
            }
        }
        seen = PreflightSeen(live: live, scorecard: scorecard)
        return PreflightDecision.decide(update, live: live, scorecard: scorecard, options: options)
    }

    private static func patch(_ update: AssessmentUpdate, runner: RequestRunner, context: RunContext) -> AssessmentOutcome {
        var outcome = AssessmentOutcome(assessmentId: update.assessmentId, sources: update.sources, status: .failed)
        var body: [UInt8] = []
        update.appendPatchBody(to: &body)
        let request = HTTPRequest(method: "PATCH", url: context.configuration.url("/quality/assessment/\(update.assessmentId)"),
                                  headers: context.patchHeaders, body: body)
        var attempts = 0
        var lastStatus: Int?
        let result = runner.send(request, attempts: &attempts, lastStatus: &lastStatus)
        outcome.attempts = attempts
        outcome.httpStatus = lastStatus
        switch result {
        case .answered(let response) where (200..<300).contains(response.status):
            guard let live = response.body.withUnsafeBytes(LiveAssessment.init(answer:)) else {
                outcome.errorKind = .mismatch
                outcome.error = "HTTP \(response.status) but the answer is not an assessment object"
                return outcome
            }
            let differences = live.differences(from: update)
            if differences.isEmpty {
                outcome.status = .applied
            } else {
                outcome.errorKind = .mismatch
                outcome.error = differences.joined(separator: "; ")
            }
        case .answered(let response):
            // Permanent: a 409 (a state that cannot be edited) is refused like any other 4xx.
            outcome.errorKind = .rejected
            outcome.error = "HTTP \(response.status)\(serverMessage(response).map { ": \($0)" } ?? "")"
        case .exhausted(let message, _):
            outcome.errorKind = .transient
            outcome.error = message
        case .unauthorized:
            outcome.status = .notAttempted
            outcome.errorKind = .notAttempted
            outcome.error = "not applied: the server rejected the token (HTTP 401)"
        case .stopped(let lastError):
            guard outcome.attempts > 0 else { return .notAttempted(update, stoppedBy: context.control) }
            // It may or may not have been written; the failures file retries it (PATCH is idempotent).
            let reason = context.control.abortReason?.description ?? "the run stopped"
            outcome.errorKind = .transient
            outcome.error = "unfinished: \(reason)\(lastError.map { " (last: \($0))" } ?? "")"
        }
        return outcome
    }
}

/// Scorecard revisions fetched once per run: the first worker to need one fetches it, the
/// others wait for that answer.
final class ScorecardCache: Sendable {
    enum Lookup: Sendable {
        case found(Scorecard)
        case failed(ErrorKind, String)
        case stopped
    }

    private final class Slot: Sendable {
        let done = DispatchGroup()
        let value = Mutex<Lookup?>(nil)
        init() { done.enter() }
    }

    private let slots = Mutex<[Int: Slot]>([:])

    func scorecard(_ id: Int, fetch: () -> SendResult) -> Lookup {
        let (slot, isFirst) = slots.withLock { slots -> (Slot, Bool) in
            if let slot = slots[id] { return (slot, false) }
            let slot = Slot()
            slots[id] = slot
            return (slot, true)
        }
        if !isFirst {
            slot.done.wait()
            return slot.value.withLock { $0 } ?? .stopped
        }
        let lookup: Lookup
        switch fetch() {
        case .answered(let response) where (200..<300).contains(response.status):
            let parsed = response.body.withUnsafeBytes { try? JSONParser.parse($0, maxDepth: 64, maxStringBytes: 16 << 20) }
            if let parsed, let scorecard = try? Scorecard(json: parsed) {
                lookup = .found(scorecard)
            } else {
                lookup = .failed(.rejected, "GET scorecard \(id) did not return a scorecard object")
            }
        case .answered(let response):
            lookup = .failed(.rejected, "cannot read scorecard \(id) (HTTP \(response.status))")
        case .exhausted(let message, _):
            lookup = .failed(.transient, "preflight GET scorecard \(id): \(message)")
        case .unauthorized, .stopped:
            lookup = .stopped
        }
        slot.value.withLock { $0 = lookup }
        slot.done.leave()
        return lookup
    }
}
