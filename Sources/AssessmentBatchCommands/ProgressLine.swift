import AssessmentBatchCore
import Foundation
import Logging
import Synchronization

/// Shows progress on stderr: a line redrawn every second with an ETA on a terminal in text
/// mode, a log line (a JSON object with `--log-format json`) every ten seconds otherwise
/// (cron, CI, a log pipeline).
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
    private let console: Console
    private let inPlace: Bool

    init(console: Console) {
        self.console = console
        inPlace = console.drawsProgressInPlace
    }

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
        let interval: Double = inPlace ? 1 : Self.logInterval
        source.schedule(deadline: .now() + interval, repeating: interval)
        source.setEventHandler { @Sendable [self] in show(final: false) }
        source.resume()
        // Handing the source over through a closure sidesteps swiftlang/swift#77199.
        let handOver = { source }
        timer.withLock { $0 = handOver() }
    }

    private func record(failed: Bool) {
        let complete = phase.withLock {
            $0.finished += 1
            if failed { $0.failed += 1 }
            return $0.finished == $0.total
        }
        // The phase's last line is drawn at once, before whatever the job logs next.
        if complete { stopTimer(showFinal: true) }
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
        if showFinal && inPlace { show(final: true) }
    }

    private func show(final: Bool) {
        let current = phase.withLock { $0 }
        let elapsed = max(0.001, Date().timeIntervalSince(current.startedAt))
        let rate = Double(current.finished) / elapsed
        let eta = Self.eta(done: current.finished, total: current.total, rate: rate)
        let text = Self.text(phase: current.name, done: current.finished, total: current.total, failed: current.failed,
                             rate: rate, eta: final ? nil : eta)
        if inPlace {
            console.drawProgress(text, final: final)
        } else {
            var metadata: Logger.Metadata = [
                "phase": .string(current.name), "done": .stringConvertible(current.finished),
                "total": .stringConvertible(current.total), "failed": .stringConvertible(current.failed),
                "rate": .stringConvertible((rate * 10).rounded() / 10),
            ]
            if let eta { metadata["etaSeconds"] = .stringConvertible(Int(eta.rounded(.up))) }
            console.log(.info, "progress: " + text, metadata: metadata)
        }
    }

    /// Seconds between progress log lines: 10, or `ASSESSMENT_BATCH_PROGRESS_SECONDS` (the tests
    /// use a short one to see progress lines in short runs).
    static var logInterval: Double {
        ProcessInfo.processInfo.environment["ASSESSMENT_BATCH_PROGRESS_SECONDS"].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil } ?? 10
    }

    /// Seconds left at `rate`; nil before anything finished or once everything did.
    static func eta(done: Int, total: Int, rate: Double) -> Double? {
        guard done > 0, done < total, rate > 0 else { return nil }
        return Double(total - done) / rate
    }

    /// `apply: 120/500 (24%), 0 failed, 45/s, ETA 0:09`.
    static func text(phase: String, done: Int, total: Int, failed: Int, rate: Double, eta: Double?) -> String {
        var text = "\(phase): \(done)/\(total) (\(done * 100 / max(1, total))%), \(failed) failed, \(Int(rate))/s"
        if let eta {
            let seconds = Int(eta.rounded(.up))
            text += seconds >= 3600
                ? String(format: ", ETA %d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String(format: ", ETA %d:%02d", seconds / 60, seconds % 60)
        }
        return text
    }
}
