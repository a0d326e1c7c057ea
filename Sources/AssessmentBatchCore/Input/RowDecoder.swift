#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value as it stands in one cell (CSV) or under one key (JSONL): its UTF-8 bytes, valid
/// only during the call that decodes them, so a value becomes a `String` only when it is kept.
enum RawValue {
    case text(UnsafeBufferPointer<UInt8>)
    case number(UnsafeBufferPointer<UInt8>)
    case other(String)  // a JSON bool, array or object where a scalar belongs; holds its kind

    var isEmpty: Bool {
        if case .text(let text) = self { return text.isEmpty }
        return false
    }

    /// How the value reads in an error message.
    var quoted: String {
        switch self {
        case .text(let bytes):
            let text = String(decoding: bytes, as: UTF8.self)
            return "\"\(text.count > 60 ? String(text.prefix(60)) + "…" : text)\""
        case .number(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .other(let kind): return kind
        }
    }
}

/// One input row, decoded and checked on its own.
struct DecodedRow {
    init(location: SourceLocation) {
        self.location = location
    }

    var location: SourceLocation
    var assessmentId: Int?
    /// Reasons index the decoder's `texts`.
    var criteria: [CriterionList.Entry] = []
    var fields = AssessmentFields()
    /// Every problem found in this row alone.
    var problems: [String] = []
    /// The columns this row set, for agreement checks across rows.
    var setColumns = ColumnSet()
    /// The `…Before` columns this row carries, empty or not (CSV: the header's; JSONL: the
    /// line's keys): their values decide which of the row's values are edits.
    var carriedBefore = ColumnSet()
    /// The parts only a sheet with `…Before` columns uses, out of line: an array of at most
    /// one element is one word in the row, so rows of ordinary files stay small to copy and
    /// reset (inline, these parts made validating a CSV 30 % slower).
    private(set) var sheetParts: [SheetParts] = []
    /// Date cells of a sheet with their Before columns, as written (see `RowDecoder.holdDate`).
    var heldDates: [HeldDate] = []

    /// The assessment-level `…Before` values, until `finish` compares them.
    var fieldsBefore: FieldsBefore {
        get { sheetParts.first?.fieldsBefore ?? FieldsBefore() }
        set { sheetPart { $0.fieldsBefore = newValue } }
    }

    /// What the file's maker saw of each edited value of this row.
    var expected: ExpectedValues {
        get { sheetParts.first?.expected ?? ExpectedValues() }
        set { sheetPart { $0.expected = newValue } }
    }

    /// Whether the row holds what the file's maker saw of an edit (without building it).
    var hasExpectations: Bool { sheetParts.first.map { !$0.expected.isEmpty } ?? false }

    private mutating func sheetPart(_ change: (inout SheetParts) -> Void) {
        if sheetParts.isEmpty { sheetParts.append(SheetParts()) }
        change(&sheetParts[0])
    }

    /// Empties the row for another at `location`, keeping its arrays' room.
    mutating func reset(location: SourceLocation) {
        self.location = location
        assessmentId = nil
        criteria.removeAll(keepingCapacity: true)
        fields = AssessmentFields()
        problems.removeAll(keepingCapacity: true)
        setColumns = ColumnSet()
        if !carriedBefore.isEmpty || !sheetParts.isEmpty || !heldDates.isEmpty {
            carriedBefore = ColumnSet()
            sheetParts.removeAll(keepingCapacity: true)
            heldDates.removeAll(keepingCapacity: true)
        }
    }
}

/// What a row of a sheet with `…Before` columns carries besides its values.
struct SheetParts {
    var fieldsBefore = FieldsBefore()
    var expected = ExpectedValues()
}

/// A date cell's text and the problems held back until its row is finished.
struct HeldDate {
    var column: Column
    var text: String
    var problems: [String]
}

/// A row's assessment-level `…Before` values; nil for an empty cell.
struct FieldsBefore {
    var aiSummary: String?
    var supervisorAssessment: String?
    var assessmentDate: Timestamp?
    var discussionDate: Timestamp?
    var state: String?
}

/// Turns cells or JSON members into a `DecodedRow`, collecting every problem.
struct RowDecoder {
    var zone: Timestamp.Zone?
    /// Every kept text comes from here, so repeated texts share one string.
    var texts = TextPool()
    /// The last assessment-level values decoded, by column: they repeat on every row of an
    /// assessment, and comparing their bytes costs less than decoding them again.
    private var lastTexts = (aiSummary: LastDecoded<String>(), supervisorAssessment: LastDecoded<String>(),
                             aiSummaryBefore: LastDecoded<String>(), supervisorAssessmentBefore: LastDecoded<String>())
    private var lastDates = (assessmentDate: LastDecoded<Timestamp>(), discussionDate: LastDecoded<Timestamp>(),
                             expectedModifiedAt: LastDecoded<Timestamp>(), assessmentDateBefore: LastDecoded<Timestamp>(),
                             discussionDateBefore: LastDecoded<Timestamp>())
    /// Reverse the formula rule on texts (CSV/TSV files with `…Before` columns, as `export`
    /// writes them): see `FormulaGuard`.
    var unescapesFormulas = false

