import SharedSupport
import Foundation
import Testing
@testable import AssessmentBatchCore

struct ExcelExportTests {
    /// What Excel on a German Windows writes for "CSV UTF-8 (durch Trennzeichen getrennt)".
    @Test func germanExcelExportReadsExactly() {
        var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
        bytes += Array("""
            assessmentId;categoryId;criterionId;score;reason;supervisorAssessment\r
            901;1;1;4;"Begrüßung freundlich; Name genannt";"Gespräch ruhig geführt,\r
            Rückfragen gut"\r
            901;1;2;0;"Kein ""Danke"" am Ende";\r
            ;;;;;\r

            """.utf8)
        let batch = BatchLoader.load([writeInput(bytes, name: "Kalibrierung März.csv")])
        #expect(batch.inputs[0].hasByteOrderMark)
        #expect(batch.inputs[0].delimiter == UInt8(ascii: ";"))
        #expect(batch.inputs[0].lineEnding == "\r\n")
        #expect(batch.problems == ["5: assessmentId is missing"])
        let update = batch.updates.first
        #expect(update?.fields.supervisorAssessment == "Gespräch ruhig geführt,\r\nRückfragen gut")
        #expect(update?.criteria == [
            CriterionUpdate(categoryId: 1, criterionId: 1, score: 4, reason: "Begrüßung freundlich; Name genannt"),
            CriterionUpdate(categoryId: 1, criterionId: 2, score: 0, reason: "Kein \"Danke\" am Ende"),
        ])
    }

    @Test func tabSeparatedByExtensionAndByDetection() {
        let text = "assessmentId\tcategoryId\tcriterionId\tscore\n901\t1\t2\t3\n"
        for name in ["x.tsv", "x.csv"] {
            let batch = load(text, name: name)
            #expect(batch.isValid)
            #expect(batch.inputs[0].delimiter == UInt8(ascii: "\t"))
            #expect(batch.updates.first?.criteria.first?.score == 3)
        }
    }
}
