import AssessmentBatchCore
import Foundation
import Logging

/// Writes one line to stderr (diagnostics, progress and summaries never go to stdout), through
/// the console: as it is in text mode, one JSON object with `--log-format json`.
func printError(_ line: String, level: Logger.Level = .info, metadata: Logger.Metadata = [:]) {
    Console.shared.output(line, level: level, metadata: metadata)
}

/// Most problems printed for one run; the rest are counted.
let diagnosticsPrintLimit = 10_000

func printDiagnostics(_ diagnostics: [Diagnostic]) {
    if Console.shared.formatter.format == .json {
        for diagnostic in diagnostics.prefix(diagnosticsPrintLimit) {
            printError(diagnostic.description, level: .error,
                       metadata: ["file": .string(diagnostic.file), "line": .stringConvertible(diagnostic.line)])
        }
        if diagnostics.count > diagnosticsPrintLimit {
            printError("… and \(diagnostics.count - diagnosticsPrintLimit) more problems", level: .error,
                       metadata: ["more": .stringConvertible(diagnostics.count - diagnosticsPrintLimit)])
        }
        return
    }
    var text = ""
    for diagnostic in diagnostics.prefix(diagnosticsPrintLimit) {
        text += diagnostic.description + "\n"
    }
    if diagnostics.count > diagnosticsPrintLimit {
        text += "… and \(diagnostics.count - diagnosticsPrintLimit) more problems\n"
    }
    Console.shared.write(text)
}

/// Quotes a path for a shell command line when it needs it.
func shellQuoted(_ path: String) -> String {
    let safe = path.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "/._-+,:@".unicodeScalars.contains($0) }
    return safe ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// Runs a job with SIGINT/SIGTERM turned into a graceful stop and a progress line on stderr.
func runInterruptibly<Result>(_ job: (RunControl, JobObserver) -> Result) -> Result {
    let control = RunControl()
    let signals = SignalHandlers(control: control)
    let progress = ProgressLine(console: Console.shared)
    let result = job(control, progress.observer)
    progress.stop()
    withExtendedLifetime(signals) {}
    return result
}
