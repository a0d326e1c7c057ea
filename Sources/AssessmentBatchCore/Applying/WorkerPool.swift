import CurlHTTP
import Foundation
import Logging
import Synchronization

/// What every worker of a run shares: configuration, the stop switches, the request budget
/// and the statistics.
final class RunContext: Sendable {
    let configuration: ApplyConfiguration
    let logger: Logger
    let control: RunControl
    let pacer: RequestPacer
    let statistics: HTTPStatistics
    /// Monotonic time of the last HTTP answer of any status.
    let lastAnswer: Mutex<Double>
    let seed: UInt64

    init(configuration: ApplyConfiguration, logger: Logger, control: RunControl, statistics: HTTPStatistics) {
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

    /// Request headers of every GET: the token goes only in `Authorization`.
    let getHeaders: [(name: String, value: String)]
    /// Request headers of every PATCH.
    let patchHeaders: [(name: String, value: String)]
}

/// Worker threads that each own one libcurl handle (and so its connection) for the pool's
/// whole life and run phase after phase (preflight, then write): in each, they take item
/// indices from a shared cursor until the items run out or the run stops.
///
/// Real threads, not Dispatch's global pool: `concurrentPerform` caps at the CPU count and a
/// semaphore over a concurrent queue grows its threads slowly (ENGINEERING-NOTES §3), so
/// neither runs `concurrency` blocking transfers at once.
final class WorkerPool: Sendable {
    /// One call of `run`.
    private final class Phase: Sendable {
        let count: Int
        let body: @Sendable (Int, RequestRunner) -> Void
        let cursor = Atomic<Int>(0)
        let finished = DispatchGroup()

        init(count: Int, body: @escaping @Sendable (Int, RequestRunner) -> Void) {
            self.count = count
            self.body = body
        }
    }

    private let context: RunContext
    /// Each worker's wake-up: one signal per phase, and one to exit.
    private let wakeUps = Mutex<[DispatchSemaphore]>([])
    /// The phase being run; nil tells woken workers to exit.
    private let current = Mutex<Phase?>(nil)
    private let exited = DispatchGroup()

    init(context: RunContext) {
        self.context = context
    }

    /// Runs `body` for every index below `count` on up to `concurrency` workers (started
    /// when first needed) and returns when all are done or the run stopped.
    func run(count: Int, body: @escaping @Sendable (Int, RequestRunner) -> Void) {
        guard count > 0 else { return }
        let phase = Phase(count: count, body: body)
        current.withLock { $0 = phase }
        for wakeUp in startWorkers(upTo: max(1, min(context.configuration.concurrency, count))) {
            phase.finished.enter()
            wakeUp.signal()
        }
        phase.finished.wait()
    }

    /// Ends every worker, closing its connection, and waits for them.
    func shutDown() {
        current.withLock { $0 = nil }
        for wakeUp in wakeUps.withLock({ $0 }) { wakeUp.signal() }
        exited.wait()
    }

    /// Starts workers until there are `count`; returns every worker's wake-up.
    private func startWorkers(upTo count: Int) -> [DispatchSemaphore] {
        wakeUps.withLock { wakeUps in
            while wakeUps.count < count {
                let wakeUp = DispatchSemaphore(value: 0)
                let workerIndex = wakeUps.count
                wakeUps.append(wakeUp)
                exited.enter()
                let thread = Thread { [self] in
                    work(workerIndex: workerIndex, wakeUp: wakeUp)
                    exited.leave()
                }
                thread.name = "assessment-batch-worker-\(workerIndex)"
                thread.start()
            }
            return wakeUps
        }
    }

    private func work(workerIndex: Int, wakeUp: DispatchSemaphore) {
        // Created on this thread and never shared: libcurl handles are single-threaded.
        let runner = RequestRunner(context: context, workerIndex: workerIndex)
        while true {
            wakeUp.wait()
            guard let phase = current.withLock({ $0 }) else { return }
            if let runner {
                while !context.control.stop.isCancelled {
                    let index = phase.cursor.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard index < phase.count else { break }
                    phase.body(index, runner)
                }
            }
            phase.finished.leave()
        }
    }
}

/// The end of trying one request.
enum SendResult {
    /// A final answer: 2xx, or a status that retrying cannot change (not 401).
    case answered(HTTPResponse)
    /// Retries ran out on transport errors or retryable statuses; the message says why.
    case exhausted(String, lastStatus: Int?)
    /// The server rejected the token; the run is stopping.
    case unauthorized
    /// The run stopped before an answer came.
    case stopped(lastError: String?)
}

/// One worker's sender: its libcurl handle plus the retry loop.
final class RequestRunner {
    private let context: RunContext
    private let easy: CurlEasy
    private var random: SplitMix64

    init?(context: RunContext, workerIndex: Int) {
        do {
            easy = try CurlEasy(options: context.configuration.transport, cancellation: context.control.abortTransfers)
        } catch {
            context.logger.error("cannot create a libcurl handle: \(error)")
            context.control.abort(.serverUnreachable(seconds: 0, lastError: "\(error)"), abortTransfers: false)
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
                let response = try easy.perform(request)
                let now = monotonicSeconds()
                context.lastAnswer.withLock { $0 = now }
                context.statistics.record(status: response.status, milliseconds: (now - started) * 1000,
                                          retry: attempts > 1, newConnections: response.newConnections)
                lastStatus = response.status
                context.pacer.record(status: response.status, now: now)  // learns the server's rate from its 429s
                if response.status == 401 {
                    control.abort(.authenticationRejected, abortTransfers: true)
                    return .unauthorized
                }
                guard RetryPolicy.retryableStatuses.contains(response.status) else { return .answered(response) }
                lastError = "HTTP \(response.status)\(serverMessage(response).map { ": \($0)" } ?? "")"
                let retryAfter = policy.retryAfter(response.header("Retry-After"))
                delay = retryAfter ?? policy.backoff(afterAttempt: attempts, random: &random)
                // A rate limit holds the whole pool back, not just this worker.
                if response.status == 429 || retryAfter != nil { context.pacer.pauseAll(for: delay) }
            } catch {
                context.statistics.record(status: nil, milliseconds: (monotonicSeconds() - started) * 1000,
                                          retry: attempts > 1, newConnections: 0)
                if error.isCancelled { return .stopped(lastError: lastError) }
                lastError = error.detail
                if !error.isTransient {
                    // A bad URL, TLS verification failure or the like fails every request alike.
                    control.abort(.transportFailure(error.description), abortTransfers: true)
                    return .stopped(lastError: lastError)
                }
                let silence = monotonicSeconds() - context.lastAnswer.withLock { $0 }
                if silence >= context.configuration.giveUpAfterSeconds {
                    control.abort(.serverUnreachable(seconds: Int(silence), lastError: error.detail), abortTransfers: true)
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

/// The server's error message: `error` or `message` of a JSON body, else the start of the body.
func serverMessage(_ response: HTTPResponse) -> String? {
    guard !response.body.isEmpty else { return nil }
    let parsed = response.body.withUnsafeBytes { try? JSONParser.parse($0) }
    if let object = parsed?.objectValue, let message = object["error"]?.stringValue ?? object["message"]?.stringValue {
        return message
    }
    let text = String(decoding: response.body.prefix(300), as: UTF8.self)
        .replacingOccurrences(of: "\n", with: " ").trimmingWhitespace()
    return text.isEmpty ? nil : text
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
