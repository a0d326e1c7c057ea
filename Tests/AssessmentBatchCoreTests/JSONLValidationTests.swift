import Testing
@testable import AssessmentBatchCore

struct JSONLValidationTests {
    @Test func flatAndNestedLinesMix() {
        let batch = load("""
            {"assessmentId": 901, "categoryId": 1, "criterionId": 2, "score": 5, "reason": "Great intro"}
            {"assessmentId": 902, "criteria": [{"categoryId": 1, "criterionId": 2, "score": 4}, {"categoryId": 2, "criterionId": 6, "reason": "ok"}], "state": "reviewedBySupervisor", "supervisorAssessment": null}

            {"assessmentId": 901, "assessmentDate": "2024-06-12T11:00:00+02:00"}
            """, name: "nightly.jsonl")
        #expect(batch.isValid)
        #expect(batch.rows == 3)
        #expect(batch.updates.map(\.assessmentId) == [901, 902])
        #expect(batch.updates[0].criteria == [CriterionUpdate(categoryId: 1, criterionId: 2, score: 5, reason: "Great intro")])
        #expect(batch.updates[0].fields.assessmentDate?.description == "2024-06-12T09:00:00Z")
        #expect(batch.updates[0].sources.map(\.line) == [1, 4])
        #expect(batch.updates[1].criteria.count == 2)
        #expect(batch.updates[1].fields.state == .reviewedBySupervisor)
    }

    @Test func problemsPerLine() {
        let batch = load("""
            {"assessmentId": 901, "score": 5
            [1, 2]
            {"assessmentId": 902, "scroe": 5}
            {"assessmentId": 903, "categoryId": 1, "criterionId": 2, "score": "5"}
            {"assessmentId": 904, "criteria": {"categoryId": 1}}
            {"assessmentId": 905, "criteria": [{"categoryId": 1, "criterionId": 2}], "categoryId": 1}
            {"assessmentId": 906, "criteria": [{"categoryId": 1, "criterionId": 2, "points": 3}]}
            {"assessmentId": 907, "state": true}
            {"assessmentId": 12345678901234567890123, "state": "reviewedBySupervisor"}
            """, name: "bad.jsonl")
        #expect(batch.problems.count == 9)
        #expect(batch.problems[0].hasPrefix("1: invalid JSON: "))
        #expect(batch.problems[1] == "2: each line must be a JSON object")
        #expect(batch.problems[2] == "3: unknown key \"scroe\" (did you mean \"score\"?)")
        #expect(batch.problems[3] == "5: criteria must be an array of objects")
        #expect(batch.problems[4] == "6: a line holds either flat criterion keys (categoryId, criterionId, score, reason) or a criteria array, not both")
        #expect(batch.problems[5] == "7: criteria[0]: unknown key \"points\" (did you mean \"score\"?)")
        #expect(batch.problems[6] == "7: criteria[0]: a criterion needs a score or a reason")
        #expect(batch.problems[7] == "8: state must be reviewedBySupervisor or discussedWithAssessee, got true")
        #expect(batch.problems[8] == "9: assessmentId must be a positive integer, got 12345678901234567890123… (too large)")
        // Digits in a string are read as the number they spell.
        #expect(batch.updates.map(\.assessmentId) == [903])
        #expect(batch.updates.first?.criteria.first?.score == 5)
        #expect(!batch.hasFileErrors)
    }
}
