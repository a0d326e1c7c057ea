import Foundation
import Testing

@testable import AssessmentSimulator

/// Milliseconds since the epoch of an RFC 3339 string (fails the test when unparsable).
func instant(_ text: String?) -> Int64 {
    guard let text, let date = SimDate.parseRFC3339(text) else {
        Issue.record("not an RFC 3339 date: \(String(describing: text))")
        return 0
    }
    return date.seconds * 1000 + Int64(date.nanos / 1_000_000)
}
