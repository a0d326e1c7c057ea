/// A value as it stands in one cell (CSV) or under one key (JSONL).
enum RawValue {
    case text(String)
    case number(String)
    case other(String)  // a JSON bool, array or object where a scalar belongs; holds its kind

    var isEmpty: Bool {
        if case .text(let text) = self { return text.isEmpty }
        return false
    }

    /// How the value reads in an error message.
    var quoted: String {
        switch self {
        case .text(let text): return "\"\(text.count > 60 ? String(text.prefix(60)) + "…" : text)\""
        case .number(let text): return text
        case .other(let kind): return kind
        }
    }
}

/// One input row, decoded and checked on its own.
struct DecodedRow {
    var location: SourceLocation
    var assessmentId: Int?
    var criteria: [CriterionUpdate] = []
    var fields = AssessmentFields()
    /// Every problem found in this row alone.
    var problems: [String] = []
    /// The columns this row set, in order, for agreement checks across rows.
    var setColumns: [Column] = []
}

/// Turns cells or JSON members into a `DecodedRow`, collecting every problem.
struct RowDecoder {
    var zone: Timestamp.Zone?

    /// The criterion columns of a flat row, gathered before they are checked together.
    struct PendingCriterion {
        var categoryId: Int?
        var criterionId: Int?
        var score: Int?
        var reason: String?
        /// Which of the four criterion columns the row names.
        var named = CriterionColumns()
    }

    /// Applies one column's value to `row`; empty values mean "leave unchanged".
    func set(_ column: Column, _ value: RawValue, row: inout DecodedRow, criterion: inout PendingCriterion) {
        if value.isEmpty { return }
        switch column {
        case .assessmentId:
            row.assessmentId = positiveInteger(column, value, row: &row)
        case .categoryId:
            criterion.named.insert(column)
            criterion.categoryId = integer(column, value, minimum: 1, maximum: Int(Int32.max), expected: "a positive integer", row: &row)
        case .criterionId:
            criterion.named.insert(column)
            criterion.criterionId = integer(column, value, minimum: 1, maximum: Int(Int32.max), expected: "a positive integer", row: &row)
        case .score:
            criterion.named.insert(column)
            criterion.score = integer(column, value, minimum: 0, maximum: Int(Int32.max), expected: "a whole number ≥ 0", row: &row)
        case .reason:
            criterion.named.insert(column)
            criterion.reason = text(column, value, row: &row)
        case .aiSummary:
            row.fields.aiSummary = text(column, value, row: &row)
            row.setColumns.append(column)
        case .supervisorAssessment:
            row.fields.supervisorAssessment = text(column, value, row: &row)
            row.setColumns.append(column)
        case .assessmentDate:
            row.fields.assessmentDate = date(column, value, row: &row)
            row.setColumns.append(column)
        case .discussionDate:
            row.fields.discussionDate = date(column, value, row: &row)
            row.setColumns.append(column)
        case .expectedModifiedAt:
            row.fields.expectedModifiedAt = date(column, value, row: &row)
            row.setColumns.append(column)
        case .state:
            row.setColumns.append(column)
            guard case .text(let raw) = value else {
                row.problems.append("state must be reviewedBySupervisor or discussedWithAssessee, got \(value.quoted)")
                return
            }
            let name = raw.trimmingWhitespace().lowercased()
            if let state = TargetState.allCases.first(where: { $0.rawValue.lowercased() == name }) {
                row.fields.state = state
            } else {
                row.problems.append("state must be reviewedBySupervisor or discussedWithAssessee, got \(value.quoted)")
            }
        case .scorecardId:
            row.fields.scorecardId = positiveInteger(column, value, row: &row)
            row.setColumns.append(column)
        case .error, .errorKind, .sourceLine:
            return
        }
    }

    /// Checks a flat row's criterion columns together and adds the criterion.
    func finishCriterion(_ criterion: PendingCriterion, row: inout DecodedRow, context: String = "") {
        if criterion.named.isEmpty { return }
        let hasIds = criterion.named.contains(.categoryId) || criterion.named.contains(.criterionId)
        if !criterion.named.contains(.categoryId) || !criterion.named.contains(.criterionId) {
            if hasIds {
                let missing: Column = criterion.named.contains(.categoryId) ? .criterionId : .categoryId
                row.problems.append("\(context)\(missing.rawValue) is missing: a criterion needs both categoryId and criterionId")
            } else {
                let given = criterion.named.contains(.score) ? "score" : "reason"
                row.problems.append("\(context)\(given) needs categoryId and criterionId to name its criterion")
            }
            return
        }
        if !criterion.named.contains(.score) && !criterion.named.contains(.reason) {
            row.problems.append("\(context)a criterion needs a score or a reason")
            return
        }
        guard let categoryId = criterion.categoryId, let criterionId = criterion.criterionId else { return }
        let update = CriterionUpdate(categoryId: categoryId, criterionId: criterionId, score: criterion.score, reason: criterion.reason)
        if let earlier = row.criteria.first(where: { $0.key == update.key }) {
            if earlier != update {
                row.problems.append("\(update.key) appears twice in this row with different values")
            }
            return
        }
        row.criteria.append(update)
    }

