import Foundation
import Testing
@testable import AssessmentBatchCore

/// `report.json`, written outcome by outcome, is exactly `JSONWriter`'s pretty text of the
/// whole report.
struct ReportWritingTests {
    @Test(arguments: [0, 1, 3])
    func streamedReportIsThePrettyTextOfItsTree(outcomeCount: Int) throws {
        var first = InputDescription(path: "in/a.csv", format: .csv)
        first.rows = 4
        var second = InputDescription(path: "in/b.jsonl", format: .jsonl)
        second.rows = 1
        let outcomes = [
            AssessmentOutcome(assessmentId: 7, sources: [SourceLocation(input: 0, line: 2), SourceLocation(input: 1, line: 1)],
                              status: .applied, httpStatus: 200, attempts: 1),
            AssessmentOutcome(assessmentId: nil, sources: [], status: .failed, errorKind: .invalid,
                              error: "line \"2\":\nscore\tis not a number"),
            AssessmentOutcome(assessmentId: 9, sources: [SourceLocation(input: 0, line: 3)], status: .notAttempted,
                              errorKind: .notAttempted, error: "not attempted: the run stopped"),
        ]
        var statistics = HTTPStatistics.Snapshot()
        statistics.requests = 2
        statistics.statusCounts = ["200": 1, "503": 1]
        statistics.latencies = [3.5, 20]
        var options = JSONObject()
        options.append("concurrency", .number("4"))
        options.append("nested", .object(JSONObject([(key: "list", value: .array([.string("x"), .array([])]))])))
        let directory = temporaryDirectory()
        // Workers store entries in any order; the report lists them by assessment index.
        let entries: [[UnrestorableValue]] = [
            [UnrestorableValue(assessmentId: 7, field: "state", value: "aiReady"),
             UnrestorableValue(assessmentId: 7, field: "category 1 criterion 2 reason", value: "(empty)")],
            [],
            [UnrestorableValue.unscored(CriterionKey(categoryId: 3, criterionId: 12), of: 9)],
        ].prefix(outcomeCount).map { $0 }
        let log = outcomeCount == 0 ? nil : try UnrestorableLog(directory: directory, count: entries.count)
        for index in entries.indices.reversed() { try log?.store(entries[index], at: index) }
        let report = RunReport(
            command: "apply", startedAt: Date(timeIntervalSince1970: 1_700_000_000), finishedAt: Date(timeIntervalSince1970: 1_700_000_002),
            baseURL: "http://127.0.0.1:1/api/mind", inputs: [first, second], options: options, outcomes: Array(outcomes.prefix(outcomeCount)),
            statistics: statistics, failuresFiles: [FailuresFile(path: "run/a.failures.csv", rows: 1, input: "in/a.csv")],
            abortReason: nil, exitStatus: .failures, unrestorable: log)
        let path = try report.write(to: directory)
        let written = try #require(FileManager.default.contents(atPath: path))
        let tree = try Array(written).withUnsafeBytes { try JSONParser.parse($0) }
        var expected: [UInt8] = []
        JSONWriter.write(tree, pretty: true, into: &expected)
        expected.append(UInt8(ascii: "\n"))
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: expected, as: UTF8.self))

        let writtenOutcomes = try #require(tree.objectValue?["outcomes"]?.arrayValue)
        #expect(writtenOutcomes.count == outcomeCount)
        if outcomeCount >= 2 {
            #expect(writtenOutcomes[0].objectValue?["sourceInputs"] == .array([.string("in/a.csv"), .string("in/b.jsonl")]))
            #expect(writtenOutcomes[1].objectValue?["error"]?.stringValue == "line \"2\":\nscore\tis not a number")
            #expect(writtenOutcomes[1].objectValue?["assessmentId"] == .null)
        }
        #expect(tree.objectValue?["counts"]?.objectValue?["assessments"]?.intValue == outcomeCount)
        let notRestorable = try #require(tree.objectValue?["notRestorable"]?.arrayValue)
        #expect(notRestorable == entries.joined().map(\.json))
        #expect(notRestorable.count == [0, 2, 2, 3][outcomeCount])
        // Nothing of the spool is left in the run directory.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["report.json"])
        #expect(tree.objectValue?.keys.suffix(2) == ["notRestorable", "outcomes"])
    }

    @Test func unrestorableCriterionValuesSpellTheirField() {
        let key = CriterionKey(categoryId: 3, criterionId: 12)
        #expect(UnrestorableValue.unscored(key, of: 7).field == "category 3 criterion 12 score")
        #expect(UnrestorableValue.unscored(key, of: 7).value == "(unscored)")
        #expect(UnrestorableValue.emptyReason(key, of: 7).field == "category 3 criterion 12 reason")
        #expect(UnrestorableValue.emptyReason(key, of: 7).value == "(empty)")
        #expect(UnrestorableValue(assessmentId: 7, field: "state", value: "aiReady").field == "state")
        #expect(MemoryLayout<UnrestorableValue>.stride <= 48)
    }
}

struct HTTPStatisticsTests {
    @Test func snapshotCountsStatusesByTheirText() {
        let statistics = HTTPStatistics()
        statistics.record(status: 200, milliseconds: 2, retry: false, newConnections: 1)
        statistics.record(status: 503, milliseconds: 30, retry: false, newConnections: 0)
        statistics.record(status: nil, milliseconds: 1000, retry: true, newConnections: 1)
        statistics.record(status: 200, milliseconds: 4, retry: true, newConnections: 0)
        let snapshot = statistics.snapshot
        #expect(snapshot.statusCounts == ["200": 2, "503": 1, "transport": 1])
        #expect(snapshot.requests == 4)
        #expect(snapshot.retries == 2)
        #expect(snapshot.newConnections == 2)
        #expect(snapshot.latencies == [2, 30, 1000, 4])
    }
}
