import SharedSupport
import Foundation
import Testing
@testable import AssessmentBatchCore

/// The time line and latency histogram behind report.html's charts.
struct HTTPStatisticsTimelineTests {
    @Test func requestsLandInTheirSecondAndLatencyBucket() {
        let statistics = HTTPStatistics()
        let start = monotonicSeconds()
        statistics.record(status: 200, milliseconds: 0.5, retry: false, newConnections: 1, now: start)
        statistics.record(status: 429, milliseconds: 7, retry: false, newConnections: 0, now: start + 2.2)
        statistics.record(status: 200, milliseconds: 70_000, retry: true, newConnections: 0, now: start + 2.9)
        let snapshot = statistics.snapshot
        #expect(snapshot.timeline == [HTTPStatistics.Second(requests: 1), HTTPStatistics.Second(),
                                      HTTPStatistics.Second(requests: 2, retries: 1, rateLimited: 1)])
        var histogram = Array(repeating: 0, count: HTTPStatistics.latencyBucketBounds.count + 1)
        histogram[0] = 1  // ≤ 1 ms
        histogram[3] = 1  // 5 < 7 ≤ 10 ms
        histogram[HTTPStatistics.latencyBucketBounds.count] = 1  // over a minute
        #expect(snapshot.latencyHistogram == histogram)
    }
}
