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
