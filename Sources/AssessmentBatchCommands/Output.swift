import AssessmentBatchCore
import Foundation

/// Writes one line to stderr (diagnostics, progress and summaries never go to stdout).
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Most problems printed for one run; the rest are counted.
let diagnosticsPrintLimit = 10_000

func printDiagnostics(_ diagnostics: [Diagnostic]) {
    var text = ""
    for diagnostic in diagnostics.prefix(diagnosticsPrintLimit) {
        text += diagnostic.description + "\n"
    }
    if diagnostics.count > diagnosticsPrintLimit {
        text += "… and \(diagnostics.count - diagnosticsPrintLimit) more problems\n"
    }
    FileHandle.standardError.write(Data(text.utf8))
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
    let progress = ProgressLine()
    let result = job(control, progress.observer)
    progress.stop()
    withExtendedLifetime(signals) {}
    return result
}
