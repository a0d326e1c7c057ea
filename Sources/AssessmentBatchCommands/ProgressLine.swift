import AssessmentBatchCore
import Foundation
import Synchronization

/// Shows progress on stderr: a line rewritten every second on a terminal, a log line every
/// ten seconds otherwise (cron, CI).
final class ProgressLine: Sendable {
    private struct Phase {
        var name = ""
        var total = 0
        var finished = 0
        var failed = 0
        var startedAt = Date()
    }

    private let phase = Mutex(Phase())
    private let timer = Mutex<(any DispatchSourceTimer)?>(nil)
    private let isTerminal = isatty(STDERR_FILENO) == 1

    /// The observer that feeds this line.
    var observer: JobObserver {
        JobObserver(phaseStarted: { [self] name, total in start(name, total: total) },
                    itemFinished: { [self] failed in record(failed: failed) })
    }

    private func start(_ name: String, total: Int) {
        stopTimer(showFinal: true)
        phase.withLock { $0 = Phase(name: name, total: total) }
        guard total > 0 else { return }
        let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "assessment-batch.progress"))
        let interval: Double = isTerminal ? 1 : 10
        source.schedule(deadline: .now() + interval, repeating: interval)
        source.setEventHandler { @Sendable [self] in show(final: false) }
        source.resume()
        // Handing the source over through a closure sidesteps swiftlang/swift#77199.
        let handOver = { source }
        timer.withLock { $0 = handOver() }
    }

    private func record(failed: Bool) {
        phase.withLock {
            $0.finished += 1
            if failed { $0.failed += 1 }
        }
    }

    /// Stops the line; call once the job returns.
    func stop() { stopTimer(showFinal: true) }

    private func stopTimer(showFinal: Bool) {
        let source = timer.withLock { timer -> (any DispatchSourceTimer)? in
            defer { timer = nil }
            return timer
        }
        guard let source else { return }
        source.cancel()
        if showFinal && isTerminal { show(final: true) }
    }

    private func show(final: Bool) {
        let current = phase.withLock { $0 }
        let total = max(1, current.total)
        let elapsed = max(0.001, Date().timeIntervalSince(current.startedAt))
        let text = "\(current.name): \(current.finished)/\(current.total) (\(current.finished * 100 / total)%), \(current.failed) failed, \(Int(Double(current.finished) / elapsed))/s"
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text + (final ? "\n" : "")).utf8))
        } else {
            printError("assessment-batch: progress: " + text)
        }
    }
}