    init(zone: Timestamp.Zone?) {
        self.zone = zone
    }

    /// The criterion columns of a flat row, gathered before they are checked together.
    struct PendingCriterion {
        var categoryId: Int?
        var criterionId: Int?
        var score: Int?
        /// Index into `texts`.
        var reason: Int32?
        /// The `…Before` values; nil for an empty cell.
        var scoreBefore: Int?
        var reasonBefore: Int32?
        /// Which of the four criterion columns the row names.
        var named = ColumnSet()
    }

    /// Applies one column's value to `row`; empty values mean "leave unchanged".
    mutating func set(_ column: Column, _ value: RawValue, row: inout DecodedRow, criterion: inout PendingCriterion) {
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
            guard let bytes = Self.textBytes(column, value, row: &row, unescapes: unescapesFormulas) else { return }
            criterion.reason = texts.index(bytes)
        case .aiSummary:
            row.fields.aiSummary = Self.text(column, value, row: &row, texts: &texts, last: &lastTexts.aiSummary, unescapes: unescapesFormulas)
            row.setColumns.insert(column)
        case .supervisorAssessment:
            row.fields.supervisorAssessment = Self.text(column, value, row: &row, texts: &texts, last: &lastTexts.supervisorAssessment, unescapes: unescapesFormulas)
            row.setColumns.insert(column)
        case .assessmentDate:
            let start = row.problems.count
            row.fields.assessmentDate = Self.date(column, value, zone: zone, row: &row, last: &lastDates.assessmentDate)
            Self.holdDate(column, value, problemsFrom: start, row: &row)
            row.setColumns.insert(column)
        case .discussionDate:
            let start = row.problems.count
            row.fields.discussionDate = Self.date(column, value, zone: zone, row: &row, last: &lastDates.discussionDate)
            Self.holdDate(column, value, problemsFrom: start, row: &row)
            row.setColumns.insert(column)
        case .expectedModifiedAt:
            row.fields.expectedModifiedAt = Self.date(column, value, zone: zone, row: &row, last: &lastDates.expectedModifiedAt)
            row.setColumns.insert(column)
        case .state:
            row.setColumns.insert(column)
            guard case .text(let raw) = value else {
                row.problems.append("state must be reviewedBySupervisor or discussedWithAssessee, got \(value.quoted)")
                return
            }
            let name = raw.trimmingWhitespace()
            if let state = Self.targetState(name) {
                row.fields.state = state
            } else {
                row.problems.append("state must be reviewedBySupervisor or discussedWithAssessee, got \(value.quoted)\(ExcelPitfall.truthValue(in: value))")
            }
        case .scorecardId:
            row.fields.scorecardId = positiveInteger(column, value, row: &row)
            row.setColumns.insert(column)
        case .scoreBefore:
            criterion.scoreBefore = integer(column, value, minimum: 0, maximum: Int(Int32.max), expected: "a whole number ≥ 0", row: &row)
        case .reasonBefore:
            guard let bytes = Self.textBytes(column, value, row: &row, unescapes: unescapesFormulas) else { return }
            criterion.reasonBefore = texts.index(bytes)
        case .aiSummaryBefore:
            row.fieldsBefore.aiSummary = Self.text(column, value, row: &row, texts: &texts, last: &lastTexts.aiSummaryBefore, unescapes: unescapesFormulas)
        case .supervisorAssessmentBefore:
            row.fieldsBefore.supervisorAssessment = Self.text(column, value, row: &row, texts: &texts, last: &lastTexts.supervisorAssessmentBefore, unescapes: unescapesFormulas)
        case .assessmentDateBefore:
            let start = row.problems.count
            row.fieldsBefore.assessmentDate = Self.date(column, value, zone: zone, row: &row, last: &lastDates.assessmentDateBefore)
            Self.holdDate(column, value, problemsFrom: start, row: &row)
        case .discussionDateBefore:
            let start = row.problems.count
            row.fieldsBefore.discussionDate = Self.date(column, value, zone: zone, row: &row, last: &lastDates.discussionDateBefore)
            Self.holdDate(column, value, problemsFrom: start, row: &row)
        case .stateBefore:
            let name: UnsafeBufferPointer<UInt8>? = if case .text(let raw) = value { raw.trimmingWhitespace() } else { nil }
            if let name, let state = Self.assessmentStates.first(where: { $0.utf8.elementsEqual(name, by: Self.equalIgnoringASCIICase) }) {
                row.fieldsBefore.state = state
            } else {
                row.problems.append("stateBefore must be an assessment state (\(Self.assessmentStates.joined(separator: ", "))), got \(value.quoted)")
            }
        case .error, .errorKind, .sourceLine, .categoryName, .criterionName, .scoringType, .maxPoints, .assessedUser, .ticketId, .canEdit:
            return
        }
    }

