import Testing
@testable import AssessmentBatchCore

/// The shared limiter's arithmetic, on an injected clock (seconds passed as `now:`).
struct RequestPacerTests {
    /// 100 good answers spread over the second before `end`, then a 429 at `end`.
    private func learn(_ pacer: RequestPacer, goodPerSecond: Int = 100, end: Double = 10.95) {
        for index in 0..<goodPerSecond {
            pacer.record(status: 200, now: end - 0.95 + Double(index) * 0.95 / Double(goodPerSecond))
        }
        pacer.record(status: 429, now: end)
    }

    private func expectRate(_ pacer: RequestPacer, at now: Double, _ expected: Double, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let rate = pacer.currentRate(now: now)
        #expect(rate.map { abs($0 - expected) < 1e-6 } == true, "rate \(String(describing: rate)), expected \(expected)",
                sourceLocation: sourceLocation)
    }

    @Test func spacesRequestsAcrossAllCallers() {
        let pacer = RequestPacer(maxPerSecond: 10)
        let waits = (0..<5).map { _ in pacer.reserve(now: 100) }
        #expect(waits.map { ($0 * 1000).rounded() } == [0, 100, 200, 300, 400])
    }

    @Test func aPauseHoldsEveryoneBack() {
        let pacer = RequestPacer(maxPerSecond: nil)
        #expect(pacer.reserve(now: 50) == 0)
        pacer.pauseAll(for: 2, now: 50)
        #expect(pacer.reserve(now: 51) == 1)
        #expect(pacer.reserve(now: 53) == 0)
    }

    @Test func noLimitBeforeTheFirst429() {
        let pacer = RequestPacer(maxPerSecond: nil, adaptive: true, now: 0)
        #expect(pacer.currentRate(now: 1) == nil)
        #expect((0..<50).map { _ in pacer.reserve(now: 1) } == Array(repeating: 0, count: 50))
    }

    @Test func a429CutsToNinetyPercentOfTheGoodRateOfTheLastSecond() {
        let pacer = RequestPacer(maxPerSecond: nil, adaptive: true, now: 0)
        learn(pacer)
        // 100 answers in the 0.95 s window (nine tenths and half of the current one).
        expectRate(pacer, at: 10.95, 0.9 * 100 / 0.95)
        #expect(pacer.cuts == 1)
    }

    @Test func reserveSpacesSlotsAtTheLearnedRate() {
        let pacer = RequestPacer(maxPerSecond: nil, adaptive: true, now: 0)
        learn(pacer, goodPerSecond: 95)  // 95 in 0.95 s = 100/s, cut to 90/s
        let waits = (0..<3).map { _ in pacer.reserve(now: 10.95) }
        #expect(waits.map { ($0 * 90 * 1000).rounded() / 1000 } == [0, 1, 2])
    }

    @Test func theRateCreepsUpByOnePercentOfTheCutRatePerSecond() {
        let pacer = RequestPacer(maxPerSecond: nil, adaptive: true, now: 0)
        learn(pacer, goodPerSecond: 95)
        expectRate(pacer, at: 10.95, 90)
        expectRate(pacer, at: 20.95, 99)
        expectRate(pacer, at: 30.95, 108)
    }

    @Test func noGrowthWhilePaused() {
        let pacer = RequestPacer(maxPerSecond: nil, adaptive: true, now: 0)
        learn(pacer, goodPerSecond: 95)
        pacer.pauseAll(for: 1, now: 10.95)
        #expect(abs(pacer.reserve(now: 10.95) - 1) < 1e-9)
        expectRate(pacer, at: 11.95, 90)
        expectRate(pacer, at: 21.95, 99)
    }

    @Test func aBurstOf429sIsOneCut() {
        let pacer = RequestPacer(maxPerSecond: nil, adaptive: true, now: 0)
        learn(pacer, goodPerSecond: 95)
        for step in 1...15 { pacer.record(status: 429, now: 10.95 + Double(step) * 0.1) }
        #expect(pacer.cuts == 1)
        expectRate(pacer, at: 12.45, 90 + 0.9 * 1.5)
        // After the cooldown a 429 cuts again, from the good answers of the last second.
        for index in 0..<40 { pacer.record(status: 200, now: 13.0 + Double(index) * 0.02) }
        pacer.record(status: 429, now: 13.95)
        #expect(pacer.cuts == 2)
        expectRate(pacer, at: 13.95, 0.9 * 40 / 0.95)
    }

    @Test func maxRpsIsAHardCeiling() {
        let pacer = RequestPacer(maxPerSecond: 50, adaptive: true, now: 0)
        expectRate(pacer, at: 0, 50)
        #expect((0..<3).map { _ in (pacer.reserve(now: 1) * 1000).rounded() } == [0, 20, 40])
        learn(pacer, goodPerSecond: 200)  // more good answers than the ceiling: the ceiling is the base
        expectRate(pacer, at: 10.95, 45)
        expectRate(pacer, at: 1000, 50)
    }

    @Test func a429WithNothingToMeasureOnlyPauses() {
        let pacer = RequestPacer(maxPerSecond: nil, adaptive: true, now: 0)
        pacer.record(status: 429, now: 5)
        #expect(pacer.currentRate(now: 5) == nil)
        #expect(pacer.cuts == 0)
    }

    @Test func aLowCutRecoversByAtLeastAFifthOfARequestPerSecondEachSecond() {
        let pacer = RequestPacer(maxPerSecond: nil, adaptive: true, now: 0)
        learn(pacer, goodPerSecond: 1)  // 1 answer in 0.95 s: cut to 0.947/s
        expectRate(pacer, at: 20.95, 0.9 / 0.95 + 0.2 * 10)
    }

    @Test func fixedPacingOnlyPauses() {
        let pacer = RequestPacer(maxPerSecond: nil, adaptive: false, now: 0)
        learn(pacer)
        #expect(pacer.currentRate(now: 11) == nil)
        #expect(pacer.cuts == 0)
        pacer.pauseAll(for: 1, now: 11)
        #expect(pacer.reserve(now: 11) == 1)
    }
}
