/// The latency the fault layer added to API requests: what a test asserts instead of timing
/// requests, which a loaded machine stretches.
struct LatencyApplied: Sendable, Equatable {
    /// Requests delayed.
    var count = 0
    var totalNanos: Int64 = 0
    var minNanos: Int64 = .max
    var maxNanos: Int64 = 0

    mutating func add(_ nanos: Int64) {
        count += 1
        totalNanos += nanos
        minNanos = min(minNanos, nanos)
        maxNanos = max(maxNanos, nanos)
    }

    /// The mean delay in milliseconds; 0 when none was added.
    var meanMilliseconds: Double { count == 0 ? 0 : Double(totalNanos) / Double(count) / 1e6 }
}
