import SharedSupport
import Foundation
import Testing
@testable import AssessmentBatchCore

struct HTTPStatisticsTests {
    @Test func snapshotCountsStatusesByTheirText() {
        let statistics = HTTPStatistics()
        statistics.record(status: 200, milliseconds: 2, retry: false, newConnections: 1)
        statistics.record(status: 503, milliseconds: 30, retry: false, newConnections: 0)
        statistics.record(status: nil, milliseconds: 1000, retry: true, newConnections: 1)
        statistics.record(status: 200, milliseconds: 4, retry: true, newConnections: 0)
        let snapshot = statistics.snapshot
        #expect(snapshot.statusCounts == ["200": 2, "503": 1, "transport": 1])
        #expect(snapshot.requests == 4)
        #expect(snapshot.retries == 2)
        #expect(snapshot.newConnections == 2)
        #expect(snapshot.latencies == [2, 30, 1000, 4])
    }
}
