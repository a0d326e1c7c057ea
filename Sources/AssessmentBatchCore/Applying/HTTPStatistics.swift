import SharedSupport
import Synchronization

/// Request counts and latencies over a run, shared by all workers.
public final class HTTPStatistics: Sendable {
    /// What happened in one second of the run (for report.html's time line).
    public struct Second: Sendable, Equatable {
        /// Requests that ended (answered or failed in transport) in this second.
        public var requests = 0
        /// Of those, repeated attempts.
        public var retries = 0
        /// Of those, 429 answers.
        public var rateLimited = 0

        public init(requests: Int = 0, retries: Int = 0, rateLimited: Int = 0) {
            self.requests = requests
            self.retries = retries
            self.rateLimited = rateLimited
        }
    }

    /// Upper bounds (milliseconds) of the latency histogram's buckets; the last bucket holds
    /// everything slower. Roughly ×2 steps from 1 ms to a minute: few enough to draw, fine
    /// enough to tell a 20 ms API from a 200 ms one.
    public static let latencyBucketBounds: [Double] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000]

    /// A copy of the figures at one moment.
    public struct Snapshot: Sendable {
        public var requests = 0
        public var retries = 0
        /// Status code (or `transport` for transfers without a response) → count.
        public var statusCounts: [String: Int] = [:]
        public var newConnections = 0
        /// Request latencies in milliseconds.
        public var latencies: [Double] = []
        /// Requests per second of the run, from the first request's second on.
        public var timeline: [Second] = []
        /// Requests per latency bucket (`latencyBucketBounds`, plus one for slower ones).
        public var latencyHistogram: [Int] = Array(repeating: 0, count: HTTPStatistics.latencyBucketBounds.count + 1)

        public init() {}

        /// The latencies below which each of `fractions` of requests finished (nearest rank),
        /// nil when no request was made; the latencies are sorted once.
        public func latencyPercentiles(_ fractions: [Double]) -> [Double?] {
            guard !latencies.isEmpty else { return fractions.map { _ in nil } }
            let sorted = latencies.sorted()
            return fractions.map { fraction in
                let rank = Int((fraction * Double(sorted.count)).rounded(.up))
                return sorted[min(sorted.count - 1, max(0, rank - 1))]
            }
        }
    }

    /// The figures with status counts by number (nil: no response), spelled only for snapshots.
    private struct State {
        var figures = Snapshot()
        var statusCounts: [Int?: Int] = [:]
    }

    private let state = Mutex(State())
    /// When the statistics started: second 0 of the time line.
    private let origin: Double

    public init() {
        origin = monotonicSeconds()
    }

    /// Called per request from the workers under the lock: a few additions and at most one
    /// append per second of the run, so the time line and histogram cost next to nothing.
    func record(status: Int?, milliseconds: Double, retry: Bool, newConnections: Int, now: Double = monotonicSeconds()) {
        let second = max(0, Int(now - origin))
        var bucket = 0
        while bucket < Self.latencyBucketBounds.count && milliseconds > Self.latencyBucketBounds[bucket] { bucket += 1 }
        state.withLock { state in
            state.figures.requests += 1
            if retry { state.figures.retries += 1 }
            state.statusCounts[status, default: 0] += 1
            state.figures.newConnections += newConnections
            state.figures.latencies.append(milliseconds)
            state.figures.latencyHistogram[bucket] += 1
            if state.figures.timeline.count <= second {
                state.figures.timeline.append(contentsOf: repeatElement(Second(), count: second + 1 - state.figures.timeline.count))
            }
            state.figures.timeline[second].requests += 1
            if retry { state.figures.timeline[second].retries += 1 }
            if status == 429 { state.figures.timeline[second].rateLimited += 1 }
        }
    }

    public var snapshot: Snapshot {
        state.withLock { state in
            var snapshot = state.figures
            for (status, count) in state.statusCounts { snapshot.statusCounts[status.map(String.init) ?? "transport"] = count }
            return snapshot
        }
    }
}
