import Testing
@testable import AssessmentBatchCore

/// `PreflightDecision` case by case: every state, `canEdit`, the guards, state regression, and
/// the three-way rule for assessment-level values, each with the exact verdict.
@Suite struct PreflightDecisionTests {
    private static let key = CriterionKey(categoryId: 1, criterionId: 2)

    /// A live assessment: editable, state `reviewOngoing`, one criterion scored 4.
    private static func live(_ change: (inout LiveAssessment) -> Void = { _ in }) -> LiveAssessment {
        var live = LiveAssessment()
        live.id = 901
        live.scorecardId = 7
        live.state = .reviewOngoing
        live.canEdit = true
        live.modifiedAt = Self.date("2025-06-01T10:00:00Z")
        live.aiSummary = "summary"
        live.criteria[key] = LiveAssessment.Criterion(score: 4, reason: "ok", state: "aiGenerated")
        change(&live)
        return live
    }

    /// An update of assessment 901 that sets the fields `change` sets (and no criterion).
    private static func update(_ change: (inout AssessmentUpdate) -> Void) -> AssessmentUpdate {
        var update = AssessmentUpdate(assessmentId: 901)
        change(&update)
        return update
    }

    /// An update that scores the criterion 5.
    private static let scoring = AssessmentUpdate(assessmentId: 901, criteria: [CriterionUpdate(categoryId: 1, criterionId: 2, score: 5)])

    private static func date(_ text: String) -> Timestamp {
        guard case .success(let timestamp) = Timestamp.parse(text) else { fatalError("not a date: \(text)") }
        return timestamp
    }

    /// The verdict in one line: `write <changes> | undo <json> | unrestorable <values>`,
    /// `unchanged`, or `<kind>: <message>`.
    private static func summary(_ verdict: PreflightVerdict) -> String {
        switch verdict {
        case .unchanged:
            return "unchanged"
        case .failed(let kind, let message, _):
            return "\(kind.rawValue): \(message)"
        case .write(let changes, let undo, let unrestorable):
            let changed = changes.map { "\($0.field) \($0.old)→\($0.new)" }.joined(separator: ", ")
            let restores = undo.map { JSONWriter.string(.object($0)) } ?? "none"
            let lost = unrestorable.map { "\($0.field)=\($0.value)" }.joined(separator: ", ")
            return "write \(changed) | undo \(restores) | unrestorable \(lost)"
        }
    }

    private static func decide(_ update: AssessmentUpdate, _ live: LiveAssessment, options: PreflightOptions = PreflightOptions()) -> String {
        summary(PreflightDecision.decide(update, live: live, scorecard: nil, options: options))
    }

    // MARK: - States and canEdit

