import Foundation
import StrictJSON
import Testing

@testable import AssessmentSimulator

@Suite("Seed data")
struct SeedTests {
    @Test func generationIsDeterministicAndCoversTheDomain() throws {
        let a = SimulatorStore(seed: try Simulator.makeSeed(.generated(assessments: 3000, seed: 5)), adminToken: SimulatorTokens.demo)
        let b = SimulatorStore(seed: try Simulator.makeSeed(.generated(assessments: 3000, seed: 5)), adminToken: SimulatorTokens.demo)
        let c = SimulatorStore(seed: try Simulator.makeSeed(.generated(assessments: 3000, seed: 6)), adminToken: SimulatorTokens.demo)
        let all = a.allAssessments()
        #expect(all == b.allAssessments())
        #expect(all != c.allAssessments())
        #expect(a.allScorecards() == b.allScorecards())
        #expect(all.map(\.id) == Array(1001...4000))
        #expect(Set(all.map(\.state)) == Set(AssessmentState.allCases))
        #expect(all.prefix(8).map(\.state) == AssessmentState.allCases)

        // Several scorecards with revisions; assessments on current and older revisions.
        let cards = a.allScorecards()
        #expect(Set(cards.map(\.baseId)).count >= 3)
        #expect(cards.contains { $0.revision >= 2 })
        #expect(Set(cards.map(\.state)) == Set(ScorecardState.allCases))
        #expect(Set(all.map(\.scorecardId)).count >= 4)
        for card in cards {
            let criteria = card.categories.flatMap(\.criteria)
            #expect(Set(criteria.map(\.scoringType)) == Set(ScoringType.allCases))
            #expect(criteria.contains { $0.makeOrBreakForCategory })
            #expect(criteria.contains { $0.makeOrBreakForAssessment })
            #expect(criteria.allSatisfy { $0.maxPoints >= 1 })
        }
        // Every stored score is valid for its criterion and totals match the formula.
        for assessment in all.prefix(500) {
            let card = try #require(a.scorecard(id: assessment.scorecardId))
            #expect(assessment.scorecardBaseId == card.baseId)
            for value in assessment.criteria {
                let criterion = try #require(card.criterion(categoryId: value.categoryId, criterionId: value.criterionId))
                if let score = value.score { #expect(criterion.accepts(score: score)) }
                #expect((value.score == nil) == (value.state == .unscored))
            }
            #expect(assessment.totals == Self.expectedTotals(assessment, card))
        }
        // Some assessments are not editable by the demo admin; the team lead can edit some.
        #expect(all.contains { a.canEdit(assessmentID: $0.id, token: SimulatorTokens.demo) == false && $0.state != .deleted })
        #expect(all.contains { a.canEdit(assessmentID: $0.id, token: SimulatorTokens.teamLead) == true })
        #expect(all.contains { a.canEdit(assessmentID: $0.id, token: SimulatorTokens.teamLead) == false && $0.state != .deleted })
        #expect(a.assessment(id: 1009)?.assessedUser == SimulatorUsers.demoAdmin)
        // Knock-outs happen in the data.
        #expect(all.contains { $0.totals.usedMaxPoints > 0 && $0.totals.scoredPoints == 0 })
    }

    /// Independent re-implementation of the totals formula.
    static func expectedTotals(_ assessment: SimAssessment, _ card: SimScorecard) -> SimTotals {
        var scored = 0
        var used = 0
        var total = 0
        var killAll = false
        for category in card.categories {
            var points = 0
            var kill = false
            for criterion in category.criteria {
                total += criterion.maxPoints
                guard let score = assessment.criterion(categoryId: category.categoryId, criterionId: criterion.id)?.score else { continue }
                points += score
                used += criterion.maxPoints
                if score == 0, criterion.makeOrBreakForCategory { kill = true }
                if score == 0, criterion.makeOrBreakForAssessment { killAll = true }
            }
            if !kill { scored += points }
        }
        if killAll { scored = 0 }
        let percentage = used == 0 ? 0 : Int((100 * Double(scored) / Double(used)).rounded())
        return SimTotals(scoredPoints: scored, usedMaxPoints: used, totalMaxPoints: total, percentage: percentage)
    }

    /// Measured as CPU time of the generating thread (generation is synchronous), so that tests
    /// running in parallel on the same cores do not make it flaky.
    @Test func fiftyThousandAssessmentsGenerateQuickly() throws {
        func threadCPUSeconds() -> Double {
            var spec = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
            return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
        }
        let start = threadCPUSeconds()
        let seed = try Simulator.makeSeed(.generated(assessments: 50_000, seed: 1))
        let seconds = threadCPUSeconds() - start
        #expect(seed.assessments.count == 50_000)
        #expect(seconds <= 2, "generation took \(seconds) s")
    }

    @Test func demoSampleSeedLoads() async throws {
        let path = packageRoot.appendingPathComponent("samples/sim-seed.json").path
        try await withSimulator(SimulatorConfiguration(port: 0, seed: .file(path: path))) { sim in
            let all = sim.store.allAssessments()
            #expect(all.map(\.id) == Array(901...912))
            let cards = sim.store.allScorecards()
            #expect(Set(cards.map(\.baseId)).count == 2)
            #expect(Dictionary(grouping: cards, by: \.baseId).values.contains { $0.count == 2 })
            let criteria = cards.flatMap { $0.categories.flatMap(\.criteria) }
            #expect(Set(criteria.map(\.scoringType)) == Set(ScoringType.allCases))
            #expect(criteria.contains { $0.makeOrBreakForCategory } && criteria.contains { $0.makeOrBreakForAssessment })
            let states = all.map(\.state)
            #expect(states.filter { $0 == .unprocessed }.count == 1)
            #expect(states.filter { $0 == .deleted }.count == 1)
            #expect(states.filter { [.aiReady, .reviewOngoing, .reviewedBySupervisor].contains($0) }.count >= 8)
            let notEditable = all.filter { $0.state != .deleted && sim.store.canEdit(assessmentID: $0.id, token: SimulatorTokens.demo) == false }
            #expect(notEditable.map(\.id) == [909])
            for assessment in all {
                let card = try #require(sim.store.scorecard(id: assessment.scorecardId))
                #expect(assessment.totals == Self.expectedTotals(assessment, card))
            }
        }
    }

    @Test(arguments: [
        (#"{"scorecards": [], "assessments": [], "extra": 1}"#, "unknown key 'extra'"),
        (#"{"scorecards": [], "assessments": [{"id": 1, "scorecardId": 5, "state": "aiReady", "assessedUser": 1, "ticketId": 1, "createdAt": "2025-01-01T00:00:00Z"}]}"#, "scorecardId 5"),
        (#"{"scorecards": [{"id": 5, "name": "x", "categories": [{"categoryId": 1, "label": "c", "criteria": [{"id": 1, "label": "k", "maxPoints": 2, "scoringType": "metNotMet"}]}]}], "assessments": [{"id": 1, "scorecardId": 5, "state": "aiReady", "assessedUser": 1, "ticketId": 1, "createdAt": "2025-01-01T00:00:00Z", "criteria": [{"categoryId": 1, "criterionId": 1, "score": 1}]}]}"#, "out of range"),
        (#"{"scorecards": [], "assessments": [{"id": "1"}]}"#, "must be an integer"),
        ("{", "malformed JSON"),
    ])
    func invalidSeedFilesAreRejected(json: String, fragment: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-seed-\(UUID().uuidString).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try Simulator.makeSeed(.file(path: path))
            Issue.record("accepted an invalid seed file")
        } catch {
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }
}

@Suite("Parsing units")
struct UnitTests {
    @Test(arguments: [
        ("2024-06-12T11:00:00Z", "2024-06-12T11:00:00Z"),
        ("2024-06-12T13:00:00+02:00", "2024-06-12T11:00:00Z"),
        ("2024-06-12T00:30:00-01:00", "2024-06-12T01:30:00Z"),
        ("2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00Z"),
        ("2024-02-29T12:00:00.5z", "2024-02-29T12:00:00.5Z"),
        ("2024-06-12t11:00:00.123456789Z", "2024-06-12T11:00:00.123456789Z"),
    ])
    func validDatesNormaliseToUTC(input: String, output: String) {
        #expect(SimDate.parseRFC3339(input)?.rfc3339 == output)
    }

    @Test(arguments: [
        "2024-06-12T11:00:00", "2024-06-12", "2024-06-12 11:00:00Z", "2023-02-29T00:00:00Z", "2024-06-12T24:00:00Z",
        "2024-06-12T11:60:00Z", "2024-06-12T11:00:60Z", "2024-06-12T11:00:00+2:00", "2024-06-12T11:00:00+02", "2024-06-12T11:00:00.Z",
        "2024-06-12T11:00:00.1234567890Z", "2024-6-12T11:00:00Z", "2024-06-12T11:00:00Z ", "9999-12-31T23:00:00-02:00",
    ])
    func invalidDatesAreRejected(input: String) {
        #expect(SimDate.parseRFC3339(input) == nil)
    }

    @Test func millisecondStampsFormatWithThreeDigits() {
        #expect(SimDate(milliseconds: 1_718_190_000_007).rfc3339 == "2024-06-12T11:00:00.007Z")
        #expect(SimDate(milliseconds: 0).rfc3339 == "1970-01-01T00:00:00.000Z")
    }

    /// The parser itself is StrictJSON's (tested there); these are the simulator's views of it.
    @Test func integerLiteralsAreTellApartFromOtherNumbers() throws {
        let value = try Array(#"[1, -2, 3.5, 1e2, 99999999999999999999]"#.utf8).withUnsafeBytes { try JSONParser.parse($0) }
        let elements = try #require(value.arrayValue)
        #expect(elements.map(\.int64Value) == [1, -2, nil, nil, nil])
        #expect(elements.map(\.typeName) == ["integer", "integer", "number", "number", "number"])
    }
}