    /// In a sheet with the date's Before column (CSV/TSV), keeps the date cell's text and holds
    /// back its problems until the row is finished: a spreadsheet that re-wrote a date in its
    /// own format (without an offset) re-wrote its Before alike, and an unchanged pair is no
    /// edit, whatever its format.
    private static func holdDate(_ column: Column, _ value: RawValue, problemsFrom start: Int, row: inout DecodedRow) {
        let pair = column.isBefore ? column : column.beforeColumn
        guard let pair, row.carriedBefore.contains(pair), case .text(let raw) = value else { return }
        let problems = Array(row.problems[start...])
        row.problems.removeSubrange(start...)
        row.heldDates.append(HeldDate(column: column, text: String(decoding: raw.trimmingWhitespace(), as: UTF8.self), problems: problems))
    }

    /// Every state an assessment can be in, as `stateBefore` may name it.
    static let assessmentStates = ["unprocessed", "aiInProgress", "aiReady", "reviewOngoing", "reviewedBySupervisor",
                                   "discussedWithAssessee", "error", "deleted"]

    /// Checks a flat row's criterion columns together and adds the criterion.
    mutating func finishCriterion(_ criterion: PendingCriterion, row: inout DecodedRow, context: String = "") {
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
        let carriesBefore = row.carriedBefore.contains(.scoreBefore) || row.carriedBefore.contains(.reasonBefore)
        if !carriesBefore && !criterion.named.contains(.score) && !criterion.named.contains(.reason) {
            row.problems.append("\(context)a criterion needs a score or a reason")
            return
        }
        guard let categoryId = criterion.categoryId, let criterionId = criterion.criterionId else { return }
        var score = criterion.score
        var reason = criterion.reason
        var expectation = CriterionExpectation(key: CriterionKey(categoryId: categoryId, criterionId: criterionId))
        if carriesBefore {
            // The three-way rule: a value equal to its Before is no edit and is left out.
            if row.carriedBefore.contains(.scoreBefore), let edit = score {
                if edit == criterion.scoreBefore { score = nil } else { expectation.score = criterion.scoreBefore.map { .value($0) } ?? .empty }
            }
            if row.carriedBefore.contains(.reasonBefore), let edit = reason {
                let seen = criterion.reasonBefore.map { texts.text(at: $0) } ?? ""
                if texts.text(at: edit) == seen { reason = nil } else { expectation.reason = seen.isEmpty ? .empty : .value(seen) }
            }
            if score == nil && reason == nil { return }
        }
        let entry = CriterionList.Entry(categoryId: Int32(categoryId), criterionId: Int32(criterionId),
                                        score: score.map { Int32($0) } ?? -1, reason: reason ?? -1)
        if let earlier = row.criteria.first(where: { $0.hasSameKey(as: entry) }) {
            if !hasSameValues(earlier, entry) {
                row.problems.append("\(CriterionKey(categoryId: categoryId, criterionId: criterionId)) appears twice in this row with different values")
            }
            return
        }
        row.criteria.append(entry)
        if expectation.score != nil || expectation.reason != nil { row.expected.criteria.append(expectation) }
    }