    static let stateCases: [(AssessmentState, String)] = [
        (.unprocessed, "rejected: assessment 901 is in state unprocessed, which cannot be edited"),
        (.aiInProgress, "rejected: assessment 901 is in state aiInProgress, which cannot be edited"),
        (.aiReady, #"write category 1 criterion 2 score 4→5 | undo {"assessmentId":901,"criteria":[{"categoryId":1,"criterionId":2,"score":4}]} | unrestorable state=aiReady"#),
        (.reviewOngoing, #"write category 1 criterion 2 score 4→5 | undo {"assessmentId":901,"criteria":[{"categoryId":1,"criterionId":2,"score":4}]} | unrestorable "#),
        (.reviewedBySupervisor, #"write category 1 criterion 2 score 4→5 | undo {"assessmentId":901,"criteria":[{"categoryId":1,"criterionId":2,"score":4}]} | unrestorable "#),
        (.discussedWithAssessee, #"write category 1 criterion 2 score 4→5 | undo {"assessmentId":901,"criteria":[{"categoryId":1,"criterionId":2,"score":4}]} | unrestorable "#),
        (.error, "rejected: assessment 901 is in state error, which cannot be edited"),
        (.deleted, "rejected: assessment 901 is in state deleted, which cannot be edited"),
        // A state the tool does not know is left to the API to judge.
        (.unknown("archived"), #"write category 1 criterion 2 score 4→5 | undo {"assessmentId":901,"criteria":[{"categoryId":1,"criterionId":2,"score":4}]} | unrestorable "#),
    ]

    @Test(arguments: stateCases)
    func everyLiveState(_ state: AssessmentState, _ expected: String) {
        #expect(Self.decide(Self.scoring, Self.live { $0.state = state }) == expected)
    }

    @Test func everyKnownStateIsCovered() {
        #expect(Set(AssessmentState.known).isSubset(of: Set(Self.stateCases.map(\.0))))
    }

    @Test(arguments: [
        (true as Bool?, "write"),
        (nil, "write"),
        (false, "rejected: assessment 901 cannot be edited with this token (canEdit is false)"),
    ])
    func canEdit(_ canEdit: Bool?, _ expected: String) {
        let verdict = Self.decide(Self.scoring, Self.live { $0.canEdit = canEdit })
        #expect(expected == "write" ? verdict.hasPrefix("write ") : verdict == expected, "\(verdict)")
    }

    @Test func aStateThatCannotBeEditedWinsOverCanEdit() {
        #expect(Self.decide(Self.scoring, Self.live { $0.state = .deleted; $0.canEdit = false })
            == "rejected: assessment 901 is in state deleted, which cannot be edited")
    }

    @Test func anUpdateThatSetsNothingIsUnchangedWhateverTheState() {
        #expect(Self.decide(AssessmentUpdate(assessmentId: 901), Self.live { $0.state = .deleted }) == "unchanged")
    }

    // MARK: - Guards

    @Test func guards() {
        let otherScorecard = Self.update { $0.fields.scorecardId = 8; $0.fields.aiSummary = "new" }
        #expect(Self.decide(otherScorecard, Self.live())
            == "conflict: the file was made for scorecard 8, but assessment 901 uses scorecard 7")
        let sameScorecard = Self.update { $0.fields.scorecardId = 7; $0.fields.aiSummary = "new" }
        #expect(Self.decide(sameScorecard, Self.live()).hasPrefix(#"write aiSummary "summary"→"new""#))
        // The same instant in another offset is the same modification.
        let fresh = Self.update { $0.fields.expectedModifiedAt = Self.date("2025-06-01T12:00:00+02:00"); $0.fields.aiSummary = "new" }
        #expect(Self.decide(fresh, Self.live()).hasPrefix("write "))
        let stale = Self.update { $0.fields.expectedModifiedAt = Self.date("2025-06-01T09:00:00Z"); $0.fields.aiSummary = "new" }
        #expect(Self.decide(stale, Self.live())
            == "conflict: assessment 901 was modified at 2025-06-01T10:00:00Z, not at expectedModifiedAt 2025-06-01T09:00:00Z")
        #expect(Self.decide(stale, Self.live { $0.modifiedAt = nil })
            == "conflict: assessment 901 was modified at an unknown time, not at expectedModifiedAt 2025-06-01T09:00:00Z")
    }

    // MARK: - State transitions

    static let transitionCases: [(from: AssessmentState, to: AssessmentState, allowRegression: Bool, expected: String)] = [
        (.reviewOngoing, .reviewedBySupervisor, false,
         #"write state reviewOngoing→reviewedBySupervisor | undo none | unrestorable state=reviewOngoing"#),
        (.aiReady, .discussedWithAssessee, false,
         #"write state aiReady→discussedWithAssessee | undo none | unrestorable state=aiReady"#),
        // Forwards between the two settable states: undo cannot move the state back.
        (.reviewedBySupervisor, .discussedWithAssessee, false,
         #"write state reviewedBySupervisor→discussedWithAssessee | undo none | unrestorable state=reviewedBySupervisor"#),
        (.discussedWithAssessee, .reviewedBySupervisor, false,
         "conflict: state would move backwards from discussedWithAssessee to reviewedBySupervisor (pass --allow-state-regression to allow it)"),
        // Allowed backwards: undo moves it forwards again.
        (.discussedWithAssessee, .reviewedBySupervisor, true,
         #"write state discussedWithAssessee→reviewedBySupervisor | undo {"assessmentId":901,"state":"discussedWithAssessee"} | unrestorable "#),
        (.reviewedBySupervisor, .reviewedBySupervisor, false, "unchanged"),
        // A state outside the workflow's order is no regression.
        (.unknown("archived"), .reviewedBySupervisor, false,
         #"write state archived→reviewedBySupervisor | undo none | unrestorable state=archived"#),
    ]

    @Test(arguments: transitionCases.indices)
    func stateTransitions(_ index: Int) {
        let (from, to, allow, expected) = Self.transitionCases[index]
        let verdict = Self.decide(Self.update { $0.fields.state = to }, Self.live { $0.state = from },
                                  options: PreflightOptions(allowStateRegression: allow))
        #expect(verdict == expected)
    }

    // MARK: - The three-way rule

    /// An update that sets `aiSummary` to "edit" after seeing `seen`.
    private static func summaryEdit(seen: SeenValue<FieldValue>) -> AssessmentUpdate {
        update {
            $0.fields.aiSummary = "edit"
            var expected = ExpectedValues()
            expected[.aiSummary] = seen
            $0.expected = expected
        }
    }

    static let threeWayCases: [(seen: SeenValue<FieldValue>, live: String?, expected: String)] = [
        // The live value is the one seen: the edit is written.
        (.value(.text("summary")), "summary", #"write aiSummary "summary"→"edit" | undo {"assessmentId":901,"aiSummary":"summary"} | unrestorable "#),
        // Someone else made the same edit: nothing to write.
        (.value(.text("summary")), "edit", "unchanged"),
        // Someone else changed it: the whole assessment is a conflict.
        (.value(.text("summary")), "other",
         #"conflict: assessment 901 not written: aiSummary changed on the server since the file was made: the file saw "summary", the server now has "other", the file sets "edit""#),
        // Seen empty: an empty text and none are alike.
        (.empty, "", #"write aiSummary ""→"edit" | undo none | unrestorable aiSummary=(empty)"#),
        (.empty, nil, #"write aiSummary (empty)→"edit" | undo none | unrestorable aiSummary=(empty)"#),
        (.empty, "other",
         #"conflict: assessment 901 not written: aiSummary changed on the server since the file was made: the file saw (empty), the server now has "other", the file sets "edit""#),
    ]

    @Test(arguments: threeWayCases.indices)
    func threeWayText(_ index: Int) {
        let (seen, live, expected) = Self.threeWayCases[index]
        #expect(Self.decide(Self.summaryEdit(seen: seen), Self.live { $0.aiSummary = live }) == expected)
    }

    @Test func threeWayDatesCompareInstants() {
        let update = Self.update {
            $0.fields.assessmentDate = Self.date("2025-06-03T09:00:00Z")
            var expected = ExpectedValues()
            expected[.assessmentDate] = .value(.date(Self.date("2025-06-02T10:00:00+02:00")))
            $0.expected = expected
        }
        #expect(Self.decide(update, Self.live { $0.assessmentDate = Self.date("2025-06-02T08:00:00Z") })
            == #"write assessmentDate 2025-06-02T08:00:00Z→2025-06-03T09:00:00Z | undo {"assessmentId":901,"assessmentDate":"2025-06-02T08:00:00Z"} | unrestorable "#)
        #expect(Self.decide(update, Self.live { $0.assessmentDate = Self.date("2025-06-02T09:00:00Z") })
            == "conflict: assessment 901 not written: assessmentDate changed on the server since the file was made: the file saw 2025-06-02T08:00:00Z, the server now has 2025-06-02T09:00:00Z, the file sets 2025-06-03T09:00:00Z")
    }

    @Test func threeWayStateComesBeforeTheRegressionCheck() {
        let update = Self.update {
            $0.fields.state = .reviewedBySupervisor
            var expected = ExpectedValues()
            expected[.state] = .value(.state(.discussedWithAssessee))
            $0.expected = expected
        }
        #expect(Self.decide(update, Self.live { $0.state = .discussedWithAssessee })
            == "conflict: state would move backwards from discussedWithAssessee to reviewedBySupervisor (pass --allow-state-regression to allow it)")
        #expect(Self.decide(update, Self.live { $0.state = .reviewOngoing })
            == "conflict: assessment 901 not written: state changed on the server since the file was made: the file saw discussedWithAssessee, the server now has reviewOngoing, the file sets reviewedBySupervisor")
    }

    // MARK: - Unchanged and --force

    @Test func equalValuesAreUnchangedUnlessForced() {
        let same = AssessmentUpdate(assessmentId: 901, criteria: [CriterionUpdate(categoryId: 1, criterionId: 2, score: 4)])
        // A criterion that is not yet humanVerified is written: that verifies it.
        #expect(Self.decide(same, Self.live()) == #"write  | undo none | unrestorable "#)
        let verified = Self.live { $0.criteria[Self.key]?.state = "humanVerified" }
        #expect(Self.decide(same, verified) == "unchanged")
        #expect(Self.decide(same, verified, options: PreflightOptions(force: true)) == #"write  | undo none | unrestorable "#)
    }
}
