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
    public var transport: TransportOptions

    public init(baseURL: String, token: String, concurrency: Int = 8, maxRequestsPerSecond: Double? = nil,
                retry: RetryPolicy = RetryPolicy(), giveUpAfterSeconds: Double = 60, transport: TransportOptions = TransportOptions()) {
        self.baseURL = baseURL
        self.token = token
        self.concurrency = concurrency
        self.maxRequestsPerSecond = maxRequestsPerSecond
        self.retry = retry
        self.giveUpAfterSeconds = giveUpAfterSeconds
        self.transport = transport
    }

    /// The URL of one assessment.
    func assessmentURL(_ id: Int) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return "\(base)/quality/assessment/\(id)"
    }
}

/// Stops a run from outside: `stop` ends the taking of new work, `abortTransfers` also
/// aborts requests in flight.
public final class RunControl: Sendable {
    /// Raised to stop taking work (first signal).
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

/// The result of sending a batch.
public struct ApplyResult: Sendable {
    /// One outcome per update, in the order given.
    public var outcomes: [AssessmentOutcome]
    public var statistics: HTTPStatistics.Snapshot
    public var abortReason: AbortReason?
}

/// Sends one PATCH per assessment from a fixed pool of worker threads.
///
/// Each worker is a real thread that owns one libcurl easy handle for its whole life, so
/// connections are reused and `--concurrency` transfers really run at once (a semaphore
/// over Dispatch's global pool or `concurrentPerform` would not: ENGINEERING-NOTES §3).
public struct ApplyEngine: Sendable {
    public var configuration: ApplyConfiguration
    public var logger: Logger

    public init(configuration: ApplyConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Sends every update and waits for all workers to finish.
    ///
    /// - Parameters:
    ///   - control: lets a signal handler stop the run; the engine also uses it to stop on a
    ///     401 or an unreachable server.
    ///   - onOutcome: called from worker threads as each assessment finishes.
    public func run(_ updates: [AssessmentUpdate], control: RunControl,
                    onOutcome: @escaping @Sendable (Int, AssessmentOutcome) -> Void = { _, _ in }) -> ApplyResult {
        let shared = SharedRunState(count: updates.count, configuration: configuration)
        let statistics = HTTPStatistics()
        let group = DispatchGroup()
        let workers = max(1, min(configuration.concurrency, updates.count))
        let bodies = updates.map { JSONWriter.string($0.patchBody) }
        let seed = UInt64(truncatingIfNeeded: Int64(Date().timeIntervalSince1970 * 1e6))
        for workerIndex in 0..<workers {
            group.enter()
            let worker = Worker(configuration: configuration, logger: logger, control: control, shared: shared,
                                statistics: statistics, seed: seed &+ UInt64(workerIndex) &* 0x9E37_79B9_7F4A_7C15)
            let thread = Thread {
                defer { group.leave() }
                worker.run(updates: updates, bodies: bodies, onOutcome: onOutcome)
            }
            thread.name = "apply-worker-\(workerIndex)"
            thread.start()
        }
        group.wait()
        let outcomes = shared.results.withLock { $0 }.enumerated().map { index, outcome in
            outcome ?? AssessmentOutcome(assessmentId: updates[index].assessmentId, sources: updates[index].sources,
                                         status: .notAttempted, errorKind: .notAttempted,
                                         error: "not attempted: \(control.abortReason?.description ?? "the run stopped")")
        }
        return ApplyResult(outcomes: outcomes, statistics: statistics.snapshot, abortReason: control.abortReason)
    }
}

/// State every worker reads and writes.
private final class SharedRunState: Sendable {
    let cursor = Atomic<Int>(0)
    let count: Int
    let results: Mutex<[AssessmentOutcome?]>
    let pacer: RequestPacer
    /// Monotonic time of the last HTTP answer of any status.
    let lastAnswer: Mutex<Double>

    init(count: Int, configuration: ApplyConfiguration) {
        self.count = count
        self.results = Mutex([AssessmentOutcome?](repeating: nil, count: count))
        self.pacer = RequestPacer(maxPerSecond: configuration.maxRequestsPerSecond)
        self.lastAnswer = Mutex(monotonicSeconds())
    }

    /// Hands out each index once.
    func next() -> Int? {
        let index = cursor.wrappingAdd(1, ordering: .relaxed).oldValue
        return index < count ? index : nil
    }
}

/// One worker thread's loop; owns its easy handle.
private struct Worker: Sendable {
    let configuration: ApplyConfiguration
    let logger: Logger
    let control: RunControl
    let shared: SharedRunState
    let statistics: HTTPStatistics
    let seed: UInt64

    func run(updates: [AssessmentUpdate], bodies: [String], onOutcome: @Sendable (Int, AssessmentOutcome) -> Void) {
        let easy: CurlEasy
        do {
            easy = try CurlEasy(options: configuration.transport, cancellation: control.abortTransfers)
        } catch {
            logger.error("cannot create a libcurl handle: \(error)")
            control.abort(.serverUnreachable(seconds: 0, lastError: "\(error)"), abortTransfers: false)
            return
        }
        var random = SplitMix64(seed: seed)
        while !control.stop.isCancelled, let index = shared.next() {
            let outcome = send(updates[index], body: bodies[index], easy: easy, random: &random)
            shared.results.withLock { $0[index] = outcome }
            onOutcome(index, outcome)
        }
    }

