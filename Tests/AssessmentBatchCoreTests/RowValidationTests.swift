import Testing
@testable import AssessmentBatchCore

struct RowValidationTests {
    @Test(arguments: [("0", "0"), ("-3", "-3"), ("abc", "abc"), ("1.5", "1.5"), ("99999999999999999999", "99999999999999999999")])
    func assessmentIdMustBePositiveInteger(value: String, shown: String) {
        let batch = load("assessmentId,state\n\(value),reviewedBySupervisor\n")
        #expect(batch.problems == ["2: assessmentId must be a positive integer, got \"\(shown)\""])
        #expect(batch.invalid.count == 1 && batch.invalid[0].assessmentId == nil)
    }

    @Test(arguments: ["5.5", "-1", "x"])
    func scoreMustBeAWholeNumber(value: String) {
        let batch = load("assessmentId;categoryId;criterionId;score\n901;1;2;\(value)\n")
        #expect(batch.problems == ["2: score must be a whole number ≥ 0, got \"\(value)\""])
    }

    @Test func scoreZeroIsAScore() {
        let batch = load("assessmentId,categoryId,criterionId,score\n901,1,2,0\n")
        #expect(batch.updates.first?.criteria.first?.score == 0)
    }

    @Test func criterionNeedsBothIds() {
        let batch = load("assessmentId,categoryId,criterionId,score\n901,1,,5\n902,,3,5\n")
        #expect(batch.problems == [
            "2: criterionId is missing: a criterion needs both categoryId and criterionId",
            "3: categoryId is missing: a criterion needs both categoryId and criterionId",
        ])
    }

    @Test func scoreWithoutCriterionIds() {
        let batch = load("assessmentId,categoryId,criterionId,score,reason\n901,,,5,\n902,,,,why\n")
        #expect(batch.problems == [
            "2: score needs categoryId and criterionId to name its criterion",
            "3: reason needs categoryId and criterionId to name its criterion",
        ])
    }

    @Test func criterionNeedsScoreOrReason() {
        let batch = load("assessmentId,categoryId,criterionId,score,reason\n901,1,2,,\n")
        #expect(batch.problems == ["2: a criterion needs a score or a reason"])
    }

    @Test func rowWithOnlyAssessmentLevelValuesIsFine() {
        let batch = load("assessmentId,categoryId,criterionId,score,supervisorAssessment\n901,,,,Gut gemacht\n")
        #expect(batch.isValid)
        #expect(batch.updates.first?.fields.supervisorAssessment == "Gut gemacht")
        #expect(batch.updates.first?.criteria.isEmpty == true)
    }

    @Test func rowThatSetsNothing() {
        let batch = load("assessmentId,categoryId,criterionId,score\n901,,,\n")
        #expect(batch.problems == ["2: the row sets nothing to update (no criterion, text, date or state)"])
    }

    @Test func stateMustBeOneOfTwo() {
        let batch = load("assessmentId,state\n901,reviewOngoing\n902,DiscussedWithAssessee\n")
        #expect(batch.problems == ["2: state must be reviewedBySupervisor or discussedWithAssessee, got \"reviewOngoing\""])
        #expect(batch.updates.first?.fields.state == .discussedWithAssessee)
    }

    @Test func dateWithoutOffsetIsRejectedUnlessATimezoneIsGiven() {
        let text = "assessmentId,assessmentDate\n901,2024-06-12T11:00:00\n"
        #expect(load(text).problems == [
            "2: assessmentDate \"2024-06-12T11:00:00\" has no UTC offset: write it like 2024-06-12T11:00:00+02:00 or pass --timezone",
        ])
        let berlin = load(text, options: LoadOptions(zone: Timestamp.Zone("Europe/Berlin")))
        #expect(berlin.updates.first?.fields.assessmentDate?.description == "2024-06-12T09:00:00Z")
        let fixed = load(text, options: LoadOptions(zone: Timestamp.Zone("-05:30")))
        #expect(fixed.updates.first?.fields.assessmentDate?.description == "2024-06-12T16:30:00Z")
    }

    @Test(arguments: ["2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-06-12T25:00:00Z", "2024-06-12T11:00:00+2", "yesterday"])
    func malformedDates(value: String) {
        let batch = load("assessmentId,discussionDate\n901,\(value)\n")
        #expect(batch.problems == ["2: discussionDate must be an RFC 3339 date-time like 2024-06-12T11:00:00+02:00, got \"\(value)\""])
    }

    @Test func expectedModifiedAtIsADateGuard() {
        let batch = load("assessmentId,expectedModifiedAt,state\n901,2024-06-12T11:00:00.123+02:00,reviewedBySupervisor\n902,soon,reviewedBySupervisor\n")
        #expect(batch.problems == ["3: expectedModifiedAt must be an RFC 3339 date-time like 2024-06-12T11:00:00+02:00, got \"soon\""])
        #expect(batch.updates.first?.fields.expectedModifiedAt?.description == "2024-06-12T09:00:00.123Z")
    }
}
