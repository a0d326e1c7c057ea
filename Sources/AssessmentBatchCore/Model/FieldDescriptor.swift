/// Everything the tool knows about one assessment-level field: one entry of
/// `FieldDescriptor.table`, from which reading, grouping, preflight, the PATCH body, undo,
/// the check after a write, the answer reader and the export sheet all take it.
public struct FieldDescriptor: Sendable {
    /// The type of a field's value, which decides how a cell is read and how values compare.
    public enum Kind: Sendable, Equatable {
        /// Text; where a `…Before` is compared, an empty text and none are alike.
        case text
        /// An RFC 3339 date-time with an offset; compared as an instant.
        case dateTime
        /// An assessment state: a file may set one of `AssessmentState.settable`, a `…Before`
        /// may name any; undo and preflight follow the workflow's order.
        case state
        /// A positive integer.
        case positiveInteger

        /// How a message shows a missing value.
        var absent: String { self == .state ? "(none)" : "(empty)" }
    }

    /// What a field does in a write.
    public enum Role: Sendable, Equatable {
        /// A value the PATCH writes under the column's name: before the criteria in the body, or
        /// after them.
        case written(afterCriteria: Bool)
        /// A guard: compared with the live assessment before writing, never sent.
        case guarded
    }

    /// How `export` fills the field's columns.
    public enum Export: Sendable, Equatable {
        /// Not written by `export`.
        case none
        /// The live value in the field's column and in its `…Before`.
        case valueAndBefore
        /// The live value in the `…Before` only: the field's own column is a request the
        /// reviewer may make (a state transition), empty until then.
        case beforeOnly
    }

    /// The field's column (CSV header, JSONL key); its name is also the field's name in
    /// messages and, for a written field, its key in the PATCH body.
    public let column: Column
    public let kind: Kind
    public let role: Role
    /// The `…Before` column of the three-way rule, if the field has one.
    public let before: Column?
    /// The member of the API's assessment that holds the live value.
    public let liveKey: String
    /// Whether the live value may also stand in the answer's `data` object (which then wins).
    public let liveInData: Bool
    /// Whether undo puts back what a write overwrote (a state by the workflow's rule, see `Kind.state`).
    public let restoredByUndo: Bool
    public let export: Export

    /// The name in messages and the PATCH body.
    public var name: String { column.rawValue }

    /// Whether a PATCH writes this field.
    public var isWritten: Bool { if case .written = role { true } else { false } }

    /// The assessment-level fields, in the order messages, plans and the export sheet list
    /// them. Adding a field is one entry here (with its columns in `Column`) plus its tests.
    public static let table: [FieldDescriptor] = [
        FieldDescriptor(column: .state, kind: .state, role: .written(afterCriteria: true), before: .stateBefore,
                        liveKey: "state", liveInData: false, restoredByUndo: true, export: .beforeOnly),
        FieldDescriptor(column: .aiSummary, kind: .text, role: .written(afterCriteria: false), before: .aiSummaryBefore,
                        liveKey: "aiSummary", liveInData: true, restoredByUndo: true, export: .valueAndBefore),
        FieldDescriptor(column: .supervisorAssessment, kind: .text, role: .written(afterCriteria: false), before: .supervisorAssessmentBefore,
                        liveKey: "supervisorAssessment", liveInData: true, restoredByUndo: true, export: .valueAndBefore),
        FieldDescriptor(column: .assessmentDate, kind: .dateTime, role: .written(afterCriteria: false), before: .assessmentDateBefore,
                        liveKey: "assessmentDate", liveInData: true, restoredByUndo: true, export: .valueAndBefore),
        FieldDescriptor(column: .discussionDate, kind: .dateTime, role: .written(afterCriteria: false), before: .discussionDateBefore,
                        liveKey: "discussionDate", liveInData: true, restoredByUndo: true, export: .valueAndBefore),
        // The scorecard revision the file was made for: a mismatch is a conflict.
        FieldDescriptor(column: .scorecardId, kind: .positiveInteger, role: .guarded, before: nil,
                        liveKey: "scorecardId", liveInData: false, restoredByUndo: false, export: .none),
        // The `modifiedAt` the file was made against: a stale-write guard.
        FieldDescriptor(column: .expectedModifiedAt, kind: .dateTime, role: .guarded, before: nil,
                        liveKey: "modifiedAt", liveInData: false, restoredByUndo: false, export: .none),
    ]

    /// The fields a PATCH writes.
    static let written = table.filter(\.isWritten)
}

extension Column {
    /// The index in `FieldDescriptor.table` of the field this column holds (or is the
    /// `…Before` of); nil for criterion and other columns.
    ///
    /// A switch rather than a lookup built from the table: it is read per cell and per merged
    /// value, where a global's once-check per read cost validate 2 % of its time.
    /// `FieldTableTests` checks it against the table for every column.
    var fieldIndex: Int? {
        switch self {
        case .state, .stateBefore: 0
        case .aiSummary, .aiSummaryBefore: 1
        case .supervisorAssessment, .supervisorAssessmentBefore: 2
        case .assessmentDate, .assessmentDateBefore: 3
        case .discussionDate, .discussionDateBefore: 4
        case .scorecardId: 5
        case .expectedModifiedAt: 6
        default: nil
        }
    }

    /// The assessment-level field this column holds (or is the `…Before` of).
    public var field: FieldDescriptor? { fieldIndex.map { FieldDescriptor.table[$0] } }
}