    private func send(_ update: AssessmentUpdate, body: String, easy: CurlEasy, random: inout SplitMix64) -> AssessmentOutcome {
        var outcome = AssessmentOutcome(assessmentId: update.assessmentId, sources: update.sources, status: .failed)
        let request = HTTPRequest(
            method: "PATCH", url: configuration.assessmentURL(update.assessmentId),
            headers: [
                (name: "Authorization", value: "Bearer \(configuration.token)"),
                (name: "Content-Type", value: "application/json"),
                (name: "Accept", value: "application/json"),
            ],
            body: Array(body.utf8))
        while true {
            if control.stop.isCancelled && outcome.attempts > 0 || control.abortTransfers.isCancelled {
                return stopped(outcome)
            }
            let wait = shared.pacer.reserve()
            if wait > 0 && !sleep(wait) { return stopped(outcome) }
            outcome.attempts += 1
            let started = monotonicSeconds()
            let retryDelay: Double
            do {
                let response = try easy.perform(request)
                let now = monotonicSeconds()
                shared.lastAnswer.withLock { $0 = now }
                statistics.record(status: response.status, milliseconds: (now - started) * 1000, retry: outcome.attempts > 1,
                                  newConnections: response.newConnections)
                outcome.httpStatus = response.status
                switch response.status {
                case 200..<300:
                    return verified(outcome, update: update, response: response)
                case 401:
                    control.abort(.authenticationRejected, abortTransfers: true)
                    outcome.status = .notAttempted
                    outcome.errorKind = .notAttempted
                    outcome.error = "not applied: the server rejected the token (HTTP 401)"
                    return outcome
                case let status where RetryPolicy.retryableStatuses.contains(status):
                    outcome.errorKind = .transient
                    outcome.error = "HTTP \(status)\(serverMessage(response).map { ": \($0)" } ?? "") after \(outcome.attempts) attempt\(outcome.attempts == 1 ? "" : "s")"
                    let retryAfter = configuration.retry.retryAfter(response.header("Retry-After"))
                    if status == 429 || status == 503, let retryAfter { shared.pacer.pauseAll(for: retryAfter) }
                    retryDelay = retryAfter ?? configuration.retry.backoff(afterAttempt: outcome.attempts, random: &random)
                default:
                    outcome.errorKind = .rejected
                    outcome.error = "HTTP \(response.status)\(serverMessage(response).map { ": \($0)" } ?? "")"
                    return outcome
                }
            } catch {
                statistics.record(status: nil, milliseconds: (monotonicSeconds() - started) * 1000, retry: outcome.attempts > 1, newConnections: 0)
                if error.isCancelled { return stopped(outcome) }
                outcome.errorKind = .transient
                outcome.error = "\(error.detail) after \(outcome.attempts) attempt\(outcome.attempts == 1 ? "" : "s")"
                let silence = monotonicSeconds() - shared.lastAnswer.withLock { $0 }
                if silence >= configuration.giveUpAfterSeconds {
                    control.abort(.serverUnreachable(seconds: Int(silence), lastError: error.detail), abortTransfers: true)
                    return outcome
                }
                retryDelay = configuration.retry.backoff(afterAttempt: outcome.attempts, random: &random)
            }
            if outcome.attempts >= configuration.retry.maxAttempts { return outcome }
            logger.debug("retrying assessment \(update.assessmentId) in \(String(format: "%.2f", retryDelay)) s: \(outcome.error ?? "")")
            if !sleep(retryDelay) { return stopped(outcome) }
        }
    }

    /// Checks that a 2xx answer holds what was sent.
    private func verified(_ outcome: AssessmentOutcome, update: AssessmentUpdate, response: HTTPResponse) -> AssessmentOutcome {
        var outcome = outcome
        let live = response.body.withUnsafeBytes { bytes in
            (try? JSONParser.parse(bytes, maxDepth: 64, maxStringBytes: 16 << 20)).flatMap(LiveAssessment.init(json:))
        }
        guard let live else {
            outcome.errorKind = .mismatch
            outcome.error = "HTTP \(response.status) but the answer is not an assessment object"
            return outcome
        }
        let differences = live.differences(from: update)
        guard differences.isEmpty else {
            outcome.errorKind = .mismatch
            outcome.error = differences.joined(separator: "; ")
            return outcome
        }
        outcome.status = .applied
        outcome.errorKind = nil
        outcome.error = nil
        return outcome
    }

    /// An assessment the run stopped for while it was being tried: it may or may not have
    /// been written, so it is retried by the failures file (PATCH sets absolute values).
    private func stopped(_ outcome: AssessmentOutcome) -> AssessmentOutcome {
        var outcome = outcome
        let reason = control.abortReason?.description ?? "the run stopped"
        if outcome.attempts == 0 {
            outcome.status = .notAttempted
            outcome.errorKind = .notAttempted
            outcome.error = "not attempted: \(reason)"
        } else {
            outcome.status = .failed
            outcome.errorKind = .transient
            outcome.error = "unfinished: \(reason)\(outcome.error.map { " (last: \($0))" } ?? "")"
        }
        return outcome
    }

    /// Sleeps up to `seconds`, waking early when the run stops; false when it stopped.
    private func sleep(_ seconds: Double) -> Bool {
        let deadline = monotonicSeconds() + seconds
        while true {
            if control.stop.isCancelled { return false }
            let left = deadline - monotonicSeconds()
            if left <= 0 { return true }
            usleep(useconds_t(min(left, 0.05) * 1_000_000))
        }
    }

    /// The server's error message: `error` or `message` of a JSON body, else the start of the body.
    private func serverMessage(_ response: HTTPResponse) -> String? {
        guard !response.body.isEmpty else { return nil }
        let parsed = response.body.withUnsafeBytes { try? JSONParser.parse($0) }
        if let object = parsed?.objectValue, let message = object["error"]?.stringValue ?? object["message"]?.stringValue {
            return message
        }
        let text = String(decoding: response.body.prefix(300), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ").trimmingWhitespace()
        return text.isEmpty ? nil : text
    }
}

/// A small, fast, seedable generator for backoff jitter.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
