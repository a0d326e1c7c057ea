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
    /// Each entry's column and kind, by index: what the per-cell paths read (without copying
    /// a whole entry, with its strings, per cell).
    static let columns = table.map(\.column)
    static let kinds = table.map(\.kind)

    /// Each column's field index (`column.fieldIndex`), by `Column.ordinal`: its field's for
    /// a field's column, and for a `…Before` column, its field's too.
    static let indexByColumn: [Int8] = {
        var index = [Int8](repeating: -1, count: Column.allCases.count)
        for (position, field) in table.enumerated() {
            index[field.column.ordinal] = Int8(position)
            if let before = field.before { index[before.ordinal] = Int8(position) }
        }
        return index
    }()
}

extension Column {
    /// The index in `FieldDescriptor.table` of the field this column holds (or is the
    /// `…Before` of); nil for criterion and other columns.
    var fieldIndex: Int? {
        let index = FieldDescriptor.indexByColumn[ordinal]
        return index < 0 ? nil : Int(index)
    }

    /// The assessment-level field this column holds (or is the `…Before` of).
    public var field: FieldDescriptor? { fieldIndex.map { FieldDescriptor.table[$0] } }
}
