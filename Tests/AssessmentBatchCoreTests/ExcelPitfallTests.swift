import Testing

@testable import AssessmentBatchCore

/// What Excel does to values: still rejected, with the likely cause named.
struct ExcelPitfallTests {
    @Test func decimalComma() {
        #expect(load("assessmentId;categoryId;criterionId;score\n901;1;2;5,0\n").problems == [
            "2: score must be a whole number ≥ 0, got \"5,0\" (Excel wrote a decimal comma: scores are whole numbers)",
        ])
    }

    @Test func scientificNotationId() {
        #expect(load("assessmentId;state\n9,01E+02;reviewedBySupervisor\n").problems == [
            "2: assessmentId must be a positive integer, got \"9,01E+02\" (Excel wrote the number in scientific notation: "
                + "format the column as Number with 0 decimals, or as Text)",
        ])
    }

    @Test func thousandsSeparatorInAnId() {
        #expect(load("assessmentId;state\n1.234;reviewedBySupervisor\n").problems == [
            "2: assessmentId must be a positive integer, got \"1.234\" (Excel wrote a thousands separator: format the column as Number without separators)",
        ])
    }

    @Test(arguments: ["12.06.2024 11:00", "12.06.2024", "6/12/2024 11:00:00"])
    func localDateWithoutOffset(value: String) {
        #expect(load("assessmentId;discussionDate\n901;\(value)\n").problems == [
            "2: discussionDate must be an RFC 3339 date-time like 2024-06-12T11:00:00+02:00, got \"\(value)\" "
                + "(Excel wrote a local date without offset: format the column as Text and write the offset)",
        ])
    }

    @Test func dateAsSerialNumber() {
        #expect(load("assessmentId;assessmentDate\n901;45455,458\n").problems == [
            "2: assessmentDate must be an RFC 3339 date-time like 2024-06-12T11:00:00+02:00, got \"45455,458\" "
                + "(Excel wrote the date as a serial number: format the column as Text)",
        ])
    }

    @Test(arguments: ["WAHR", "FALSCH", "TRUE", "false"])
    func truthValues(value: String) {
        #expect(load("assessmentId;categoryId;criterionId;score;state\n901;1;2;\(value);\(value)\n").problems == [
            "2: score must be a whole number ≥ 0, got \"\(value)\" (Excel wrote a truth value: format the column as Number or Text)",
            "2: state must be reviewedBySupervisor or discussedWithAssessee, got \"\(value)\" (Excel wrote a truth value: format the column as Number or Text)",
        ])
    }

    @Test func plainMistakesGetNoExcelHint() {
        #expect(load("assessmentId;categoryId;criterionId;score\n901;1;2;x\n").problems == [
            "2: score must be a whole number ≥ 0, got \"x\"",
        ])
    }
}
