import AssessmentBatchCore
import Foundation
import Synchronization

/// Shows progress on stderr: a line rewritten every second on a terminal, a log line every
/// ten seconds otherwise (cron, CI).
final class ProgressLine: Sendable {
    private let finished = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)
    private let total = Atomic<Int>(0)
    private let timer = Mutex<(any DispatchSourceTimer)?>(nil)
    private let startedAt = Date()
    private let isTerminal = isatty(STDERR_FILENO) == 1

    func start(total count: Int) {
        total.store(count, ordering: .relaxed)
        guard count > 0 else { return }
        let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "assessment-batch.progress"))
        let interval: Double = isTerminal ? 1 : 10
        source.schedule(deadline: .now() + interval, repeating: interval)
        source.setEventHandler { @Sendable [self] in show(final: false) }
        source.resume()
        // Handing the source over through a closure sidesteps swiftlang/swift#77199.
        let handOver = { source }
        timer.withLock { $0 = handOver() }
    }

    func record(_ outcome: AssessmentOutcome) {
        finished.add(1, ordering: .relaxed)
        if outcome.status == .failed { failed.add(1, ordering: .relaxed) }
    }

    func stop() {
        let source = timer.withLock { timer -> (any DispatchSourceTimer)? in
            defer { timer = nil }
            return timer
        }
        guard let source else { return }
        source.cancel()
        if isTerminal { show(final: true) }
    }

    private func show(final: Bool) {
        let done = finished.load(ordering: .relaxed)
        let count = max(1, total.load(ordering: .relaxed))
        let elapsed = max(0.001, Date().timeIntervalSince(startedAt))
        let text = "\(done)/\(count) assessments (\(done * 100 / count)%), \(failed.load(ordering: .relaxed)) failed, \(Int(Double(done) / elapsed))/s"
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text + (final ? "\n" : "")).utf8))
        } else {
            printError("assessment-batch: progress: " + text)
        }
    }
}