    /// Whether two criteria decoded here write the same score and reason.
    func hasSameValues(_ a: CriterionList.Entry, _ b: CriterionList.Entry) -> Bool {
        guard a.score == b.score else { return false }
        if a.reason == b.reason { return true }
        // Texts past the pool's limit are not looked up again: equal ones may differ in index.
        return a.reason >= 0 && b.reason >= 0 && texts.text(at: a.reason) == texts.text(at: b.reason)
    }

    /// Whether two bytes are equal when ASCII letters are compared without case.
    /// The states a file may set, with their names' bytes, looked up once per state cell.
    private static let targetStateNames: [(state: TargetState, name: [UInt8])] = TargetState.allCases.map { ($0, Array($0.rawValue.utf8)) }

    /// The state `name` spells, ASCII case ignored (Excel's autocorrect capitalises it).
    private static func targetState(_ name: UnsafeBufferPointer<UInt8>) -> TargetState? {
        for candidate in targetStateNames where candidate.name.count == name.count {
            var index = 0
            while index < name.count && equalIgnoringASCIICase(candidate.name[index], name[index]) { index += 1 }
            if index == name.count { return candidate.state }
        }
        return nil
    }

    private static func equalIgnoringASCIICase(_ a: UInt8, _ b: UInt8) -> Bool {
        a == b || (a | 0x20 == b | 0x20 && (a | 0x20) &- UInt8(ascii: "a") < 26)
    }

    /// The row's own completeness rules, after every column was set.
    mutating func finish(_ row: inout DecodedRow, assessmentIdGiven: Bool) {
        if row.assessmentId == nil && !assessmentIdGiven {
            row.problems.append("assessmentId is missing")
        }
        if !row.carriedBefore.isEmpty {
            Self.resolveBefore(&row)
            return  // a row of an exported sheet may change nothing
        }
        if row.problems.isEmpty && row.criteria.isEmpty && !row.fields.setsAnyValue {
            row.problems.append("the row sets nothing to update (no criterion, text, date or state)")
        }
    }

