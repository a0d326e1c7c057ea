@testable import AssessmentBatchCommands
import Foundation
import Logging
import StrictJSON
import Synchronization
import Testing

/// The progress line on a terminal is cleared before a log line and drawn again after it.
struct ConsoleTests {
    @Test func aLogLineNeverLandsOnTheProgressLine() {
        let written = Mutex<[String]>([])
        let console = Console(formatter: LogLineFormatter(format: .text, isTerminal: true)) { text in written.withLock { $0.append(text) } }
        console.drawProgress("apply: 1/4 (25%)", final: false)
        console.log(.warning, "retrying")
        console.drawProgress("apply: 2/4 (50%)", final: false)
        console.output("assessment-batch: done")
        console.drawProgress("apply: 4/4 (100%)", final: true)
        console.log(.info, "after")
        #expect(written.withLock { $0 } == [
            "apply: 1/4 (25%)",
            "\r\u{1B}[Kwarning: retrying\napply: 1/4 (25%)",
            "\r\u{1B}[Kapply: 2/4 (50%)",
            "\r\u{1B}[Kassessment-batch: done\napply: 2/4 (50%)",
            "\r\u{1B}[Kapply: 4/4 (100%)\n",
            "after\n",
        ])
    }

    @Test func jsonOutputLinesDropTheirIndentation() {
        let written = Mutex<[String]>([])
        let console = Console(formatter: LogLineFormatter(format: .json, isTerminal: false)) { text in written.withLock { $0.append(text) } }
        console.output("  report:   run/report.json", level: .info, metadata: ["report": "run/report.json"])
        let line = written.withLock { $0.first } ?? ""
        #expect(line.hasSuffix(#""level":"info","message":"report:   run/report.json","report":"run/report.json"}"# + "\n"))
    }
}
