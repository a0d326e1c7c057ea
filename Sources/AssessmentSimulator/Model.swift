import StrictJSON
// The simulator's data model: scorecards (immutable once seeded), assessments (the mutable
// store records) and the public value views that tests read.

/// Assessment workflow state (the API's `state` enum).
public enum AssessmentState: String, Sendable, CaseIterable, Hashable {
    case unprocessed, aiInProgress, aiReady, reviewOngoing, reviewedBySupervisor, discussedWithAssessee, error, deleted

    /// States in which a PATCH is refused with 409.
    public var refusesEdits: Bool {
        switch self {
        case .unprocessed, .aiInProgress, .error: return true
        default: return false
        }
    }
}

/// Per-criterion scoring state.
public enum CriterionState: String, Sendable, CaseIterable, Hashable {
    case unscored, aiGenerated, humanVerified
}

/// How a criterion is scored: `numericScale` 0…maxPoints, `metNotMet` 0 or maxPoints.
public enum ScoringType: String, Sendable, CaseIterable, Hashable {
    case metNotMet, numericScale
}

/// Scorecard (revision) state.
public enum ScorecardState: String, Sendable, CaseIterable, Hashable {
    case draft, active, retired, deleted
}

/// A user permission as the API spells it.
public enum SimPermission: String, Sendable, CaseIterable, Hashable {
    case qualityViewAssessmentOwn, qualityViewAssessmentTeamMate, qualityViewAssessmentAll
    case qualityDoAssessmentsTeam, qualityDoAssessmentsAll, qualityDeleteAssessment
    case qualityManageScorecards, qualityDeleteScorecard
}

// MARK: Scorecards

/// One criterion of a scorecard revision.
public struct SimScorecardCriterion: Sendable, Equatable {
    public var id: Int
    public var label: String
    public var description: String
    public var maxPoints: Int
    public var scoringType: ScoringType
    public var autoGenerateByAi: Bool
    public var assessmentPrompt: String
    public var makeOrBreakForCategory: Bool
    public var makeOrBreakForAssessment: Bool

    /// Whether `score` is allowed for this criterion.
    public func accepts(score: Int) -> Bool {
        switch self.scoringType {
        case .numericScale: return score >= 0 && score <= self.maxPoints
        case .metNotMet: return score == 0 || score == self.maxPoints
        }
    }
}

/// One category of a scorecard revision.
public struct SimScorecardCategory: Sendable, Equatable {
    public var categoryId: Int
    public var label: String
    public var order: Int
    public var criteria: [SimScorecardCriterion]
}

/// One scorecard revision, as served by `GET /quality/scorecard/{id}`.
public struct SimScorecard: Sendable, Equatable {
    public var id: Int
    public var baseId: Int
    public var revision: Int
    public var name: String
    public var state: ScorecardState
    public var categories: [SimScorecardCategory]
    public var createdAt: String { self.created.rfc3339 }
    public var modifiedAt: String { self.modified.rfc3339 }
    public var createdBy: Int
    public var modifiedBy: Int

    var created: SimDate
    var modified: SimDate
    /// `assignment` as served (null = applies to everything).
    var assignment: JSONValue
    var liveCoach: JSONValue

    /// Criteria in document order with their category id; an assessment's criterion values are
    /// stored in this order.
    var flat: [(categoryId: Int, criterion: SimScorecardCriterion)] {
        var result: [(categoryId: Int, criterion: SimScorecardCriterion)] = []
        for category in self.categories {
            for criterion in category.criteria { result.append((category.categoryId, criterion)) }
        }
        return result
    }

    /// The criterion `criterionId` in category `categoryId`, if the pair exists.
    public func criterion(categoryId: Int, criterionId: Int) -> SimScorecardCriterion? {
        guard let category = self.categories.first(where: { $0.categoryId == categoryId }) else { return nil }
        return category.criteria.first(where: { $0.id == criterionId })
    }

    public static func == (lhs: SimScorecard, rhs: SimScorecard) -> Bool {
        lhs.id == rhs.id && lhs.baseId == rhs.baseId && lhs.revision == rhs.revision && lhs.name == rhs.name
            && lhs.state == rhs.state && lhs.categories == rhs.categories && lhs.created == rhs.created
            && lhs.modified == rhs.modified && lhs.createdBy == rhs.createdBy && lhs.modifiedBy == rhs.modifiedBy
            && lhs.assignment == rhs.assignment && lhs.liveCoach == rhs.liveCoach
    }
}

/// A scorecard with its lookup tables, as kept in the store.
struct ScorecardEntry: Sendable {
    var scorecard: SimScorecard
    /// Flattened criteria (category id, criterion), in document order.
    var flat: [(categoryId: Int, criterion: SimScorecardCriterion)]
    /// (categoryId, criterionId) → index into `flat`.
    var index: [CriterionKey: Int]
    /// For each category (in order): the range of `flat` indices it covers.
    var categoryRanges: [(categoryId: Int, range: Range<Int>)]
    var totalMaxPoints: Int

