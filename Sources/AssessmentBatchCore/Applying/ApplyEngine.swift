import CurlHTTP
import Foundation
import Logging
import Synchronization

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
    /// Shared by preflight and write, so each worker keeps its connection from one to the other.
    private let client: EnneoClient

    public init(configuration: ServerConfiguration, logger: Logger, control: RunControl) {
        client = EnneoClient(configuration: configuration, logger: logger, control: control)
    }

    /// Request counts and latencies so far.
    public var statistics: HTTPStatistics.Snapshot { client.statistics }

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
        let client = client
        client.run(count: updates.count) { index, runner in
            var seen: PreflightSeen?
            guard let verdict = Self.inspect(updates[index], runner: runner, client: client, scorecards: scorecards, options: options,
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
        let client = client
        let control = client.control
        client.run(count: updates.count) { index, runner in
            let outcome: AssessmentOutcome
            do {
                if !updates[index].setsAnything {
                    // An exported sheet's unedited assessment (with --no-preflight): an empty PATCH would only re-stamp it.
                    outcome = AssessmentOutcome(assessmentId: updates[index].assessmentId, sources: updates[index].sources, status: .unchanged)
                } else {
                    try beforeSending(index)
                    outcome = Self.patch(updates[index], runner: runner, client: client)
                }
            } catch {
                control.abort(.localFailure("\(error)"), abortTransfers: false)
                outcome = .notAttempted(updates[index], "not sent: \(error)")
            }
            results.withLock {
                $0.outcomes[index] = outcome
                $0.reached[index] = true
            }
            onOutcome(index, outcome)
        }
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
        client.checkAPIRootBeforeRun()
    }

    // MARK: - One assessment

    /// nil when the run stopped before a decision.
    private static func inspect(_ update: AssessmentUpdate, runner: RequestRunner, client: EnneoClient,
                                scorecards: ScorecardCache, options: PreflightOptions, seen: inout PreflightSeen?) -> PreflightVerdict? {
        // Nothing to send (an exported sheet's unedited assessment): no GET needed.
        if !update.setsAnything { return .unchanged }
        var attempts = 0
        var status: Int?
        let id = update.assessmentId
        let live: LiveAssessment
        switch client.get(EnneoClient.assessmentPath(id), on: runner, attempts: &attempts, status: &status) {
        case .answered(let response):
            guard (200..<300).contains(response.status) else {
                // A 409 means "this state cannot be edited" here, a refusal like any other 4xx.
                let kind: ErrorKind = .rejected
                let detail = response.status == 404 ? "assessment \(id) does not exist or was deleted" : "cannot read assessment \(id)"
                return .failed(kind, "\(detail) (\(response.statusAndMessage))", httpStatus: response.status)
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
            switch scorecards.scorecard(scorecardId, fetch: { client.get(EnneoClient.scorecardPath(scorecardId), on: runner) }) {
            case .found(let found): scorecard = found
            case .failed(let kind, let message): return .failed(kind, message, httpStatus: nil)
            case .stopped: return nil
            }
        }
        seen = PreflightSeen(live: live, scorecard: scorecard)
        return PreflightDecision.decide(update, live: live, scorecard: scorecard, options: options)
    }

    private static func patch(_ update: AssessmentUpdate, runner: RequestRunner, client: EnneoClient) -> AssessmentOutcome {
        var outcome = AssessmentOutcome(assessmentId: update.assessmentId, sources: update.sources, status: .failed)
        var body: [UInt8] = []
        update.appendPatchBody(to: &body)
        var attempts = 0
        var lastStatus: Int?
        let result = client.patchAssessment(update.assessmentId, body: body, on: runner, attempts: &attempts, status: &lastStatus)
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
            outcome.error = response.statusAndMessage
        case .exhausted(let message, _):
            outcome.errorKind = .transient
            outcome.error = message
        case .unauthorized:
            outcome.status = .notAttempted
            outcome.errorKind = .notAttempted
            outcome.error = "not applied: the server rejected the token (HTTP 401)"
        case .stopped(let lastError):
            guard outcome.attempts > 0 else { return .notAttempted(update, stoppedBy: client.control) }
            // It may or may not have been written; the failures file retries it (PATCH is idempotent).
            let reason = client.control.abortReason?.description ?? "the run stopped"
            outcome.errorKind = .transient
            outcome.error = "unfinished: \(reason)\(lastError.map { " (last: \($0))" } ?? "")"
        }
        return outcome
    }
}
