import AssessmentBatchCore
import CurlHTTP
import Foundation
import Logging

/// Turns SIGINT and SIGTERM into a graceful stop: no new work, in-flight requests may finish
/// for up to `grace` seconds before they are aborted; a second signal aborts them at once.
final class SignalHandlers {
    private let sources: [any DispatchSourceSignal]

    init(control: RunControl, grace: Double = 10) {
        let queue = DispatchQueue(label: "assessment-batch.signals")
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)  // or the default action kills the process first
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            // @Sendable: without it the closure would inherit the caller's isolation and trap at run time.
            source.setEventHandler { @Sendable in
                if control.stop.isCancelled {
                    control.abortTransfers.cancel()
                    return
                }
                // The console clears the progress line first.
                printError("assessment-batch: \(number == SIGTERM ? "SIGTERM" : "SIGINT"): finishing requests in flight (up to \(Int(grace)) s), then writing the report",
                           level: .warning, metadata: ["signal": .string(number == SIGTERM ? "SIGTERM" : "SIGINT")])
                control.abort(.interrupted(signal: number), abortTransfers: false)
                queue.asyncAfter(deadline: .now() + grace) { @Sendable in control.abortTransfers.cancel() }
            }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
