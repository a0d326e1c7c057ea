import Testing
@testable import AssessmentBatchCore

/// Dates a spreadsheet re-wrote in its own format, in a sheet with Before columns.
@Suite struct ReformattedDateTests {
    private let header = "assessmentId,categoryId,criterionId,score,scoreBefore,assessmentDate,assessmentDateBefore\n"

    @Test func anUnchangedPairIsNoEditWhateverItsFormat() {
        let batch = load(header + "901,1,2,5,4,24.11.2026 14:30,24.11.2026 14:30\n")
        #expect(batch.problems == [])
        #expect(batch.updates.first?.fields.assessmentDate == nil)
        #expect(batch.updates.first?.criteria.first?.score == 5)
    }

    @Test func anEditedDateMustStillBeReadable() {
        let batch = load(header + "901,1,2,,,24.11.2026 15:00,24.11.2026 14:30\n")
        #expect(batch.problems == [
            "2: assessmentDate must be an RFC 3339 date-time like 2024-06-12T11:00:00+02:00, got \"24.11.2026 15:00\" (Excel wrote a local date without offset: format the column as Text and write the offset)",
            "2: assessmentDateBefore must be an RFC 3339 date-time like 2024-06-12T11:00:00+02:00, got \"24.11.2026 14:30\" (Excel wrote a local date without offset: format the column as Text and write the offset)",
        ])
    }

    @Test func withoutBeforeColumnsAnUnreadableDateIsAnErrorAsAlways() {
        let batch = load("assessmentId,assessmentDate\n901,24.11.2026 14:30\n")
        #expect(batch.problems == ["2: assessmentDate must be an RFC 3339 date-time like 2024-06-12T11:00:00+02:00, got \"24.11.2026 14:30\" (Excel wrote a local date without offset: format the column as Text and write the offset)"])
    }
}
