import Foundation
import SharedSupport
import Synchronization

/// One request budget shared by every worker: spaces requests to at most `maxPerSecond`,
/// and holds the whole pool back after the server asks for a pause (429 + Retry-After).
final class RequestPacer: Sendable {
    private struct State {
        var nextSlot: Double = 0
        var pausedUntil: Double = 0
    }

    private let interval: Double
    private let state = Mutex(State())

    /// - Parameter maxPerSecond: nil or 0 for no limit.
    init(maxPerSecond: Double?) {
        if let maxPerSecond, maxPerSecond > 0 { interval = 1 / maxPerSecond } else { interval = 0 }
    }

    /// Reserves the next slot and returns how long the caller must wait for it.
    func reserve(now: Double = monotonicSeconds()) -> Double {
        state.withLock { state in
            let start = max(now, state.pausedUntil, state.nextSlot)
            state.nextSlot = start + interval
            return start - now
        }
    }

    /// Nobody sends before `seconds` from now.
    func pauseAll(for seconds: Double, now: Double = monotonicSeconds()) {
        state.withLock { $0.pausedUntil = max($0.pausedUntil, now + seconds) }
    }
}
