import Foundation
import SharedSupport
import Synchronization

/// One request budget shared by every worker: spaces requests to the rate the server is
/// believed to allow, learns that rate from its 429s, and holds the whole pool back when
/// the server asks for a pause (429 + Retry-After).
///
/// The learning is AIMD, as TCP's congestion control: a 429 cuts the rate to `decrease` × the
/// rate of good answers over the last second (at most once per `cooldown`, since one burst
/// of 429s is one signal); every second not paused raises it by `increase` × the rate set at
/// the last cut, so it creeps back up past the server's limit only slowly and the next 429
/// comes many seconds later. Before the first 429 there is no limit but `--max-rps`, which
/// stays a hard ceiling throughout.
final class RequestPacer: Sendable {
    /// How the rate adapts (the defaults hold for a token bucket whose burst is about one
    /// second of its rate, and for a fixed window).
    struct Tuning: Sendable {
        /// Fraction of the measured good rate kept after a 429.
        var decrease = 0.9
        /// Growth per second, as a fraction of the rate set at the last cut.
        var increase = 0.01
        /// After a cut, further 429s do not cut again for this long (the pause included).
        var cooldown = 2.0
        /// ... but by at least this many requests/s per second, so a rate cut low while
        /// others used the server's budget recovers in seconds, not hours.
        var minimumIncrease = 0.2
        /// The rate never goes below this (requests/s).
        var floor = 0.5
    }

    private struct State {
        var nextSlot: Double = 0
        var pausedUntil: Double = 0
        /// Requests per second now allowed; nil = no limit yet.
        var rate: Double?
        /// The rate set by the last cut (the base of the additive increase).
        var cutRate: Double = 0
        var lastCut: Double = -.infinity
        /// When `rate` was last raised.
        var lastRaise: Double = 0
        /// Good answers per tenth of a second over the last second (a ring).
        var goodCounts = [Int](repeating: 0, count: 10)
        var goodSlot = 0
        var cuts = 0
    }

    private let ceiling: Double?
    private let adaptive: Bool
    private let tuning: Tuning
    private let state: Mutex<State>

    /// - Parameters:
    ///   - maxPerSecond: the hard ceiling; nil or 0 for none.
    ///   - adaptive: learn from 429s; off gives the fixed pacing of earlier versions (only a
    ///     pause after a 429), kept for the benchmark's comparison
    ///     (`ASSESSMENT_BATCH_PACING=fixed`).
    init(maxPerSecond: Double?, adaptive: Bool = RequestPacer.adaptiveByDefault, tuning: Tuning = Tuning(),
         now: Double = monotonicSeconds()) {
        let ceiling = maxPerSecond.flatMap { $0 > 0 ? $0 : nil }
        self.ceiling = ceiling
        self.adaptive = adaptive
        self.tuning = tuning
        state = Mutex(State(rate: ceiling, lastRaise: now, goodSlot: Int(now * 10)))
    }

    /// Adaptive unless the environment asks for the old fixed pacing (benchmarks only).
    static let adaptiveByDefault = ProcessInfo.processInfo.environment["ASSESSMENT_BATCH_PACING"] != "fixed"

    /// Requests per second now allowed; nil when there is no limit.
    func currentRate(now: Double = monotonicSeconds()) -> Double? {
        state.withLock { state in
            raise(&state, now: now)
            return state.rate
        }
    }

    /// How many times a 429 cut the rate.
    var cuts: Int { state.withLock { $0.cuts } }

    /// Reserves the next slot and returns how long the caller must wait for it.
    func reserve(now: Double = monotonicSeconds()) -> Double {
        state.withLock { state in
            raise(&state, now: now)
            let interval = state.rate.map { 1 / $0 } ?? 0
            let start = max(now, state.pausedUntil, state.nextSlot)
            state.nextSlot = start + interval
            return start - now
        }
    }

    /// Nobody sends before `seconds` from now.
    func pauseAll(for seconds: Double, now: Double = monotonicSeconds()) {
        state.withLock { $0.pausedUntil = max($0.pausedUntil, now + seconds) }
    }

    /// Learns from one HTTP answer: a 429 cuts the rate, any other status counts as good.
    func record(status: Int, now: Double = monotonicSeconds()) {
        guard adaptive else { return }
        state.withLock { state in
            advanceGoodRing(&state, now: now)
            guard status == 429 else {
                state.goodCounts[state.goodSlot % 10] += 1
                return
            }
            guard now - state.lastCut >= tuning.cooldown else { return }
            raise(&state, now: now)
            // Good answers per second over the ten slots: nine whole tenths and the current one.
            let window = 0.9 + (now * 10 - Double(Int(now * 10))) / 10
            let measured = Double(state.goodCounts.reduce(0, +)) / window
            let base: Double
            if measured > 0 {
                base = min(state.rate ?? measured, measured)
            } else if let rate = state.rate {
                base = rate
            } else {
                return  // nothing to learn from yet: the pause is all
            }
            var rate = max(tuning.floor, base * tuning.decrease)
            if let ceiling { rate = min(rate, ceiling) }
            state.rate = rate
            state.cutRate = rate
            state.lastCut = now
            state.lastRaise = now
            state.cuts += 1
        }
    }

    /// Raises the rate by the additive step for the time since the last raise.
    private func raise(_ state: inout State, now: Double) {
        guard adaptive, var rate = state.rate, now > state.lastRaise else { return }
        // No growth while paused: the server asked for silence, not for a faster restart.
        let from = max(state.lastRaise, min(state.pausedUntil, now))
        rate += max(tuning.increase * state.cutRate, tuning.minimumIncrease) * (now - from)
        state.rate = ceiling.map { min($0, rate) } ?? rate
        state.lastRaise = now
    }

    /// Empties the tenths of a second that passed since the last answer.
    private func advanceGoodRing(_ state: inout State, now: Double) {
        let slot = Int(now * 10)
        if slot - state.goodSlot >= 10 {
            for index in state.goodCounts.indices { state.goodCounts[index] = 0 }
        } else if slot > state.goodSlot {
            for passed in (state.goodSlot + 1)...slot { state.goodCounts[passed % 10] = 0 }
        }
        state.goodSlot = max(state.goodSlot, slot)
    }
}