    init(_ scorecard: SimScorecard) {
        self.scorecard = scorecard
        self.flat = scorecard.flat
        var index: [CriterionKey: Int] = [:]
        for (i, item) in self.flat.enumerated() {
            index[CriterionKey(categoryId: item.categoryId, criterionId: item.criterion.id)] = i
        }
        self.index = index
        var ranges: [(categoryId: Int, range: Range<Int>)] = []
        var start = 0
        for category in scorecard.categories {
            ranges.append((category.categoryId, start..<(start + category.criteria.count)))
            start += category.criteria.count
        }
        self.categoryRanges = ranges
        self.totalMaxPoints = self.flat.reduce(0) { $0 + $1.criterion.maxPoints }
    }
}

struct CriterionKey: Hashable, Sendable {
    var categoryId: Int
    var criterionId: Int
}

// MARK: Assessments

/// Score totals as served in `totals` and `data.totals`.
///
/// `scoredPoints` = sum of the scores of scored criteria after knock-outs; `usedMaxPoints` =
/// sum of `maxPoints` over scored criteria; `totalMaxPoints` = sum of `maxPoints` over all
/// criteria; `percentage` = round(100 · scoredPoints / usedMaxPoints), 0 when usedMaxPoints is 0.
/// A 0 on a scored `makeOrBreakForCategory` criterion zeroes its category's points; a 0 on a
/// scored `makeOrBreakForAssessment` criterion zeroes `scoredPoints`.
public struct SimTotals: Sendable, Equatable {
    public var scoredPoints: Int
    public var usedMaxPoints: Int
    public var totalMaxPoints: Int
    public var percentage: Int

    public init(scoredPoints: Int, usedMaxPoints: Int, totalMaxPoints: Int, percentage: Int) {
        self.scoredPoints = scoredPoints
        self.usedMaxPoints = usedMaxPoints
        self.totalMaxPoints = totalMaxPoints
        self.percentage = percentage
    }
}

/// A criterion value inside an assessment.
struct CriterionValue: Sendable, Equatable {
    var score: Int?
    var reason: String?
    var state: CriterionState
    var lastEditedByUserId: Int?
    var lastEditedAt: SimDate?
}

/// A value in an editing-history entry.
public enum SimValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case int(Int)
    case string(String)

    public var description: String {
        switch self {
        case .null: return "null"
        case .int(let value): return String(value)
        case .string(let value): return value
        }
    }
}

/// One `editingHistory` entry.
public struct SimHistoryEntry: Sendable, Equatable {
    public var userId: Int
    public var timestamp: String { self.time.rfc3339 }
    /// `criteria.<categoryId>.<criterionId>.score|reason`, `aiSummary`, `supervisorAssessment`,
    /// `assessmentDate`, `discussionDate` or `state`.
    public var field: String
    public var oldValue: SimValue
    public var newValue: SimValue
    var time: SimDate
}

/// Seed-provided embedded objects; nil members are derived from the assessment.
struct AssessmentExtras: Sendable {
    var general: JSONValue?
    var worklog: JSONValue?
    var aiUsage: JSONValue?
    var time: JSONValue?
    var customerExperience: JSONValue?
}

/// The stored form of an assessment.
struct AssessmentRecord: Sendable {
    var id: Int
    /// Index into the store's scorecard entries.
    var scorecardIndex: Int
    var state: AssessmentState
    var assessedUser: Int
    var assessedByUser: Int?
    var ticketId: Int
    var worklogId: Int
    var aiSummary: String
    var supervisorAssessment: String?
    var assessmentDate: SimDate?
    var discussionDate: SimDate?
    var createdAt: SimDate
    var modifiedAt: SimDate
    var deletedAt: SimDate?
    /// Aligned with the scorecard entry's `flat` criteria.
    var criteria: [CriterionValue]
    var totals: SimTotals
    var history: [SimHistoryEntry]
    var extras: AssessmentExtras?
}

/// Computes totals for criterion values aligned with `entry.flat`.
func computeTotals(_ entry: ScorecardEntry, _ values: [CriterionValue]) -> SimTotals {
    var scored = 0
    var usedMax = 0
    var assessmentKnockedOut = false
    for (_, range) in entry.categoryRanges {
        var categoryPoints = 0
        var categoryKnockedOut = false
        for i in range {
            guard let score = values[i].score else { continue }
            let criterion = entry.flat[i].criterion
            categoryPoints += score
            usedMax += criterion.maxPoints
            if score == 0 {
                if criterion.makeOrBreakForCategory { categoryKnockedOut = true }
                if criterion.makeOrBreakForAssessment { assessmentKnockedOut = true }
            }
        }
        if !categoryKnockedOut { scored += categoryPoints }
    }
    if assessmentKnockedOut { scored = 0 }
    let percentage = usedMax == 0 ? 0 : (200 * scored + usedMax) / (2 * usedMax)  // round half up
    return SimTotals(scoredPoints: scored, usedMaxPoints: usedMax, totalMaxPoints: entry.totalMaxPoints, percentage: percentage)
}

