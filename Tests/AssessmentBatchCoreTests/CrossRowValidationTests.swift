import Testing
@testable import AssessmentBatchCore

struct CrossRowValidationTests {
    @Test func assessmentLevelValuesMustAgree() {
        let batch = load("""
            assessmentId,categoryId,criterionId,score,supervisorAssessment,assessmentDate
            901,1,1,3,Gut,2024-06-12T13:00:00+02:00
            901,1,2,4,,2024-06-12T11:00:00Z
            901,1,3,5,Sehr gut,
            902,1,1,3,Gut,

            """)
        #expect(batch.problems == ["4: supervisorAssessment for assessment 901 differs from line 2"])
        #expect(batch.updates.map(\.assessmentId) == [902])
        #expect(batch.invalid.map(\.assessmentId) == [901])
    }

    @Test func sameCriterionTwiceIdenticalIsOneCriterion() {
        let batch = load("assessmentId,categoryId,criterionId,score,reason\n901,1,2,5,ok\n901,1,2,5,ok\n")
        #expect(batch.isValid)
        #expect(batch.updates.first?.criteria.count == 1)
        #expect(batch.updates.first?.sources.map(\.line) == [2, 3])
    }

    @Test func sameCriterionTwiceDifferentIsAnError() {
        let batch = load("assessmentId,categoryId,criterionId,score,reason\n901,1,2,5,ok\n901,1,3,5,ok\n901,1,2,4,ok\n")
        #expect(batch.problems == ["4: category 1 criterion 2 of assessment 901 is already set differently on line 2"])
    }

    @Test func everyRowOfAnInvalidAssessmentIsHeldBack() {
        let batch = load("assessmentId,categoryId,criterionId,score\n901,1,1,5\n902,1,1,5\n901,1,2,x\n")
        #expect(batch.updates.map(\.assessmentId) == [902])
        let failures = batch.invalidRows
        #expect(failures.count == 2)
        #expect(failures[SourceLocation(input: 0, line: 4)]?.message == "score must be a whole number ≥ 0, got \"x\"")
        #expect(failures[SourceLocation(input: 0, line: 2)]?.message == "assessment 901 not sent: line 4: score must be a whole number ≥ 0, got \"x\"")
        #expect(failures[SourceLocation(input: 0, line: 2)]?.kind == .invalid)
    }

    @Test func everyProblemIsReportedNotOnlyTheFirst() {
        let batch = load("assessmentId,categoryId,criterionId,score,state\n0,1,2,x,done\n901,1,2,5,\n902,a,2,5,\n")
        #expect(batch.problems == [
            "2: assessmentId must be a positive integer, got \"0\"",
            "2: score must be a whole number ≥ 0, got \"x\"",
            "2: state must be reviewedBySupervisor or discussedWithAssessee, got \"done\"",
            "4: categoryId must be a positive integer, got \"a\"",
        ])
    }

    @Test func rowsOfOneAssessmentAcrossFilesAreOnePatch() {
        let csv = writeInput("assessmentId,categoryId,criterionId,score\n901,1,1,5\n", name: "a.csv")
        let jsonl = writeInput("{\"assessmentId\": 901, \"criteria\": [{\"categoryId\": 1, \"criterionId\": 2, \"reason\": \"x\"}]}\n", name: "b.jsonl")
        let batch = BatchLoader.load([csv, jsonl])
        #expect(batch.isValid)
        #expect(batch.updates.count == 1)
        #expect(batch.updates[0].criteria.map(\.criterionId) == [1, 2])
        #expect(batch.updates[0].sources == [SourceLocation(input: 0, line: 2), SourceLocation(input: 1, line: 1)])
    }
}
