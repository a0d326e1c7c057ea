import SharedSupport
import StrictJSON
/// Everything a simulator starts from (and `POST /__sim/reset` returns to).
struct SeedData: Sendable {
    var scorecards: [ScorecardEntry]
    /// Sorted by id.
    var assessments: [AssessmentRecord]
    var teams: [SimTeam]
    /// Extra tokens from a seed file (token → user).
    var extraTokens: [(token: String, user: SimUser)]
}

/// Deterministic data generation for `--assessments N --seed S`.
///
/// Scorecards: five bases with revisions — "Customer Service Standard" (revisions 40, 41 retired,
/// 42 active), "Junior Agent Review" (50 retired, 51 active), "Complaint Handling" (60 active),
/// "Chat Quality Pilot" (70 draft) and "Legacy Phone Scorecard" (80 deleted). Assessments
/// (ids 1001…1000+N) use the non-draft, non-deleted revisions. Agents are users 40…59 in teams
/// 1 (40…47), 2 (48…53) and 3 (54…59); about 2 % of assessments assess the demo admin (user 12)
/// so that the demo token cannot edit them. The first eight assessments take the eight states in
/// order; assessment 1009 is an `aiReady` one of user 12.
enum SeedGenerator {
    static let baseEpoch: Int64 = 1_748_736_000  // 2025-06-01T00:00:00Z

    private static let categoryPool: [(String, [(String, String)])] = [
        ("Opening", [
            ("Greeting", "Did the agent greet the customer properly?"),
            ("Personalisation", "Did the agent address the customer by name?"),
            ("Identification", "Was the customer identified according to policy?"),
        ]),
        ("Communication Quality", [
            ("Clarity & Readability", "Is the reply clear and easy to read?"),
            ("Tone", "Is the tone friendly and professional?"),
            ("Spelling & Grammar", "Is the reply free of spelling and grammar mistakes?"),
            ("Empathy", "Did the agent acknowledge the customer's situation?"),
        ]),
        ("Problem Solving", [
            ("Correct Solution", "Was the customer's issue solved correctly?"),
            ("Completeness", "Were all of the customer's questions answered?"),
            ("First Contact Resolution", "Could the case be closed without a follow-up?"),
        ]),
        ("Compliance", [
            ("Data Protection", "Were data protection rules respected?"),
            ("Correct Tariff Information", "Was tariff information accurate?"),
            ("Process Adherence", "Did the agent follow the documented process?"),
        ]),
        ("Closing", [
            ("Summary", "Did the agent summarise the next steps?"),
            ("Closing Formula", "Did the agent close the conversation properly?"),
            ("Offer Further Help", "Did the agent offer further help?"),
        ]),
    ]

    private static let goodReasons = [
        "Greeting was warm and personal.", "Clear structure, easy to follow.", "Solution was correct and complete.",
        "All questions were answered.", "Friendly, professional tone throughout.", "Followed the process exactly.",
        "Next steps were summarised well.", "No spelling mistakes found.", "Data protection rules respected.",
        "Customer's frustration was acknowledged.",
    ]
    private static let midReasons = [
        "Mostly clear, one paragraph is too long.", "Correct, but the explanation is brief.",
        "Tone is fine but a little formal.", "One question was answered only partially.",
        "Summary present but incomplete.",
    ]
    private static let badReasons = [
        "No greeting at all.", "Wrong tariff information given.", "Customer data disclosed without verification.",
        "The main question was not answered.", "Conversation ended abruptly.",
    ]
    private static let summaries = [
        "Good job overall; the closing could be clearer.", "Friendly and accurate reply with a minor gap in completeness.",
        "Solid handling of a complex billing question.", "Correct solution, but the tone was rather curt.",
        "Very good reply: empathetic, complete and well structured.", "The customer's main question was missed.",
        "Process followed; the reply would benefit from a short summary.",
        "Helpful answer; identification step was skipped.",
    ]
    private static let supervisorTexts = [
        "Focus on clearer closing.", "Great work, keep it up.", "Please double-check tariff details before replying.",
        "Good empathy; work on shorter paragraphs.", "Discussed the verification process with the agent.",
    ]

    /// Scorecard layout: (revision id, base id, revision, name, state).
    private static let revisions: [(Int, Int, Int, String, ScorecardState)] = [
        (40, 40, 1, "Customer Service Standard", .retired),
        (41, 40, 2, "Customer Service Standard", .retired),
        (42, 40, 3, "Customer Service Standard", .active),
        (50, 50, 1, "Junior Agent Review", .retired),
        (51, 50, 2, "Junior Agent Review", .active),
        (60, 60, 1, "Complaint Handling", .active),
        (70, 70, 1, "Chat Quality Pilot", .draft),
        (80, 80, 1, "Legacy Phone Scorecard", .deleted),
    ]