    /// The three-way rule for the row's assessment-level values: one equal to its Before is no
    /// edit and is dropped; an edit keeps what was seen, for preflight to compare.
    private static func resolveBefore(_ row: inout DecodedRow) {
        for (column, beforeColumn) in [(Column.assessmentDate, Column.assessmentDateBefore), (.discussionDate, .discussionDateBefore)] {
            let edit = row.heldDates.first { $0.column == column }
            let seen = row.heldDates.first { $0.column == beforeColumn }
            if let edit, let seen, edit.text == seen.text {
                // The same text twice: no edit, even in a format the tool cannot read.
                if column == .assessmentDate { row.fields.assessmentDate = nil } else { row.fields.discussionDate = nil }
                row.setColumns.remove(column)
            } else {
                row.problems += (edit?.problems ?? []) + (seen?.problems ?? [])
            }
        }
        let carried = row.carriedBefore
        let before = row.fieldsBefore
        /// nil when `column` has no Before in this row or no value; else whether the value is
        /// no edit, and what was seen.
        func judge<Value: Equatable>(_ column: Column, _ edit: Value?, _ seen: Value?,
                                     isEmpty: (Value) -> Bool = { _ in false }) -> (unedited: Bool, seen: SeenValue<Value>)? {
            guard let beforeColumn = column.beforeColumn, carried.contains(beforeColumn), let edit else { return nil }
            let seenValue: SeenValue<Value> = seen.flatMap { isEmpty($0) ? nil : $0 }.map { .value($0) } ?? .empty
            return (seenValue.matches(edit), seenValue)
        }
        if let judged = judge(.aiSummary, row.fields.aiSummary, before.aiSummary, isEmpty: \.isEmpty) {
            if judged.unedited { row.fields.aiSummary = nil } else { row.expected.aiSummary = judged.seen }
        }
        if let judged = judge(.supervisorAssessment, row.fields.supervisorAssessment, before.supervisorAssessment, isEmpty: \.isEmpty) {
            if judged.unedited { row.fields.supervisorAssessment = nil } else { row.expected.supervisorAssessment = judged.seen }
        }
        if let judged = judge(.assessmentDate, row.fields.assessmentDate, before.assessmentDate) {
            if judged.unedited { row.fields.assessmentDate = nil } else { row.expected.assessmentDate = judged.seen }
        }
        if let judged = judge(.discussionDate, row.fields.discussionDate, before.discussionDate) {
            if judged.unedited { row.fields.discussionDate = nil } else { row.expected.discussionDate = judged.seen }
        }
        // Every assessment has a state: an empty stateBefore (a row other than the assessment's
        // first) sets no expectation, and the transition is checked as in any file.
        if before.state != nil, let judged = judge(.state, row.fields.state?.rawValue, before.state) {
            if judged.unedited { row.fields.state = nil } else { row.expected.state = judged.seen }
        }
        // A dropped value no longer counts as set, for the agreement checks across rows.
        for column in [Column.aiSummary, .supervisorAssessment, .assessmentDate, .discussionDate, .state] where row.setColumns.contains(column) {
            let isSet = switch column {
            case .aiSummary: row.fields.aiSummary != nil
            case .supervisorAssessment: row.fields.supervisorAssessment != nil
            case .assessmentDate: row.fields.assessmentDate != nil
            case .discussionDate: row.fields.discussionDate != nil
            default: row.fields.state != nil
            }
            if !isSet && row.problems.isEmpty { row.setColumns.remove(column) }
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
        case .text(let bytes): parsed = parseInteger(bytes.trimmingWhitespace())
        case .number(let bytes): parsed = parseInteger(bytes)
        case .other: parsed = nil
        }
        guard let parsed, parsed >= minimum, parsed <= maximum else {
            row.problems.append("\(column.rawValue) must be \(expected), got \(describe(value))\(ExcelPitfall.number(in: value, column: column))")
            return nil
        }
        return parsed
    }

    /// A text from the pool, or the column's last one when the bytes repeat.
    private static func text(_ column: Column, _ value: RawValue, row: inout DecodedRow, texts: inout TextPool,
                             last: inout LastDecoded<String>, unescapes: Bool) -> String? {
        guard let bytes = textBytes(column, value, row: &row, unescapes: unescapes) else { return nil }
        if let repeated = last.value(for: bytes) { return repeated }
        let text = texts.string(bytes)
        last.remember(text, for: bytes)
        return text
    }

    /// The bytes of a text value, with the formula rule reversed when `unescapes`; nil, with
    /// the row's problem, for anything else.
    private static func textBytes(_ column: Column, _ value: RawValue, row: inout DecodedRow, unescapes: Bool) -> UnsafeBufferPointer<UInt8>? {
        guard case .text(let bytes) = value else {
            row.problems.append("\(column.rawValue) must be text, got \(value.quoted)")
            return nil
        }
        return unescapes ? FormulaGuard.unescaped(bytes) : bytes
    }

