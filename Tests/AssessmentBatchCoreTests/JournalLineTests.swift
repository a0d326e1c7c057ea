import Foundation
import Testing
@testable import AssessmentBatchCore

struct JournalLineTests {
    @Test func outcomesAreWrittenAndReadBack() throws {
        let directory = temporaryDirectory()
        let journal = try Journal(directory: directory)
        try journal.writeHeader(Journal.Header(arguments: ["x.csv"], workingDirectory: "/w", inputs: [(path: "x.csv", sha256: "ab")]))
        try journal.record(AssessmentOutcome(assessmentId: 7, sources: [], status: .applied, httpStatus: 200, attempts: 1))
        try journal.record(AssessmentOutcome(assessmentId: 8, sources: [], status: .failed, errorKind: .mismatch, httpStatus: 200,
                                             attempts: 3, error: "category 1 criterion 2 reason is \"a\u{1}\" on the server"))
        try journal.record(AssessmentOutcome(assessmentId: nil, sources: [], status: .notAttempted, errorKind: .notAttempted))
        let text = String(decoding: try #require(FileManager.default.contents(atPath: directory + "/journal.jsonl")), as: UTF8.self)
        let lines = text.split(separator: "\n").dropFirst().map(String.init)
        #expect(lines == [
            #"{"assessmentId":7,"status":"applied","errorKind":null,"httpStatus":200,"attempts":1,"error":null}"#,
            #"{"assessmentId":8,"status":"failed","errorKind":"mismatch","httpStatus":200,"attempts":3,"error":"category 1 criterion 2 reason is \"a\u0001\" on the server"}"#,
            #"{"assessmentId":null,"status":"notAttempted","errorKind":"notAttempted","httpStatus":null,"attempts":0,"error":null}"#,
        ])
        let read = try Journal.read(directory: directory)
        #expect(read.outcomes[8]?.error == "category 1 criterion 2 reason is \"a\u{1}\" on the server")
        #expect(read.outcomes[8]?.attempts == 3)
        #expect(read.outcomes[7]?.status == .applied)
    }
}