    static func generateScorecards(rng: inout SplitMix64) -> [ScorecardEntry] {
        var nextCategoryId = 1
        var nextCriterionId = 1
        var result: [ScorecardEntry] = []
        for (index, layout) in self.revisions.enumerated() {
            let (id, baseId, revision, name, state) = layout
            let categoryCount = rng.int(3...4)
            var poolIndices = Array(0..<self.categoryPool.count)
            poolIndices.shuffle(using: &rng)
            var chosen = Array(poolIndices.prefix(categoryCount))
            chosen.sort()
            var categories: [SimScorecardCategory] = []
            for (order, poolIndex) in chosen.enumerated() {
                let (label, criteriaPool) = self.categoryPool[poolIndex]
                let criterionCount = rng.int(2...criteriaPool.count)
                var criteria: [SimScorecardCriterion] = []
                for c in 0..<criterionCount {
                    let (criterionLabel, description) = criteriaPool[c]
                    let type: ScoringType = rng.chance(0.6) ? .numericScale : .metNotMet
                    let maxPoints = type == .numericScale ? rng.pick([3, 4, 5, 10]) : rng.pick([1, 2, 5])
                    criteria.append(
                        SimScorecardCriterion(
                            id: nextCriterionId, label: criterionLabel, description: description, maxPoints: maxPoints,
                            scoringType: type, autoGenerateByAi: rng.chance(0.8),
                            assessmentPrompt: "Evaluate: \(description)",
                            makeOrBreakForCategory: false, makeOrBreakForAssessment: false))
                    nextCriterionId += 1
                }
                categories.append(SimScorecardCategory(categoryId: nextCategoryId, label: label, order: order + 1, criteria: criteria))
                nextCategoryId += 1
            }
            // Guarantees: both scoring types, one make-or-break of each kind, in every revision.
            var flatPositions: [(Int, Int)] = []
            for (ci, category) in categories.enumerated() {
                for k in category.criteria.indices { flatPositions.append((ci, k)) }
            }
            categories[flatPositions[0].0].criteria[flatPositions[0].1].scoringType = .numericScale
            categories[flatPositions[0].0].criteria[flatPositions[0].1].maxPoints = 5
            categories[flatPositions[1].0].criteria[flatPositions[1].1].scoringType = .metNotMet
            categories[flatPositions[1].0].criteria[flatPositions[1].1].maxPoints = 2
            let n = flatPositions.count
            let a = rng.int(1...(n - 1))
            var b = rng.int(1...(n - 2))
            if b >= a { b += 1 }
            let mobCategory = flatPositions[a]
            let mobAssessment = flatPositions[b]
            categories[mobCategory.0].criteria[mobCategory.1].makeOrBreakForCategory = true
            categories[mobAssessment.0].criteria[mobAssessment.1].makeOrBreakForAssessment = true
            let created = SimDate(seconds: self.baseEpoch - Int64(400 - index * 30) * 86_400)
            let assignment: JSONValue =
                index % 2 == 0
                ? .null
                : .object(JSONObject([
                    ("ticketTags", .array([])), ("teams", .array([.number("1"), .number("2")])), ("channels", .array([.string("email")])),
                ]))
            let scorecard = SimScorecard(
                id: id, baseId: baseId, revision: revision, name: name, state: state, categories: categories,
                createdBy: SimulatorUsers.demoAdmin, modifiedBy: SimulatorUsers.demoAdmin, created: created,
                modified: SimDate(seconds: created.seconds + 3600), assignment: assignment,
                liveCoach: .object(JSONObject([("enabled", .bool(index % 3 == 0)), ("threshold", .number("85"))])))
            result.append(ScorecardEntry(scorecard))
        }
        return result
    }

    static let teams: [SimTeam] = [
        SimTeam(id: 1, name: "Team North", members: Set(40...47)),
        SimTeam(id: 2, name: "Team South", members: Set(48...53)),
        SimTeam(id: 3, name: "Team Escalations", members: Set(54...59)),
    ]

    static func generate(assessments count: Int, seed: UInt64) -> SeedData {
        var rng = SplitMix64(seed: seed)
        let scorecards = self.generateScorecards(rng: &rng)
        // Revision ids usable by assessments, with weights.
        let usable: [(index: Int, weight: Double)] = [(2, 0.40), (4, 0.25), (5, 0.20), (1, 0.08), (0, 0.04), (3, 0.03)]
        let stateWeights: [(AssessmentState, Double)] = [
            (.unprocessed, 0.03), (.aiInProgress, 0.02), (.aiReady, 0.35), (.reviewOngoing, 0.20),
            (.reviewedBySupervisor, 0.22), (.discussedWithAssessee, 0.10), (.error, 0.03), (.deleted, 0.05),
        ]
        var records: [AssessmentRecord] = []
        records.reserveCapacity(count)
        for i in 0..<count {
            let id = 1001 + i
            var state: AssessmentState
            if i < AssessmentState.allCases.count {
                state = AssessmentState.allCases[i]
            } else {
                var u = rng.unit()
                state = .aiReady
                for (candidate, weight) in stateWeights {
                    if u < weight {
                        state = candidate
                        break
                    }
                    u -= weight
                }
            }
            var scorecardIndex = usable[0].index
            var u = rng.unit()
            for (index, weight) in usable {
                if u < weight {
                    scorecardIndex = index
                    break
                }
                u -= weight
            }
            var assessedUser = rng.int(40...59)
            if rng.chance(0.02) { assessedUser = SimulatorUsers.demoAdmin }
            if i == 8 {
                state = .aiReady
                assessedUser = SimulatorUsers.demoAdmin
            }
            let created = SimDate(seconds: self.baseEpoch + Int64(i) * 600 + Int64(rng.int(0...599)))
            records.append(
                self.makeRecord(
                    id: id, state: state, scorecardIndex: scorecardIndex, entry: scorecards[scorecardIndex],
                    assessedUser: assessedUser, created: created, ticketId: 100_000 + i, worklogId: 500_000 + i, rng: &rng))
        }
        return SeedData(scorecards: scorecards, assessments: records, teams: self.teams, extraTokens: [])
    }

