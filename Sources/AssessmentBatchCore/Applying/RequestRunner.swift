import CurlHTTP
import Foundation
import Logging
import SharedSupport
import Synchronization

/// What every worker of a run shares: configuration, the stop switches, the request budget
/// and the statistics.
final class RunContext: Sendable {
    let configuration: ServerConfiguration
    let logger: Logger
    let control: RunControl
    let pacer: RequestPacer
    let statistics: HTTPStatistics
    /// Monotonic time of the last HTTP answer of any status.
    let lastAnswer: Mutex<Double>
    /// Whether any request of the run got an HTTP answer: until one does, refused connections
    /// mean the server is not there at all.
    let everAnswered = Atomic<Bool>(false)
    let seed: UInt64
    /// Request headers of every GET: the token goes only in `Authorization`.
    let getHeaders: [(name: String, value: String)]
    /// Request headers of every PATCH.
    let patchHeaders: [(name: String, value: String)]

    init(configuration: ServerConfiguration, logger: Logger, control: RunControl, statistics: HTTPStatistics) {
        self.configuration = configuration
        self.logger = logger
        self.control = control
        self.statistics = statistics
        pacer = RequestPacer(maxPerSecond: configuration.maxRequestsPerSecond)
        lastAnswer = Mutex(monotonicSeconds())
        seed = UInt64(truncatingIfNeeded: Int64(Date().timeIntervalSince1970 * 1e6))
        getHeaders = [
            (name: "Authorization", value: "Bearer \(configuration.token)"),
            (name: "Accept", value: "application/json"),
        ]
        patchHeaders = getHeaders + [(name: "Content-Type", value: "application/json")]
    }
}

/// The end of trying one request.
public enum SendResult: Sendable {
    /// A final answer: 2xx, or a status that retrying cannot change (not 401).
    case answered(HTTPResponse)
    /// Retries ran out on transport errors or retryable statuses; the message says why.
    case exhausted(String, lastStatus: Int?)
    /// The server rejected the token; the run is stopping.
    case unauthorized
    /// The run stopped before an answer came.
    case stopped(lastError: String?)
}

/// One worker's sender: its transport plus the retry loop.
///
/// Not `Sendable`: it lives on its worker's thread, like the transport it owns.
final class RequestRunner {
    /// Connect failures in a row, before any answer of the run, after which the server counts
    /// as not there: a few, so one refused connection during a restart does not end a run.
    static let connectFailuresBeforeUnreachable = 3

    private let context: RunContext
    private let transport: any HTTPTransport
    private var random: SplitMix64

    init?(context: RunContext, workerIndex: Int) {
        do {
            transport = try context.configuration.transportFactory.makeTransport(cancellation: context.control.abortTransfers)
        } catch {
            context.logger.error("cannot start a connection: \(error)")
            context.control.abort(.transportFailure(error.message), abortTransfers: false)
            return nil
        }
        self.context = context
        random = SplitMix64(seed: context.seed &+ UInt64(workerIndex) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Sends `request` until it gets a final answer, retrying timeouts, dropped connections,
    /// 408, 425, 429 and 5xx with exponential backoff and full jitter (or `Retry-After`).
    ///
    /// A PATCH is safe to repeat: it sets absolute values.
    func send(_ request: HTTPRequest, attempts: inout Int, lastStatus: inout Int?) -> SendResult {
        let control = context.control
        let policy = context.configuration.retry
        var lastError: String?
        var connectFailures = 0
        while true {
            if control.abortTransfers.isCancelled || (control.stop.isCancelled && attempts > 0) {
                return .stopped(lastError: lastError)
            }
            let wait = context.pacer.reserve()
            if wait > 0 && !sleep(wait) { return .stopped(lastError: lastError) }
            attempts += 1
            let started = monotonicSeconds()
            let delay: Double
            do {
                let response = try transport.perform(request)
                let now = monotonicSeconds()
                context.lastAnswer.withLock { $0 = now }
                context.everAnswered.store(true, ordering: .relaxed)
                context.statistics.record(status: response.status, milliseconds: (now - started) * 1000,
                                          retry: attempts > 1, newConnections: response.newConnections)
                lastStatus = response.status
                context.pacer.record(status: response.status, now: now)  // learns the server's rate from its 429s
                if response.status == 401 {
                    control.abort(.authenticationRejected, abortTransfers: true)
                    return .unauthorized
                }
                guard RetryPolicy.retryableStatuses.contains(response.status) else { return .answered(response) }
                lastError = response.statusAndMessage
                let retryAfter = policy.retryAfter(response.header("Retry-After"))
                delay = retryAfter ?? policy.backoff(afterAttempt: attempts, random: &random)
                // A rate limit holds the whole pool back, not just this worker.
                if response.status == 429 || retryAfter != nil { context.pacer.pauseAll(for: delay) }
            } catch {
                context.statistics.record(status: nil, milliseconds: (monotonicSeconds() - started) * 1000,
                                          retry: attempts > 1, newConnections: 0)
                lastError = error.message
                switch error.kind {
                case .cancelled:
                    return .stopped(lastError: lastError)
                case .fatal:
                    // A TLS verification failure or a refused redirect fails every request alike.
                    control.abort(error.isRefusedRedirect ? .redirectRefused(error.message) : .transportFailure(error.message),
                                  abortTransfers: true)
                    return .stopped(lastError: lastError)
                case .transient:
                    break
                }
                if error.isConnectFailure && !context.everAnswered.load(ordering: .relaxed) {
                    connectFailures += 1
                    // Also when the attempts run out first (--max-attempts below the count).
                    if connectFailures >= Self.connectFailuresBeforeUnreachable || attempts >= policy.maxAttempts {
                        control.abort(.unreachable(error.message), abortTransfers: true)
                        return .stopped(lastError: lastError)
                    }
                }
                let silence = monotonicSeconds() - context.lastAnswer.withLock { $0 }
                if silence >= context.configuration.giveUpAfterSeconds {
                    control.abort(.serverUnreachable(seconds: Int(silence), lastError: error.message), abortTransfers: true)
                    return .stopped(lastError: lastError)
                }
                delay = policy.backoff(afterAttempt: attempts, random: &random)
            }
            let message = "\(lastError ?? "failed") after \(attempts) attempt\(attempts == 1 ? "" : "s")"
            if attempts >= policy.maxAttempts { return .exhausted(message, lastStatus: lastStatus) }
            context.logger.debug("retrying \(request.method) \(request.url) in \(String(format: "%.2f", delay)) s: \(message)")
            if !sleep(delay) { return .stopped(lastError: lastError) }
        }
    }

    /// Sleeps up to `seconds`, waking early when the run stops; false when it stopped.
    private func sleep(_ seconds: Double) -> Bool {
        let deadline = monotonicSeconds() + seconds
        while true {
            if context.control.stop.isCancelled { return false }
            let left = deadline - monotonicSeconds()
            if left <= 0 { return true }
            usleep(useconds_t(min(left, 0.05) * 1_000_000))
        }
    }
}
