import SharedSupport
import Foundation
import Testing
@testable import AssessmentBatchCore

struct RetryPolicyTests {
    @Test func retryAfterInSecondsAndAsHTTPDateIsCapped() {
        let policy = RetryPolicy(maxRetryAfter: 120)
        #expect(policy.retryAfter("3") == 3)
        #expect(policy.retryAfter(" 0 ") == 0)
        #expect(policy.retryAfter("86400") == 120)
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT
        #expect(policy.retryAfter("Tue, 14 Nov 2023 22:13:50 GMT", now: now) == 30)
        #expect(policy.retryAfter("Tue, 14 Nov 2023 22:00:00 GMT", now: now) == 0)
        #expect(policy.retryAfter("soon") == nil)
        #expect(policy.retryAfter(nil) == nil)
    }

    @Test func backoffIsFullJitterUnderADoublingCeiling() {
        let policy = RetryPolicy(baseDelay: 0.5, maxDelay: 30)
        var random = SplitMix64(seed: 1)
        for attempt in 1...10 {
            let ceiling = min(30, 0.5 * pow(2, Double(attempt - 1)))
            let delays = (0..<200).map { _ in policy.backoff(afterAttempt: attempt, random: &random) }
            #expect(delays.allSatisfy { $0 >= 0 && $0 <= ceiling })
            #expect(delays.max()! > ceiling * 0.8)
            #expect(delays.min()! < ceiling * 0.2)
        }
    }

    @Test func retryableStatusesAreExactlyTheSpecs() {
        #expect(RetryPolicy.retryableStatuses == [408, 425, 429, 500, 502, 503, 504])
    }
}
