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
public struct AssessmentFields: Sendable, Equatable {
    /// By field index; empty until a value is set. A row's storage is cleared in place
    /// (`clear`), so rows that set values reuse it instead of allocating.
    private var values: [FieldValue?] = []

    public init() {}

    /// The value of the field `column` holds (its own column; a `…Before` column names its
    /// field's slot too). Any other column has none and ignores a value.
    public subscript(column: Column) -> FieldValue? {
        get { column.fieldIndex.flatMap { self[field: $0] } }
        set { if let index = column.fieldIndex { self[field: index] = newValue } }
    }

    /// The value of the field at `index` in `FieldDescriptor.table`.
    subscript(field index: Int) -> FieldValue? {
        get { values.isEmpty ? nil : values[index] }
        set {
            if values.isEmpty {
                guard newValue != nil else { return }
                values = [FieldValue?](repeating: nil, count: FieldDescriptor.table.count)
            }
            values[index] = newValue
        }
    }

    /// Unsets every value, keeping the storage.
    mutating func clear() {
        for index in values.indices where values[index] != nil { values[index] = nil }
    }

    public static func == (lhs: AssessmentFields, rhs: AssessmentFields) -> Bool {
        FieldDescriptor.table.indices.allSatisfy { lhs[field: $0] == rhs[field: $0] }
    }

    /// Whether any value that would be written is set (guards do not count).
    public var setsAnyValue: Bool {
        !values.isEmpty && FieldDescriptor.table.indices.contains { FieldDescriptor.table[$0].isWritten && values[$0] != nil }
    }

    // Typed views of the fields the code reads by name.

    public var aiSummary: String? {
        get { self[.aiSummary]?.text }
        set { self[.aiSummary] = newValue.map { .text($0) } }
    }
    public var supervisorAssessment: String? {
        get { self[.supervisorAssessment]?.text }
        set { self[.supervisorAssessment] = newValue.map { .text($0) } }
    }
    public var assessmentDate: Timestamp? {
        get { self[.assessmentDate]?.date }
        set { self[.assessmentDate] = newValue.map { .date($0) } }
    }
    public var discussionDate: Timestamp? {
        get { self[.discussionDate]?.date }
        set { self[.discussionDate] = newValue.map { .date($0) } }
    }
    /// In a file: one of `AssessmentState.settable`; live: any state.
    public var state: AssessmentState? {
        get { self[.state]?.state }
        set { self[.state] = newValue.map { .state($0) } }
    }
    /// Guard: the scorecard revision the file was made for (not sent).
    public var scorecardId: Int? {
        get { self[.scorecardId]?.integer }
        set { self[.scorecardId] = newValue.map { .integer($0) } }
    }
    /// Guard: the `modifiedAt` the file was made against (not sent).
    public var expectedModifiedAt: Timestamp? {
        get { self[.expectedModifiedAt]?.date }
        set { self[.expectedModifiedAt] = newValue.map { .date($0) } }
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