    /// A parsed date-time, or the column's last one when the bytes repeat.
    private static func date(_ column: Column, _ value: RawValue, zone: Timestamp.Zone?, row: inout DecodedRow,
                             last: inout LastDecoded<Timestamp>) -> Timestamp? {
        guard case .text(let raw) = value else {
            row.problems.append("\(column.rawValue) must be an RFC 3339 date-time string, got \(value.quoted)")
            return nil
        }
        let trimmed = raw.trimmingWhitespace()
        if let repeated = last.value(for: trimmed) { return repeated }
        switch Timestamp.parse(trimmed, zone: zone) {
        case .success(let timestamp):
            last.remember(timestamp, for: trimmed)
            return timestamp
        case .failure(.missingOffset):
            row.problems.append("\(column.rawValue) \(value.quoted) has no UTC offset: write it like 2024-06-12T11:00:00+02:00 or pass --timezone")
        case .failure(.malformed):
            row.problems.append("\(column.rawValue) must be an RFC 3339 date-time like 2024-06-12T11:00:00+02:00, got \(value.quoted)\(ExcelPitfall.date(in: value))")
        }
        return nil
    }

    private func describe(_ value: RawValue) -> String {
        if case .number(let bytes) = value, bytes.count > 19 { return "\(String(decoding: bytes.prefix(24), as: UTF8.self))… (too large)" }
        return value.quoted
    }
}

/// The last value decoded for a column, with the bytes it came from.
struct LastDecoded<Value> {
    private var bytes: [UInt8] = []
    private var value: Value?

    /// The value, when `bytes` are the ones it came from.
    func value(for bytes: UnsafeBufferPointer<UInt8>) -> Value? {
        guard let value, self.bytes.count == bytes.count else { return nil }
        let same = self.bytes.withUnsafeBufferPointer { kept in
            bytes.isEmpty || memcmp(kept.baseAddress!, bytes.baseAddress!, bytes.count) == 0
        }
        return same ? value : nil
    }

    mutating func remember(_ value: Value, for bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes.removeAll(keepingCapacity: true)
        self.bytes.append(contentsOf: bytes)
        self.value = value
    }
}

/// A set of columns, as bits (a `Set<Column>` per row would cost a hash table).
struct ColumnSet: Sequence {
    private var bits: UInt32 = 0

    init() {}

    private static func bit(_ column: Column) -> UInt32 {
        1 << UInt32(column.ordinal)
    }

    mutating func insert(_ column: Column) { bits |= Self.bit(column) }
    mutating func remove(_ column: Column) { bits &= ~Self.bit(column) }
    func contains(_ column: Column) -> Bool { bits & Self.bit(column) != 0 }
    var isEmpty: Bool { bits == 0 }

    /// The members, in the order of `Column.allCases`.
    func makeIterator() -> some IteratorProtocol<Column> {
        Column.allCases.lazy.filter { contains($0) }.makeIterator()
    }
}

/// Parses an optionally signed run of ASCII digits; nil for anything else or on overflow.
func parseInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    var digits = bytes[...]
    var negative = false
    if digits.first == UInt8(ascii: "-") {
        negative = true
        digits = digits.dropFirst()
    }
    guard !digits.isEmpty else { return nil }
    var value = 0
    for byte in digits {
        let digit = byte &- UInt8(ascii: "0")
        guard digit < 10 else { return nil }
        let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
        let (sum, overflow2) = times.addingReportingOverflow(Int(digit))
        guard !overflow1, !overflow2 else { return nil }
        value = sum
    }
    return negative ? -value : value
}

extension UnsafeBufferPointer<UInt8> {
    /// The bytes without leading and trailing spaces, tabs, line breaks and no-break spaces
    /// (U+00A0, `C2 A0`), like `String.trimmingWhitespace()`.
    func trimmingWhitespace() -> UnsafeBufferPointer<UInt8> {
        var start = startIndex
        var end = endIndex
        while start < end {
            let byte = self[start]
            if byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A {
                start += 1
            } else if byte == 0xC2 && start + 1 < end && self[start + 1] == 0xA0 {
                start += 2
            } else {
                break
            }
        }
        while end > start {
            let byte = self[end - 1]
            if byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A {
                end -= 1
            } else if byte == 0xA0 && end - 2 >= start && self[end - 2] == 0xC2 {
                end -= 2
            } else {
                break
            }
        }
        return UnsafeBufferPointer(rebasing: self[start..<end])
    }
}
