import Testing
@testable import AssessmentBatchCore

/// The three-way rule as preflight applies it: write, unchanged or conflict per edited value.
@Suite struct ExpectedValuesTests {
    private let key = CriterionKey(categoryId: 4, criterionId: 10)

    private var scorecard: Scorecard {
        var scorecard = Scorecard(id: 7, categories: [4: [10: ScorecardCriterion(id: 10, maxPoints: 5, scoringType: .numericScale, label: "Name genannt")]])
        scorecard.categoryLabels = [4: "Begrüßung"]
        return scorecard
    }

    private func live(score: Double?, reason: String? = "ok", state: AssessmentState = .reviewOngoing) -> LiveAssessment {
        var live = LiveAssessment()
        live.id = 901
        live.scorecardId = 7
        live.state = state
        live.canEdit = true
        live.criteria[key] = LiveAssessment.Criterion(score: score, reason: reason, state: "aiGenerated")
        return live
    }

    private func edit(score: Int, seen: SeenValue<Int>) -> AssessmentUpdate {
        var update = AssessmentUpdate(assessmentId: 901, criteria: [CriterionUpdate(categoryId: 4, criterionId: 10, score: score)])
        var expected = ExpectedValues()
        expected.criteria = [CriterionExpectation(key: key, score: seen)]
        update.expected = expected
        return update
    }

    @Test func anEditIsWrittenWhileTheLiveValueIsTheOneSeen() {
        let verdict = PreflightDecision.decide(edit(score: 5, seen: .value(4)), live: live(score: 4), scorecard: scorecard, options: PreflightOptions())
        guard case .write(let changes, _, _) = verdict else { Issue.record("expected a write, got \(verdict)"); return }
        #expect(changes == [PlannedChange(field: #"category 4 "Begrüßung" criterion 10 "Name genannt" score"#, old: "4", new: "5")])
    }

    @Test func anEditSomeoneElseAlreadyMadeIsUnchanged() {
        var current = live(score: 5)
        current.criteria[key]?.state = "humanVerified"
        let verdict = PreflightDecision.decide(edit(score: 5, seen: .value(4)), live: current, scorecard: scorecard, options: PreflightOptions())
        guard case .unchanged = verdict else { Issue.record("expected unchanged, got \(verdict)"); return }
    }

    @Test func anEditOfAValueThatMovedIsAConflictNamingBothValues() {
        let verdict = PreflightDecision.decide(edit(score: 5, seen: .value(4)), live: live(score: 2), scorecard: scorecard, options: PreflightOptions())
        guard case .failed(let kind, let message, _) = verdict else { Issue.record("expected a conflict, got \(verdict)"); return }
        #expect(kind == .conflict)
        #expect(message == #"assessment 901 not written: category 4 "Begrüßung" criterion 10 "Name genannt" score changed on the server since the file was made: the file saw 4, the server now has 2, the file sets 5"#)
    }

    @Test func anUnscoredCriterionSeenEmptyConflictsOnceScored() {
        let written = PreflightDecision.decide(edit(score: 3, seen: .empty), live: live(score: nil), scorecard: scorecard, options: PreflightOptions())
        guard case .write = written else { Issue.record("expected a write, got \(written)"); return }
        let moved = PreflightDecision.decide(edit(score: 3, seen: .empty), live: live(score: 1), scorecard: scorecard, options: PreflightOptions())
        guard case .failed(.conflict, let message, _) = moved else { Issue.record("expected a conflict, got \(moved)"); return }
        #expect(message.hasSuffix("the file saw (unscored), the server now has 1, the file sets 3"))
    }

    @Test func aStateTransitionConflictsWhenTheLiveStateIsNotTheOneSeen() {
        var update = AssessmentUpdate(assessmentId: 901)
        update.fields.state = .reviewedBySupervisor
        var expected = ExpectedValues()
        expected[.state] = .value(.state(.aiReady))
        update.expected = expected
        let verdict = PreflightDecision.decide(update, live: live(score: 4, state: .reviewOngoing), scorecard: scorecard, options: PreflightOptions())
        guard case .failed(.conflict, let message, _) = verdict else { Issue.record("expected a conflict, got \(verdict)"); return }
        #expect(message == "assessment 901 not written: state changed on the server since the file was made: the file saw aiReady, the server now has reviewOngoing, the file sets reviewedBySupervisor")
    }

    @Test func anUpdateWithNothingToSendIsUnchangedEvenWhenNotEditable() {
        var current = live(score: 4)
        current.canEdit = false
        let verdict = PreflightDecision.decide(AssessmentUpdate(assessmentId: 901), live: current, scorecard: scorecard, options: PreflightOptions())
        guard case .unchanged = verdict else { Issue.record("expected unchanged, got \(verdict)"); return }
    }
}
