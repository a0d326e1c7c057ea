import Foundation

/// API answers since the simulator started (dropped connections included), and a wait for a
/// given count: tests stop or kill a client after so many answers instead of after a sleep, so
/// a loaded machine changes nothing but the time it takes.
final class AnswerCounter: @unchecked Sendable {
    // @unchecked: `count` is read and written only with `condition` locked.
    private let condition = NSCondition()
    private var count = 0

    func record() {
        condition.lock()
        count += 1
        condition.broadcast()
        condition.unlock()
    }

    var value: Int {
        condition.lock()
        defer { condition.unlock() }
        return count
    }

    /// Returns true once `target` answers were given, false if `deadline` came first.
    func wait(for target: Int, until deadline: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while count < target {
            if !condition.wait(until: deadline) { return count >= target }
        }
        return true
    }
}