    private static func score(for criterion: SimScorecardCriterion, rng: inout SplitMix64) -> (Int, String) {
        let u = rng.unit()
        switch criterion.scoringType {
        case .metNotMet:
            return u < 0.85 ? (criterion.maxPoints, rng.pick(self.goodReasons)) : (0, rng.pick(self.badReasons))
        case .numericScale:
            if u < 0.6 { return (criterion.maxPoints, rng.pick(self.goodReasons)) }
            if u < 0.92 { return (rng.int(1...max(1, criterion.maxPoints - 1)), rng.pick(self.midReasons)) }
            return (0, rng.pick(self.badReasons))
        }
    }

    private static func makeRecord(
        id: Int, state: AssessmentState, scorecardIndex: Int, entry: ScorecardEntry, assessedUser: Int,
        created: SimDate, ticketId: Int, worklogId: Int, rng: inout SplitMix64
    ) -> AssessmentRecord {
        let supervisor =
            (SeedGenerator.teams[0].members.contains(assessedUser) && rng.chance(0.5))
            ? SimulatorUsers.teamLead : SimulatorUsers.demoAdmin
        let reviewed = SimDate(seconds: created.seconds + Int64(rng.int(3600...172_800)))
        var values: [CriterionValue] = []
        values.reserveCapacity(entry.flat.count)
        let aiScored: Bool
        let humanShare: Double
        switch state {
        case .unprocessed, .aiInProgress, .error:
            aiScored = false
            humanShare = 0
        case .aiReady, .deleted:
            aiScored = true
            humanShare = 0
        case .reviewOngoing:
            aiScored = true
            humanShare = 0.5
        case .reviewedBySupervisor, .discussedWithAssessee:
            aiScored = true
            humanShare = 1
        }
        for item in entry.flat {
            let criterion = item.criterion
            if humanShare > 0, rng.chance(humanShare) {
                let (score, reason) = self.score(for: criterion, rng: &rng)
                values.append(
                    CriterionValue(score: score, reason: reason, state: .humanVerified, lastEditedByUserId: supervisor, lastEditedAt: reviewed))
            } else if aiScored, criterion.autoGenerateByAi {
                let (score, reason) = self.score(for: criterion, rng: &rng)
                values.append(CriterionValue(score: score, reason: reason, state: .aiGenerated, lastEditedByUserId: nil, lastEditedAt: nil))
            } else {
                values.append(CriterionValue(score: nil, reason: nil, state: .unscored, lastEditedByUserId: nil, lastEditedAt: nil))
            }
        }
        let humanTouched = state == .reviewOngoing || state == .reviewedBySupervisor || state == .discussedWithAssessee
        let modified: SimDate
        switch state {
        case .unprocessed: modified = created
        case .aiInProgress, .error, .aiReady, .deleted: modified = SimDate(seconds: created.seconds + Int64(rng.int(30...600)))
        default: modified = reviewed
        }
        var discussion: SimDate?
        if state == .discussedWithAssessee { discussion = SimDate(seconds: reviewed.seconds + 86_400) }
        let modifiedAt = discussion.map { SimDate(seconds: $0.seconds + 60) } ?? modified
        return AssessmentRecord(
            id: id, scorecardIndex: scorecardIndex, state: state, assessedUser: assessedUser,
            assessedByUser: humanTouched ? supervisor : nil, ticketId: ticketId, worklogId: worklogId,
            aiSummary: aiScored ? rng.pick(self.summaries) : "",
            supervisorAssessment: (state == .reviewedBySupervisor || state == .discussedWithAssessee) ? rng.pick(self.supervisorTexts) : nil,
            assessmentDate: (state == .reviewedBySupervisor || state == .discussedWithAssessee) ? reviewed : nil,
            discussionDate: discussion, createdAt: created, modifiedAt: modifiedAt,
            deletedAt: state == .deleted ? modified : nil, criteria: values, totals: computeTotals(entry, values),
            history: [], extras: nil)
    }
}