    /// The row's own completeness rules, after every column was set.
    func finish(_ row: inout DecodedRow, assessmentIdGiven: Bool) {
        if row.assessmentId == nil && !assessmentIdGiven {
            row.problems.append("assessmentId is missing")
        }
        if row.problems.isEmpty && row.criteria.isEmpty && !row.fields.setsAnyValue {
            row.problems.append("the row sets nothing to update (no criterion, text, date or state)")
        }
    }

    // MARK: - Values

    private func positiveInteger(_ column: Column, _ value: RawValue, row: inout DecodedRow) -> Int? {
        integer(column, value, minimum: 1, maximum: Int.max, expected: "a positive integer", row: &row)
    }

    /// Digits in a text or a JSON integer, within `minimum...maximum` (ids and scores of a
    /// criterion are kept in 32 bits, like the API's).
    private func integer(_ column: Column, _ value: RawValue, minimum: Int, maximum: Int, expected: String, row: inout DecodedRow) -> Int? {
        let parsed: Int?
        switch value {
        case .text(let text): parsed = parseInteger(text.trimmingWhitespace())
        case .number(let text): parsed = parseInteger(text)
        case .other: parsed = nil
        }
        guard let parsed, parsed >= minimum, parsed <= maximum else {
            row.problems.append("\(column.rawValue) must be \(expected), got \(describe(value))")
            return nil
        }
        return parsed
    }

    private func text(_ column: Column, _ value: RawValue, row: inout DecodedRow) -> String? {
        guard case .text(let text) = value else {
            row.problems.append("\(column.rawValue) must be text, got \(value.quoted)")
            return nil
        }
        return text
    }

    private func date(_ column: Column, _ value: RawValue, row: inout DecodedRow) -> Timestamp? {
        guard case .text(let raw) = value else {
            row.problems.append("\(column.rawValue) must be an RFC 3339 date-time string, got \(value.quoted)")
            return nil
        }
        switch Timestamp.parse(raw.trimmingWhitespace(), zone: zone) {
        case .success(let timestamp):
            return timestamp
        case .failure(.missingOffset):
            row.problems.append("\(column.rawValue) \(value.quoted) has no UTC offset: write it like 2024-06-12T11:00:00+02:00 or pass --timezone")
        case .failure(.malformed):
            row.problems.append("\(column.rawValue) must be an RFC 3339 date-time like 2024-06-12T11:00:00+02:00, got \(value.quoted)")
        }
        return nil
    }

    private func describe(_ value: RawValue) -> String {
        if case .number(let text) = value, text.count > 19 { return "\(text.prefix(24))… (too large)" }
        return value.quoted
    }
}

/// A set of the criterion columns, as bits (a `Set<Column>` per row costs a hash table).
struct CriterionColumns {
    private var bits: UInt8 = 0

    private static func bit(_ column: Column) -> UInt8 {
        switch column {
        case .categoryId: return 1
        case .criterionId: return 2
        case .score: return 4
        case .reason: return 8
        default: return 0
        }
    }

    mutating func insert(_ column: Column) { bits |= Self.bit(column) }
    func contains(_ column: Column) -> Bool { bits & Self.bit(column) != 0 }
    var isEmpty: Bool { bits == 0 }
}

/// Parses an optionally signed run of ASCII digits; nil for anything else or on overflow.
func parseInteger(_ text: String) -> Int? {
    var utf8 = text.utf8[...]
    var negative = false
    if utf8.first == UInt8(ascii: "-") {
        negative = true
        utf8 = utf8.dropFirst()
    }
    guard !utf8.isEmpty else { return nil }
    var value = 0
    for byte in utf8 {
        guard byte >= 48, byte <= 57 else { return nil }
        let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
        let (sum, overflow2) = times.addingReportingOverflow(Int(byte - 48))
        guard !overflow1, !overflow2 else { return nil }
        value = sum
    }
    return negative ? -value : value
}
