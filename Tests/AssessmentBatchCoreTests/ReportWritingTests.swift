import SharedSupport
import Foundation
import Testing
@testable import AssessmentBatchCore

/// `report.json`, written outcome by outcome: the pretty text of its tree except that each
/// outcome is one compact line; what the undo file cannot restore is summarised there and
/// detailed in `not-restorable.jsonl`.
struct ReportWritingTests {
    @Test(arguments: [0, 1, 3])
    func streamedReportIsPrettyWithOneLinePerOutcome(outcomeCount: Int) throws {
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
        // Workers store entries in any order; the details file lists them by assessment index.
        let entries: [[UnrestorableValue]] = [
            [UnrestorableValue(assessmentId: 7, field: "state", value: "aiReady"),
             UnrestorableValue.emptyReason(CriterionKey(categoryId: 1, criterionId: 2), of: 7)],
            [],
            [UnrestorableValue.unscored(CriterionKey(categoryId: 3, criterionId: 12), of: 9),
             UnrestorableValue.unscored(CriterionKey(categoryId: 3, criterionId: 13), of: 9)],
        ].prefix(outcomeCount).map { $0 }
        let log = outcomeCount == 0 ? nil : try UnrestorableLog(directory: directory, count: entries.count)
        for index in entries.indices.reversed() { try log?.store(entries[index], at: index) }
        let report = RunReport(
            command: "apply", startedAt: Date(timeIntervalSince1970: 1_700_000_000), finishedAt: Date(timeIntervalSince1970: 1_700_000_002),
            baseURL: "http://127.0.0.1:1/api/mind", inputs: [first, second], options: options, outcomes: Array(outcomes.prefix(outcomeCount)),
            statistics: statistics, failuresFiles: [FailuresFile(path: "run/a.failures.csv", rows: 1, input: "in/a.csv")],
            abortReason: nil, exitStatus: .failures, unrestorable: log)
        try log?.write(to: directory)
        let path = try report.write(to: directory)
        let written = String(decoding: try #require(FileManager.default.contents(atPath: path)), as: UTF8.self)
        let tree = try Array(written.utf8).withUnsafeBytes { try JSONParser.parse($0) }
        let writtenOutcomes = try #require(tree.objectValue?["outcomes"]?.arrayValue)
        // Everything but the outcomes is the pretty text; each outcome is its compact text on a line.
        var withoutOutcomes = try #require(tree.objectValue)
        withoutOutcomes.members.removeLast()
        var expected: [UInt8] = []
        JSONWriter.write(.object(withoutOutcomes), pretty: true, into: &expected)
        expected.removeLast(2)
        expected.append(contentsOf: ",\n  \"outcomes\": [".utf8)
        for (index, outcome) in writtenOutcomes.enumerated() {
            expected.append(contentsOf: (index > 0 ? "," : "").utf8)
            expected.append(contentsOf: "\n    ".utf8)
            JSONWriter.write(outcome, into: &expected)
        }
        expected.append(contentsOf: (writtenOutcomes.isEmpty ? "]\n}\n" : "\n  ]\n}\n").utf8)
        #expect(written == String(decoding: expected, as: UTF8.self))

        #expect(writtenOutcomes.count == outcomeCount)
        if outcomeCount >= 2 {
            #expect(writtenOutcomes[0].objectValue?["sourceInputs"] == .array([.string("in/a.csv"), .string("in/b.jsonl")]))
            #expect(writtenOutcomes[1].objectValue?["error"]?.stringValue == "line \"2\":\nscore\tis not a number")
            #expect(writtenOutcomes[1].objectValue?["assessmentId"] == .null)
        }
        #expect(tree.objectValue?["counts"]?.objectValue?["assessments"]?.intValue == outcomeCount)
        let notRestorable = try #require(tree.objectValue?["notRestorable"]?.objectValue)
        let details = "\(directory)/not-restorable.jsonl"
        #expect(notRestorable["file"] == (outcomeCount == 0 ? .null : .string(details)))
        #expect(notRestorable["assessments"]?.intValue == [0, 1, 1, 2][outcomeCount])
        #expect(notRestorable["values"]?.intValue == [0, 2, 2, 4][outcomeCount])
        let byField = (notRestorable["byField"]?.arrayValue ?? []).map { entry in
            "\(entry.objectValue?["field"]?.stringValue ?? "?")|\(entry.objectValue?["reason"]?.stringValue ?? "?")|\(entry.objectValue?["count"]?.intValue ?? -1)"
        }
        let expectedByField = [
            [],
            ["criterion reason|empty on the server|1", "state|was aiReady|1"],
            ["criterion reason|empty on the server|1", "state|was aiReady|1"],
            ["criterion reason|empty on the server|1", "criterion score|unscored on the server|2", "state|was aiReady|1"],
        ][outcomeCount]
        #expect(byField == expectedByField)
        let lines = (FileManager.default.contents(atPath: details).map { String(decoding: $0, as: UTF8.self) } ?? "")
            .split(separator: "\n").map(String.init)
        let expectedLines = [
            #"{"assessmentId":7,"fields":{"state":"aiReady"},"emptyReason":[[1,2]]}"#,
            #"{"assessmentId":9,"unscored":[[3,12],[3,13]]}"#,
        ]
        #expect(lines == Array(expectedLines.prefix([0, 1, 1, 2][outcomeCount])))
        // Nothing of the spool is left in the run directory.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            == (outcomeCount == 0 ? ["report.json"] : ["not-restorable.jsonl", "report.json"]))
        #expect(tree.objectValue?.keys.suffix(2) == ["notRestorable", "outcomes"])
    }

    /// 20 unscored criteria per assessment cost report.json nothing: its size per assessment
    /// stays a few hundred bytes (50,000 assessments ≤ 15 MB).
    @Test func unscoredCriteriaKeepTheReportSmall() throws {
        let count = 2_000
        var input = InputDescription(path: "nightly.csv", format: .csv)
        input.rows = count * 20
        let directory = temporaryDirectory()
        let log = try UnrestorableLog(directory: directory, count: count)
        var outcomes: [AssessmentOutcome] = []
        for index in 0..<count {
            let id = 1_000_000 + index
            var sources = SourceList()
            for row in 0..<20 { sources.append(SourceLocation(input: 0, line: 1_000_000 + index * 20 + row)) }
            outcomes.append(AssessmentOutcome(assessmentId: id, sources: sources, status: .applied, httpStatus: 200, attempts: 1))
            var values = [UnrestorableValue(assessmentId: id, field: "assessmentDate", value: "(empty)")]
            for criterion in 1...20 {
                values.append(.unscored(CriterionKey(categoryId: 1, criterionId: criterion), of: id))
                values.append(.emptyReason(CriterionKey(categoryId: 1, criterionId: criterion), of: id))
            }
            try log.store(values, at: index)
        }
        let report = RunReport(command: "apply", startedAt: Date(), finishedAt: Date(), baseURL: nil, inputs: [input],
                               options: JSONObject(), outcomes: outcomes, statistics: HTTPStatistics.Snapshot(),
                               failuresFiles: [], abortReason: nil, exitStatus: .success, unrestorable: log)
        try log.write(to: directory)
        let path = try report.write(to: directory)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let perAssessment = Double(size) / Double(count)
        print("report.json: \(size) bytes for \(count) assessments × 20 criteria, \(Int(perAssessment)) bytes each, \(Int(perAssessment * 50_000 / 1_000_000)) MB for 50,000")
        #expect(perAssessment * 50_000 <= 15_000_000)
        let details = try #require(FileManager.default.contents(atPath: "\(directory)/not-restorable.jsonl"))
        #expect(details.split(separator: UInt8(ascii: "\n")).count == count)
        print("not-restorable.jsonl: \(details.count / count) bytes per assessment")
        #expect(details.count / count < 400)
    }

    @Test func aDetailsLineGroupsAnAssessmentsValues() throws {
        let values = [
            UnrestorableValue(assessmentId: 5, field: "aiSummary", value: "(empty)"),
            .unscored(CriterionKey(categoryId: 1, criterionId: 2), of: 5),
            .emptyReason(CriterionKey(categoryId: 1, criterionId: 2), of: 5),
            .unscored(CriterionKey(categoryId: 4, criterionId: 16), of: 5),
            UnrestorableValue(assessmentId: 5, field: "state", value: "a \"quoted\" state"),
        ]
        let line = String(decoding: UnrestorableRecord.encode(assessmentId: 5, values), as: UTF8.self)
        #expect(line == #"{"assessmentId":5,"fields":{"aiSummary":"(empty)","state":"a \"quoted\" state"},"unscored":[[1,2],[4,16]],"emptyReason":[[1,2]]}"# + "\n")
        _ = try Array(line.utf8).withUnsafeBytes { try JSONParser.parse($0) }
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
