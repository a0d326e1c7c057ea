import Testing
@testable import AssessmentBatchCore

/// One input per input rule of the README, with the exact line and message.
struct HeaderValidationTests {
    @Test func unknownColumnNamesTheClosestKnownColumn() {
        let batch = load("assessmentId,categoryId,criterionId,scroe\n901,1,2,5\n")
        #expect(batch.problems == ["1: unknown column \"scroe\" (did you mean \"score\"?)"])
        #expect(batch.hasFileErrors)
        #expect(batch.updates.isEmpty)
    }

    @Test func headersMatchCaseInsensitively() {
        let batch = load("AssessmentID,CATEGORYID,criterionid,Score\n901,1,2,5\n")
        #expect(batch.isValid)
        #expect(batch.updates.first?.criteria == [CriterionUpdate(categoryId: 1, criterionId: 2, score: 5)])
    }

    @Test func duplicateColumnIsAnError() {
        let batch = load("assessmentId,score,Score\n901,1,2\n")
        #expect(batch.problems == ["1: column \"Score\" appears twice (columns 2 and 3)"])
    }

    @Test func missingAssessmentIdColumn() {
        let batch = load("categoryId,criterionId,score\n1,2,5\n")
        #expect(batch.problems == ["1: the header has no assessmentId column"])
    }

    @Test(arguments: ["", "assessmentId,score\n", "\u{FEFF}assessmentId;score\r\n\r\n"])
    func fileWithoutDataRowsIsInvalid(text: String) {
        let batch = load(text)
        #expect(batch.problems == ["1: the file has no data rows (a header and at least one row are required)"])
        #expect(batch.hasFileErrors)
    }

    @Test func emptyJSONLFileIsInvalid() {
        let batch = load("\n  \n", name: "empty.jsonl")
        #expect(batch.problems == ["1: the file has no rows"])
    }

    @Test func unknownExtensionNeedsFormat() {
        let batch = load("assessmentId\n1\n", name: "input.dat")
        #expect(batch.problems == ["1: cannot tell the format from the file name: use .csv, .tsv, .txt, .jsonl, .ndjson or .xlsx, or pass --format"])
        let forced = load("assessmentId,state\n1,reviewedBySupervisor\n", name: "input.txt", options: LoadOptions(format: .csv))
        #expect(forced.isValid)
    }

    @Test func toolColumnsAreIgnoredOnInput() {
        let batch = load("assessmentId,categoryId,criterionId,score,error,errorKind,sourceLine\n901,1,2,5,HTTP 503,transient,7\n")
        #expect(batch.isValid)
        #expect(batch.updates.first?.criteria == [CriterionUpdate(categoryId: 1, criterionId: 2, score: 5)])
    }

    @Test func unnamedColumnsMayOnlyHoldEmptyValues() {
        let batch = load("assessmentId;state;;\n901;reviewedBySupervisor;;\n902;reviewedBySupervisor;x;\n")
        #expect(batch.problems == ["3: field 3 has a value but its column has no name in the header"])
        #expect(batch.updates.map(\.assessmentId) == [901])
    }

    @Test func valueUnderAColumnBeyondTheHeader() {
        let batch = load("assessmentId,categoryId,criterionId,score\n901,1,2,5,,\n902,1,2,5,oops\n")
        #expect(batch.problems == ["3: field 5 has a value but the header has only 4 columns"])
    }
}
