import Foundation
import StrictJSON
import Testing
@testable import AssessmentBatchCore

/// `not-restorable.jsonl`: one line per assessment through one codec, and only the
/// assessments a run wrote are listed and counted.
@Suite struct UnrestorableLogTests {
    private let values7 = [UnrestorableValue(assessmentId: 7, field: "state", value: "aiReady"),
                           .unscored(CriterionKey(categoryId: 3, criterionId: 12), of: 7)]
    private let values9 = [UnrestorableValue.unscored(CriterionKey(categoryId: 3, criterionId: 12), of: 9),
                           .emptyReason(CriterionKey(categoryId: 3, criterionId: 12), of: 9),
                           .unscored(CriterionKey(categoryId: 4, criterionId: 1), of: 9)]

    @Test func aLineDecodesToTheValuesItWasMadeOf() throws {
        let line = UnrestorableRecord.encode(assessmentId: 9, values9)
        #expect(String(decoding: line, as: UTF8.self) == #"{"assessmentId":9,"unscored":[[3,12],[4,1]],"emptyReason":[[3,12]]}"# + "\n")
        #expect(UnrestorableRecord.assessmentId(of: line) == 9)
        #expect(UnrestorableRecord.assessmentId(of: Array(#"{"id":9}"#.utf8)) == nil)
        let decoded = try #require(UnrestorableRecord.decode(line))
        #expect(decoded.assessmentId == 9)
        #expect(decoded.values.map(\.field) == ["category 3 criterion 12 score", "category 4 criterion 1 score", "category 3 criterion 12 reason"])
        let fields = try #require(UnrestorableRecord.decode(UnrestorableRecord.encode(assessmentId: 7, values7)))
        #expect(fields.values == [values7[0], values7[1]])
        #expect(UnrestorableRecord.decode(Array(#"{"assessmentId":"7"}"#.utf8)) == nil)
        #expect(UnrestorableRecord.decode(Array(#"{"assessmentId":7,"unscored":[[1]]}"#.utf8)) == nil)
    }

    @Test func onlyTheAssessmentsKeptAreListedAndCounted() throws {
        let directory = temporaryDirectory()
        let log = try UnrestorableLog(directory: directory, count: 2)
        try log.store(values9, at: 1)
        try log.store(values7, at: 0)
        #expect(log.summary.assessments == 2)  // every stored one, until the run says what it wrote
        try log.write(to: directory, keeping: [9])
        #expect(log.summary == UnrestorableSummary(assessments: 1, counts: [
            .init(field: "criterion score", reason: "unscored on the server"): 2,
            .init(field: "criterion reason", reason: "empty on the server"): 1,
        ]))
        #expect(log.path == "\(directory)/\(UnrestorableLog.fileName)")
        let text = try String(contentsOfFile: "\(directory)/\(UnrestorableLog.fileName)", encoding: .utf8)
        #expect(text == #"{"assessmentId":9,"unscored":[[3,12],[4,1]],"emptyReason":[[3,12]]}"# + "\n")
    }

    @Test func aRunThatWroteNothingListsNothing() throws {
        let directory = temporaryDirectory()
        let log = try UnrestorableLog(directory: directory, count: 2)
        try log.store(values7, at: 0)
        try log.store(values9, at: 1)
        try log.write(to: directory, keeping: [])
        #expect(log.summary.assessments == 0)
        #expect(log.summary.values == 0)
        #expect(log.path == nil)
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/\(UnrestorableLog.fileName)"))
    }
}
