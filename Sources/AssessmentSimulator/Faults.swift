import SharedSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fault injection settings. Faults apply to API paths only (never to `/__sim`).
public struct FaultSettings: Sendable, Equatable {
    /// Mean added latency in milliseconds; each request waits uniformly 0.5…1.5 × the mean.
    public var latencyMs: Double
    /// Fraction of API requests answered 500 or 503 (half each) before anything is applied.
    public var errorRate: Double
    /// Fraction of successful PATCHes that are applied and then answered 503.
    public var postApplyErrorRate: Double
    /// Fraction of API requests whose TCP connection is reset without an answer.
    public var resetRate: Double
    /// Token-bucket limit in requests per second (bucket size = max(1, rps)); over the limit the
    /// answer is 429 with `Retry-After: 1`. nil or ≤ 0 = no limit.
    public var rateLimitRPS: Double?
    /// After this many API requests every further API request is answered 401. nil = never.
    public var authFailAfter: Int?
    /// Seed of the fault PRNG.
    public var seed: UInt64

    public init(
        latencyMs: Double = 0, errorRate: Double = 0, postApplyErrorRate: Double = 0, resetRate: Double = 0,
        rateLimitRPS: Double? = nil, authFailAfter: Int? = nil, seed: UInt64 = 1
    ) {
        self.latencyMs = latencyMs
        self.errorRate = errorRate
        self.postApplyErrorRate = postApplyErrorRate
        self.resetRate = resetRate
        self.rateLimitRPS = rateLimitRPS
        self.authFailAfter = authFailAfter
        self.seed = seed
    }

    /// Checks ranges; returns a message for the first bad value.
    public func validationError() -> String? {
        if !(self.latencyMs >= 0 && self.latencyMs <= 60_000) { return "latency must be 0…60000 ms" }
        for (name, rate) in [("error-rate", self.errorRate), ("post-apply-error-rate", self.postApplyErrorRate), ("reset-rate", self.resetRate)]
        where !(rate >= 0 && rate <= 1) {
            return "\(name) must be between 0 and 1"
        }
        if let rps = self.rateLimitRPS, !(rps.isFinite && rps >= 0) { return "ratelimit-rps must be ≥ 0" }
        if let n = self.authFailAfter, n < 0 { return "auth-fail-after must be ≥ 0" }
        return nil
    }
}

/// What the fault layer decided for one API request.
struct FaultDecision: Sendable {
    enum Action: Sendable, Equatable {
        case proceed
        case authFailure
        case rateLimited
        case reset
        case serverError(Int)
    }
    var action: Action
    var latencyNanos: Int64
    /// For a PATCH that succeeds: answer 503 after applying it.
    var postApplyError: Bool
}

/// The fault layer: one PRNG stream and the counters, behind a lock.
///
/// Every API request, whatever its outcome, takes exactly five draws from the stream in arrival
/// order (latency jitter, reset, error, 500-or-503, post-apply), so the same request sequence
/// gives the same faults. Decision order: auth-fail-after (401), rate limit (429), reset,
/// error (500/503), then the request proper; latency is waited before any answer.
final class FaultInjector: Sendable {
    let settings: FaultSettings

    private struct State {
        var rng: SplitMix64
        var apiRequests = 0
        var latency = LatencyApplied()
        var tokens: Double
        var lastRefill: UInt64
    }

    private let state: Mutex<State>

    init(settings: FaultSettings) {
        self.settings = settings
        self.state = Mutex(State(rng: SplitMix64(seed: settings.seed), tokens: Self.capacity(settings), lastRefill: monotonicNanoseconds()))
    }

    private static func capacity(_ settings: FaultSettings) -> Double {
        max(1, settings.rateLimitRPS ?? 1)
    }

    /// Restores the PRNG, the request counter and a full token bucket.
    func reset() {
        self.state.withLock {
            $0 = State(rng: SplitMix64(seed: self.settings.seed), tokens: Self.capacity(self.settings), lastRefill: monotonicNanoseconds())
        }
    }