// MARK: Public views

/// A criterion value of an assessment, as the API serves it in `data.categories[].criteria[]`.
public struct SimCriterion: Sendable, Equatable {
    public var categoryId: Int
    public var criterionId: Int
    public var score: Int?
    public var reason: String?
    public var state: CriterionState
    public var lastEditedByUserId: Int?
    /// RFC 3339 UTC, or nil.
    public var lastEditedAt: String?
}

/// A value view of one stored assessment (whatever its state, `deleted` included).
public struct SimAssessment: Sendable, Equatable {
    public var id: Int
    /// Scorecard revision id.
    public var scorecardId: Int
    public var scorecardBaseId: Int
    public var state: AssessmentState
    public var assessedUser: Int
    public var assessedByUser: Int?
    public var ticketId: Int
    public var worklogId: Int
    public var aiSummary: String
    public var supervisorAssessment: String?
    /// Dates are RFC 3339 in UTC with `Z` (as served).
    public var assessmentDate: String?
    public var discussionDate: String?
    public var createdAt: String
    public var modifiedAt: String
    public var deletedAt: String?
    /// All criteria of the revision, in scorecard order.
    public var criteria: [SimCriterion]
    public var totals: SimTotals
    public var editingHistory: [SimHistoryEntry]

    /// The criterion value for a (category, criterion) pair.
    public func criterion(categoryId: Int, criterionId: Int) -> SimCriterion? {
        self.criteria.first { $0.categoryId == categoryId && $0.criterionId == criterionId }
    }
}

extension AssessmentRecord {
    func view(_ entry: ScorecardEntry) -> SimAssessment {
        var criteria: [SimCriterion] = []
        criteria.reserveCapacity(self.criteria.count)
        for (i, value) in self.criteria.enumerated() {
            criteria.append(
                SimCriterion(
                    categoryId: entry.flat[i].categoryId, criterionId: entry.flat[i].criterion.id,
                    score: value.score, reason: value.reason, state: value.state,
                    lastEditedByUserId: value.lastEditedByUserId, lastEditedAt: value.lastEditedAt?.rfc3339))
        }
        return SimAssessment(
            id: self.id, scorecardId: entry.scorecard.id, scorecardBaseId: entry.scorecard.baseId, state: self.state,
            assessedUser: self.assessedUser, assessedByUser: self.assessedByUser, ticketId: self.ticketId,
            worklogId: self.worklogId, aiSummary: self.aiSummary, supervisorAssessment: self.supervisorAssessment,
            assessmentDate: self.assessmentDate?.rfc3339, discussionDate: self.discussionDate?.rfc3339,
            createdAt: self.createdAt.rfc3339, modifiedAt: self.modifiedAt.rfc3339, deletedAt: self.deletedAt?.rfc3339,
            criteria: criteria, totals: self.totals, editingHistory: self.history)
    }
}

// MARK: Users and tokens

/// The tokens every simulator accepts (unless `--token` replaces the demo token).
public enum SimulatorTokens {
    /// Demo admin (user 12): `qualityViewAssessmentAll`, `qualityDoAssessmentsAll`,
    /// `qualityDeleteAssessment`, `qualityManageScorecards`, `qualityDeleteScorecard`.
    /// The default `--token`.
    public static let demo = "enneo-sim-demo-token"
    /// Team lead (user 20) of team 1: `qualityViewAssessmentAll`, `qualityDoAssessmentsTeam`.
    /// May edit only assessments whose assessed user is a member of team 1.
    public static let teamLead = "enneo-sim-teamlead-token"
    /// Viewer (user 30): `qualityViewAssessmentAll` only; every PATCH is 403.
    public static let viewOnly = "enneo-sim-viewer-token"
}

/// User ids behind the built-in tokens.
public enum SimulatorUsers {
    public static let demoAdmin = 12
    public static let teamLead = 20
    public static let viewer = 30
    /// The team the team lead may edit.
    public static let teamLeadTeam = 1
}

/// A token's user.
struct SimUser: Sendable {
    var id: Int
    var name: String
    var permissions: Set<SimPermission>
    /// Teams whose members this user may see/edit with the team permissions.
    var teams: [Int]
}

/// A team and its members (user ids).
struct SimTeam: Sendable {
    var id: Int
    var name: String
    var members: Set<Int>
}
