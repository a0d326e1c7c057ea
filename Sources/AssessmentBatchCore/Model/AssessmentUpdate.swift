/// One criterion change: `score` and `reason` are nil when left unchanged. Assessments keep
/// theirs in a `CriterionList`, more compactly.
public struct CriterionUpdate: Sendable, Equatable {
    private var storedCategoryId: Int32
    private var storedCriterionId: Int32
    private var storedScore: Int32
    /// Which of its assessment's `sources` set this criterion, for messages; kept in what
    /// would otherwise be padding, and not part of equality.
    var sourceIndex: Int32 = 0
    public var reason: String?

    /// Marks "no score" (scores are ≥ 0). Validation keeps ids and scores within 32 bits.
    private static let noScore: Int32 = -1

    public init(categoryId: Int, criterionId: Int, score: Int? = nil, reason: String? = nil) {
        storedCategoryId = Int32(clamping: categoryId)
        storedCriterionId = Int32(clamping: criterionId)
        storedScore = score.map { Int32(clamping: $0) } ?? Self.noScore
        self.reason = reason
    }

    public var categoryId: Int { Int(storedCategoryId) }
    public var criterionId: Int { Int(storedCriterionId) }
    public var score: Int? { storedScore == Self.noScore ? nil : Int(storedScore) }

    /// Equal when they write the same values (where they came from does not count).
    public static func == (lhs: CriterionUpdate, rhs: CriterionUpdate) -> Bool {
        lhs.storedCategoryId == rhs.storedCategoryId && lhs.storedCriterionId == rhs.storedCriterionId
            && lhs.storedScore == rhs.storedScore && lhs.reason == rhs.reason
    }

    /// The criterion this update names.
    public var key: CriterionKey { CriterionKey(categoryId: categoryId, criterionId: criterionId) }
}

/// A criterion's identity within a scorecard.
public struct CriterionKey: Hashable, Sendable, CustomStringConvertible {
    public var categoryId: Int
    public var criterionId: Int

    public init(categoryId: Int, criterionId: Int) {
        self.categoryId = categoryId
        self.criterionId = criterionId
    }

    public var description: String { "category \(categoryId) criterion \(criterionId)" }
}

/// Assessment-level values, one per entry of `FieldDescriptor.table`; nil means "not set by
/// the file" (or, for a live assessment, not there).
///
/// The values are stored properties, in place: a row sets them per cell and every update keeps
/// them, and a collection would be an allocation per update and a uniqueness check per value.
/// The switches below map the table's indices to them; `FieldTableTests` checks, entry by
/// entry, that each index reaches the property named like the entry.
public struct AssessmentFields: Sendable, Equatable {
    public var aiSummary: String?
    public var supervisorAssessment: String?
    public var assessmentDate: Timestamp?
    public var discussionDate: Timestamp?
    /// In a file: one of `AssessmentState.settable`; live: any state.
    public var state: AssessmentState?
    /// Guard: the scorecard revision the file was made for (not sent).
    public var scorecardId: Int?
    /// Guard: the `modifiedAt` the file was made against (not sent).
    public var expectedModifiedAt: Timestamp?

    public init() {}

    /// The value of the field `column` holds (its own column; a `…Before` column names its
    /// field's slot too). Any other column has none and ignores a value.
    public subscript(column: Column) -> FieldValue? {
        get { column.fieldIndex.flatMap { self[field: $0] } }
        set { if let index = column.fieldIndex { self[field: index] = newValue } }
    }

    /// The value of the field at `index` in `FieldDescriptor.table` (a value of another kind
    /// than the field's is not stored). Switches on the index, like `Column.fieldIndex`.
    subscript(field index: Int) -> FieldValue? {
        get {
            switch index {
            case 0: state.map { .state($0) }
            case 1: aiSummary.map { .text($0) }
            case 2: supervisorAssessment.map { .text($0) }
            case 3: assessmentDate.map { .date($0) }
            case 4: discussionDate.map { .date($0) }
            case 5: scorecardId.map { .integer($0) }
            case 6: expectedModifiedAt.map { .date($0) }
            default: nil
            }
        }
        set {
            switch index {
            case 0: state = newValue?.state
            case 1: aiSummary = newValue?.text
            case 2: supervisorAssessment = newValue?.text
            case 3: assessmentDate = newValue?.date
            case 4: discussionDate = newValue?.date
            case 5: scorecardId = newValue?.integer
            case 6: expectedModifiedAt = newValue?.date
            default: break
            }
        }
    }

    /// Whether the field at `index` is unset here or holds `other`'s value, compared without
    /// wrapping either (grouping asks this for every value of every row).
    func agrees(with other: AssessmentFields, field index: Int) -> Bool {
        switch index {
        case 0: state == nil || state == other.state
        case 1: aiSummary == nil || aiSummary == other.aiSummary
        case 2: supervisorAssessment == nil || supervisorAssessment == other.supervisorAssessment
        case 3: assessmentDate == nil || assessmentDate == other.assessmentDate
        case 4: discussionDate == nil || discussionDate == other.discussionDate
        case 5: scorecardId == nil || scorecardId == other.scorecardId
        case 6: expectedModifiedAt == nil || expectedModifiedAt == other.expectedModifiedAt
        default: true
        }
    }

    /// Unsets every value.
    mutating func clear() {
        self = AssessmentFields()
    }

    /// Whether any value that would be written is set (guards do not count).
    public var setsAnyValue: Bool {
        FieldDescriptor.table.indices.contains { FieldDescriptor.table[$0].isWritten && self[field: $0] != nil }
    }
}

/// Where a row came from: the input file (by index into the run's inputs) and its line.
public struct SourceLocation: Sendable, Hashable, Comparable {
    // 32-bit storage: one of these is kept per input row.
    private let storedInput: Int32
    private let storedLine: Int32

    public init(input: Int, line: Int) {
        storedInput = Int32(clamping: input)
        storedLine = Int32(clamping: line)
    }

    public var input: Int { Int(storedInput) }
    public var line: Int { Int(storedLine) }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.storedInput, lhs.storedLine) < (rhs.storedInput, rhs.storedLine)
    }
}

/// Everything a file asks of one assessment: becomes exactly one PATCH.
public struct AssessmentUpdate: Sendable {
    public var assessmentId: Int
    /// Criteria in the order they first appear in the input.
    public var criteria: CriterionList
    public var fields: AssessmentFields
    /// Every input row that contributed, in input order.
    public var sources: SourceList
    /// Zero or one element: an array keeps updates from files without `…Before` columns at
    /// one word for this.
    private var expectedStorage: [ExpectedValues] = []

    /// What the file's maker saw of each edited value (files with `…Before` columns); nil
    /// when the update carries no such values.
    public var expected: ExpectedValues? {
        get { expectedStorage.first }
        set { expectedStorage = newValue.map { $0.isEmpty ? [] : [$0] } ?? [] }
    }

    public init(assessmentId: Int, criteria: [CriterionUpdate] = [], fields: AssessmentFields = AssessmentFields(), sources: SourceList = []) {
        self.assessmentId = assessmentId
        self.criteria = CriterionList(criteria)
        self.fields = fields
        self.sources = sources
    }
}
