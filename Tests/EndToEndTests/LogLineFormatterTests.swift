@testable import AssessmentBatchCommands
import Foundation
import Logging
import StrictJSON
import Synchronization
import Testing

/// Log lines for people on a terminal, with a timestamp elsewhere, one JSON object each for a
/// log pipeline.
struct LogLineFormatterTests {
    private let date = Date(timeIntervalSince1970: 1_795_761_802.25)  // 2026-11-27T06:43:22.250Z

    @Test func onATerminalTextIsTheMessageAloneWithWarningsAndErrorsMarked() {
        let formatter = LogLineFormatter(format: .text, isTerminal: true)
        #expect(formatter.line(level: .info, message: "preflight: reading 9 assessments", date: date) == "preflight: reading 9 assessments")
        #expect(formatter.line(level: .debug, message: "retrying", date: date) == "retrying")
        #expect(formatter.line(level: .warning, message: "slow", date: date) == "warning: slow")
        #expect(formatter.line(level: .error, message: "cannot write", date: date) == "error: cannot write")
        #expect(formatter.line(level: .critical, message: "x", metadata: ["phase": "apply"], date: date) == "error: x")
    }

    @Test func elsewhereTextKeepsATimestampAndTheLevelButNoModuleName() {
        let formatter = LogLineFormatter(format: .text, isTerminal: false)
        #expect(formatter.line(level: .info, message: "preflight: reading 9 assessments", date: date)
            == "2026-11-27T06:43:22.250Z info: preflight: reading 9 assessments")
        #expect(formatter.line(level: .warning, message: "slow", date: date) == "2026-11-27T06:43:22.250Z warning: slow")
    }

    @Test func jsonIsOneObjectWithTypedFields() throws {
        let formatter = LogLineFormatter(format: .json, isTerminal: true)
        let line = formatter.line(level: .info, message: "progress: apply: 3/10 \"quoted\"\nnext", metadata: [
            "phase": "apply", "done": .stringConvertible(3), "total": .stringConvertible(10), "rate": .stringConvertible(2.5),
            "dryRun": .stringConvertible(false), "counts": .dictionary(["applied": .stringConvertible(3)]),
            "message": "ignored: the record's own message wins",
        ], date: date)
        #expect(!line.contains("\n"))
        #expect(line == #"{"timestamp":"2026-11-27T06:43:22.250Z","level":"info","message":"progress: apply: 3/10 \"quoted\"\nnext","counts":{"applied":3},"done":3,"dryRun":false,"phase":"apply","rate":2.5,"total":10}"#)
        let parsed = try Array(line.utf8).withUnsafeBytes { try JSONParser.parse($0) }
        #expect(parsed.objectValue?["total"]?.intValue == 10)
    }

    @Test func requestedFormatIsFoundAmongRawArguments() {
        #expect(requestedLogFormat(["apply", "x.csv", "--log-format", "json"]) == .json)
        #expect(requestedLogFormat(["apply", "--log-format=json", "--log-format=text"]) == .text)
        #expect(requestedLogFormat(["apply", "--log-format", "xml"]) == nil)
        #expect(requestedLogFormat(["apply"]) == nil)
    }
}

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

/// The progress line's text and ETA.
struct ProgressLineTests {
    @Test func etaFollowsTheRate() {
        #expect(ProgressLine.eta(done: 0, total: 10, rate: 0) == nil)
        #expect(ProgressLine.eta(done: 10, total: 10, rate: 5) == nil)
        #expect(ProgressLine.eta(done: 20, total: 100, rate: 4) == 20)
        #expect(ProgressLine.text(phase: "apply", done: 20, total: 100, failed: 1, rate: 4, eta: 20)
            == "apply: 20/100 (20%), 1 failed, 4/s, ETA 0:20")
        #expect(ProgressLine.text(phase: "preflight", done: 1, total: 50_000, failed: 0, rate: 2.5, eta: 19_999.6)
            == "preflight: 1/50000 (0%), 0 failed, 2/s, ETA 5:33:20")
        #expect(ProgressLine.text(phase: "apply", done: 4, total: 4, failed: 0, rate: 8, eta: nil) == "apply: 4/4 (100%), 0 failed, 8/s")
    }
}
