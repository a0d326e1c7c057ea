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

    /// The assessment-level `…Before` values (each in its field's slot), until `finish`
    /// compares them.
    var fieldsBefore: AssessmentFields {
        get { sheetParts.first?.fieldsBefore ?? AssessmentFields() }
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
        fields.clear()
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
    var fieldsBefore = AssessmentFields()
    var expected = ExpectedValues()
}

/// A date cell's text and the problems held back until its row is finished.
struct HeldDate {
    var column: Column
    var text: String
    var problems: [String]
}

/// Turns cells or JSON members into a `DecodedRow`, collecting every problem.
struct RowDecoder {
    var zone: Timestamp.Zone?
    /// Every kept text comes from here, so repeated texts share one string.
    var texts = TextPool()
    /// The last assessment-level values decoded, two per field (its column, its `…Before`):
    /// they repeat on every row of an assessment, and comparing their bytes costs less than
    /// decoding them again.
    private var lastValues = [LastDecoded<FieldValue>](repeating: LastDecoded(), count: 2 * FieldDescriptor.table.count)
    /// The kind of each field of the table, kept here: a global read per cell costs a
    /// once-check each time.
    private let fieldKinds = FieldDescriptor.table.map(\.kind)
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
        case .scoreBefore:
            criterion.scoreBefore = integer(column, value, minimum: 0, maximum: Int(Int32.max), expected: "a whole number ≥ 0", row: &row)
        case .reasonBefore:
            guard let bytes = Self.textBytes(column, value, row: &row, unescapes: unescapesFormulas) else { return }
            criterion.reasonBefore = texts.index(bytes)
        case .error, .errorKind, .sourceLine, .categoryName, .criterionName, .scoringType, .maxPoints, .assessedUser, .ticketId, .canEdit:
            return
        default:
            // An assessment-level field or its Before: read as its entry in the table says.
            guard let index = column.fieldIndex else { return }
            setField(index, column, value, row: &row)
        }
    }

    /// Reads the value of the field at `index` (`column` is its own column or its Before) by
    /// the field's kind.
    private mutating func setField(_ index: Int, _ column: Column, _ value: RawValue, row: inout DecodedRow) {
        let isBefore = column.isBefore
        let decoded: FieldValue?
        switch fieldKinds[index] {
        case .text:
            decoded = Self.text(column, value, row: &row, texts: &texts, last: &lastValues[2 * index + (isBefore ? 1 : 0)], unescapes: unescapesFormulas)
        case .dateTime:
            let start = row.problems.count
            decoded = Self.date(column, value, zone: zone, row: &row, last: &lastValues[2 * index + (isBefore ? 1 : 0)])
            Self.holdDate(column, value, problemsFrom: start, row: &row)
        case .state:
            // A file asks for a settable state; a Before names whatever state there was.
            let name: UnsafeBufferPointer<UInt8>? = if case .text(let raw) = value { raw.trimmingWhitespace() } else { nil }
            let state = name.flatMap { Self.state($0, among: isBefore ? AssessmentState.knownNames : Self.settableStates) }
            if state == nil {
                row.problems.append(isBefore
                    ? "\(column.rawValue) must be an assessment state (\(AssessmentState.known.map(\.name).joined(separator: ", "))), got \(value.quoted)"
                    : "\(column.rawValue) must be \(Self.settableNames), got \(value.quoted)\(name == nil ? "" : ExcelPitfall.truthValue(in: value))")
            }
            decoded = state.map { .state($0) }
        case .positiveInteger:
            decoded = positiveInteger(column, value, row: &row).map { .integer($0) }
        }
        if isBefore {
            row.fieldsBefore[field: index] = decoded
        } else {
            row.fields[field: index] = decoded
            row.setColumns.insert(column)
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

    /// The states a file may set, with their names' bytes, looked up once per state cell.
    private static let settableStates = AssessmentState.knownNames.filter(\.state.isSettable)
    /// How messages list the states a file may set.
    private static let settableNames = AssessmentState.settable.map(\.name).joined(separator: " or ")

    /// The state of `candidates` that `name` spells, ASCII case ignored (Excel's autocorrect
    /// capitalises it).
    private static func state(_ name: UnsafeBufferPointer<UInt8>, among candidates: [(state: AssessmentState, name: [UInt8])]) -> AssessmentState? {
        for candidate in candidates where candidate.name.count == name.count {
            var index = 0
            while index < name.count && equalIgnoringASCIICase(candidate.name[index], name[index]) { index += 1 }
            if index == name.count { return candidate.state }
        }
        return nil
    }

    /// Whether two bytes are equal when ASCII letters are compared without case.
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
        let carried = row.carriedBefore
        let before = row.fieldsBefore
        for (index, field) in FieldDescriptor.table.enumerated() {
            guard let beforeColumn = field.before else { continue }
            if field.kind == .dateTime {
                let edit = row.heldDates.first { $0.column == field.column }
                let seen = row.heldDates.first { $0.column == beforeColumn }
                if let edit, let seen, edit.text == seen.text {
                    // The same text twice: no edit, even in a format the tool cannot read.
                    row.fields[field: index] = nil
                    row.setColumns.remove(field.column)
                } else {
                    row.problems += (edit?.problems ?? []) + (seen?.problems ?? [])
                }
            }
            guard carried.contains(beforeColumn), let edit = row.fields[field: index] else { continue }
            // Every assessment has a state: an empty stateBefore (a row other than the
            // assessment's first) sets no expectation, and the transition is checked as in any file.
            if field.kind == .state && before[field: index] == nil { continue }
            let seen: SeenValue<FieldValue> = before[field: index].flatMap { $0.isEmpty ? nil : $0 }.map { .value($0) } ?? .empty
            if seen.matches(edit) { row.fields[field: index] = nil } else { row.expected[field: index] = seen }
        }
        // A dropped value no longer counts as set, for the agreement checks across rows.
        for (index, field) in FieldDescriptor.table.enumerated() where field.before != nil && row.setColumns.contains(field.column) {
            if row.fields[field: index] == nil && row.problems.isEmpty { row.setColumns.remove(field.column) }
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
                             last: inout LastDecoded<FieldValue>, unescapes: Bool) -> FieldValue? {
        guard let bytes = textBytes(column, value, row: &row, unescapes: unescapes) else { return nil }
        if let repeated = last.value(for: bytes) { return repeated }
        let text = FieldValue.text(texts.string(bytes))
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
                             last: inout LastDecoded<FieldValue>) -> FieldValue? {
        guard case .text(let raw) = value else {
            row.problems.append("\(column.rawValue) must be an RFC 3339 date-time string, got \(value.quoted)")
            return nil
        }
        let trimmed = raw.trimmingWhitespace()
        if let repeated = last.value(for: trimmed) { return repeated }
        switch Timestamp.parse(trimmed, zone: zone) {
        case .success(let timestamp):
            last.remember(.date(timestamp), for: trimmed)
            return .date(timestamp)
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
    private var bits: UInt64 = 0

    /// How many columns a set can hold: `Column` must not have more (a test checks; a shift
    /// past the width would silently give an empty bit).
    static let capacity = UInt64.bitWidth

    init() {}

    private static func bit(_ column: Column) -> UInt64 {
        assert(column.ordinal < capacity, "ColumnSet holds \(capacity) columns")
        return 1 << UInt64(column.ordinal)
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
