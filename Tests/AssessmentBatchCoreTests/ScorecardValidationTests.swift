import Testing
@testable import AssessmentBatchCore

struct ScorecardValidationTests {
    static let scorecards = ScorecardCatalog([
        Scorecard(id: 7, categories: [
            1: [1: ScorecardCriterion(id: 1, maxPoints: 5, scoringType: .numericScale),
                2: ScorecardCriterion(id: 2, maxPoints: 10, scoringType: .metNotMet)],
        ]),
    ])

    @Test func rowsWithScorecardIdAreChecked() {
        let batch = load("""
            assessmentId,scorecardId,categoryId,criterionId,score
            901,7,1,1,5
            901,7,1,2,10
            902,7,1,1,6
            903,7,1,2,5
            904,7,2,1,1
            905,7,1,9,1
            906,8,1,1,1
            907,,1,1,99

            """, options: LoadOptions(scorecards: Self.scorecards))
        #expect(batch.problems == [
            "4: score 6 is out of range for category 1 criterion 1 (numericScale: 0…5)",
            "5: score 5 is out of range for category 1 criterion 2 (metNotMet: 0 or 10)",
            "6: category 2 is not on scorecard 7",
            "7: criterion 9 is not in category 1 of scorecard 7",
            "8: scorecard 8 is not in the scorecards file",
        ])
        #expect(batch.updates.map(\.assessmentId) == [901, 907])
    }

    @Test func scorecardJSONAsTheAPIReturnsIt() throws {
        let json = """
            [{"id": 7, "baseId": 3, "revision": 2, "name": "Phone", "state": "active", "categories": [
              {"categoryId": 1, "label": "Greeting", "order": 1, "criteria": [
                {"id": 1, "label": "Intro", "maxPoints": 5, "scoringType": "numericScale", "makeOrBreakForCategory": false},
                {"id": 2, "label": "Name", "maxPoints": 2, "scoringType": "metNotMet"}]}]}]
            """
        let catalog = try ScorecardCatalog.load(path: writeInput(json, name: "scorecards.json"))
        #expect(catalog.scorecards[7]?.categories[1]?[2]?.maxPoints == 2)
        #expect(catalog.scorecards[7]?.problem(with: CriterionUpdate(categoryId: 1, criterionId: 2, score: 1)) != nil)
        #expect(catalog.scorecards[7]?.problem(with: CriterionUpdate(categoryId: 1, criterionId: 2, score: 2)) == nil)
        #expect(catalog.scorecards[7]?.problem(with: CriterionUpdate(categoryId: 1, criterionId: 2, reason: "r")) == nil)
    }
}