    /// API requests counted so far.
    var apiRequestCount: Int { self.state.withLock { $0.apiRequests } }

    /// The latency this layer added so far (since start or the last reset).
    var latencyApplied: LatencyApplied { self.state.withLock { $0.latency } }

    func decide() -> FaultDecision {
        let settings = self.settings
        let now = monotonicNanoseconds()
        return self.state.withLock { state in
            state.apiRequests += 1
            let jitter = state.rng.unit()
            let resetDraw = state.rng.unit()
            let errorDraw = state.rng.unit()
            let kindDraw = state.rng.unit()
            let postDraw = state.rng.unit()
            let latency = settings.latencyMs > 0 ? Int64(settings.latencyMs * (0.5 + jitter) * 1_000_000) : 0
            if latency > 0 { state.latency.add(latency) }
            var decision = FaultDecision(action: .proceed, latencyNanos: latency, postApplyError: postDraw < settings.postApplyErrorRate)
            if let limit = settings.authFailAfter, state.apiRequests > limit {
                decision.action = .authFailure
                return decision
            }
            if let rps = settings.rateLimitRPS, rps > 0 {
                let elapsed = Double(now &- state.lastRefill) / 1e9
                state.lastRefill = now
                state.tokens = min(Self.capacity(settings), state.tokens + elapsed * rps)
                if state.tokens >= 1 {
                    state.tokens -= 1
                } else {
                    decision.action = .rateLimited
                    return decision
                }
            }
            if resetDraw < settings.resetRate {
                decision.action = .reset
            } else if errorDraw < settings.errorRate {
                decision.action = .serverError(kindDraw < 0.5 ? 500 : 503)
            }
            return decision
        }
    }
}

/// Request statistics for `GET /__sim/stats`.
final class RequestStats: Sendable {
    struct Key: Hashable, Sendable {
        var method: String
        var path: String
        var status: Int
    }

    private struct State {
        var counts: [Key: Int] = [:]
        var patches: [Int: Int] = [:]
        var applied: [Int: Int] = [:]
        /// Bodies of the PATCHes received per assessment, once a test asked for them (nil: not kept).
        var patchBodies: [Int: [[UInt8]]]?
    }

    private let state = Mutex(State())
    /// Every answer, never reset: what tests wait for.
    let answers = AnswerCounter()

    func record(method: String, path: String, status: Int) {
        self.state.withLock { $0.counts[Key(method: method, path: path, status: status), default: 0] += 1 }
        self.answers.record()
    }

    func recordPatch(id: Int) {
        self.state.withLock { $0.patches[id, default: 0] += 1 }
    }

    /// Starts keeping every PATCH body (memory grows with the run: for tests).
    func keepPatchBodies() {
        self.state.withLock { if $0.patchBodies == nil { $0.patchBodies = [:] } }
    }

    func recordPatchBody(id: Int, body: [UInt8]) {
        self.state.withLock { $0.patchBodies?[id, default: []].append(body) }
    }

    func patchBodies(_ id: Int) -> [[UInt8]] { self.state.withLock { $0.patchBodies?[id] ?? [] } }

    func recordApplied(id: Int) {
        self.state.withLock { $0.applied[id, default: 0] += 1 }
    }

    func reset() {
        self.state.withLock { $0 = State(patchBodies: $0.patchBodies == nil ? nil : [:]) }
    }

    func patchCount(_ id: Int) -> Int { self.state.withLock { $0.patches[id] ?? 0 } }
    func appliedCount(_ id: Int) -> Int { self.state.withLock { $0.applied[id] ?? 0 } }

    func snapshot() -> (counts: [Key: Int], patches: [Int: Int], applied: [Int: Int]) {
        self.state.withLock { ($0.counts, $0.patches, $0.applied) }
    }
}
