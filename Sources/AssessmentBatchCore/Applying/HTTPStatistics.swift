import Synchronization

/// Request counts and latencies over a run, shared by all workers.
public final class HTTPStatistics: Sendable {
    /// A copy of the figures at one moment.
    public struct Snapshot: Sendable {
        public var requests = 0
        public var retries = 0
        /// Status code (or `transport` for transfers without a response) → count.
        public var statusCounts: [String: Int] = [:]
        public var newConnections = 0
        /// Request latencies in milliseconds.
        public var latencies: [Double] = []

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

    public init() {}

    func record(status: Int?, milliseconds: Double, retry: Bool, newConnections: Int) {
        state.withLock { state in
            state.figures.requests += 1
            if retry { state.figures.retries += 1 }
            state.statusCounts[status, default: 0] += 1
            state.figures.newConnections += newConnections
            state.figures.latencies.append(milliseconds)
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
