@testable import AssessmentBatchCommands
import Foundation
import Logging
import StrictJSON
import Synchronization
import Testing

/// The progress line's text and ETA.
struct ProgressLineTests {
    @Test func etaFollowsTheRate() {
        #expect(ProgressLine.eta(done: 0, total: 10, rate: 0) == nil)
        #expect(ProgressLine.eta(done: 10, total: 10, rate: 5) == nil)
        #expect(ProgressLine.eta(done: 20, total: 100, rate: 4) == 20)
        #expect(ProgressLine.text(phase: "apply", done: 20, total: 100, failed: 1, rate: 4, eta: 20)
            == "apply: 20/100 (20%), 1 failed, 4/s, ETA 0:20")
        #expect(ProgressLine.text(phase: "preflight", done: 1, total: 50_000, failed: 0, rate: 2.5, eta: 19_999.6)
            == "preflight: 1/50000 (0%), 0 failed, 2/s, ETA 5:33:20")
        #expect(ProgressLine.text(phase: "apply", done: 4, total: 4, failed: 0, rate: 8, eta: nil) == "apply: 4/4 (100%), 0 failed, 8/s")
    }
}
