#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A column (CSV) or key (JSONL) the tool understands.
public enum Column: String, CaseIterable, Sendable {
    case assessmentId, categoryId, criterionId, score, reason
    case aiSummary, supervisorAssessment, assessmentDate, discussionDate, state
    case scorecardId, expectedModifiedAt
    /// Written by the tool into failures files and ignored when read back.
    case error, errorKind, sourceLine
    /// What a value was when the file was made (`export` writes them): an edit is written only
    /// while the live value still equals it.
    case scoreBefore, reasonBefore, aiSummaryBefore, supervisorAssessmentBefore, assessmentDateBefore, discussionDateBefore
    case stateBefore
    /// Context `export` writes so a reviewer can read the sheet; ignored on input.
    case categoryName, criterionName, scoringType, maxPoints, assessedUser, ticketId, canEdit

    /// Columns the tool writes into failures files; ignored on input.
    public static let written: [Column] = [.error, .errorKind, .sourceLine]
    /// Context columns `export` writes; ignored on input.
    public static let context: [Column] = [.categoryName, .criterionName, .scoringType, .maxPoints, .assessedUser, .ticketId, .canEdit]
    /// The `…Before` columns.
    public static let before: [Column] = [.scoreBefore, .reasonBefore, .aiSummaryBefore, .supervisorAssessmentBefore,
                                          .assessmentDateBefore, .discussionDateBefore, .stateBefore]

    /// Whether input ignores this column's values.
    var isIgnoredOnInput: Bool { ordinal >= Column.error.ordinal && ordinal <= Column.sourceLine.ordinal || ordinal >= Column.categoryName.ordinal }

    /// The `…Before` column of a value that has one (an assessment-level field's is in its
    /// entry of `FieldDescriptor.table`).
    public var beforeColumn: Column? {
        switch self {
        case .score: .scoreBefore
        case .reason: .reasonBefore
        default: field.flatMap { $0.column == self ? $0.before : nil }
        }
    }

    /// Whether this is one of the `…Before` columns.
    var isBefore: Bool { ordinal >= Column.scoreBefore.ordinal && ordinal <= Column.stateBefore.ordinal }

    private static let byLowercasedName: [String: Column] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0.rawValue.lowercased(), $0) })

    /// The column's position in `allCases`.
    var ordinal: Int {
        switch self {
        case .assessmentId: 0
        case .categoryId: 1
        case .criterionId: 2
        case .score: 3
        case .reason: 4
        case .aiSummary: 5
        case .supervisorAssessment: 6
        case .assessmentDate: 7
        case .discussionDate: 8
        case .state: 9
        case .scorecardId: 10
        case .expectedModifiedAt: 11
        case .error: 12
        case .errorKind: 13
        case .sourceLine: 14
        case .scoreBefore: 15
        case .reasonBefore: 16
        case .aiSummaryBefore: 17
        case .supervisorAssessmentBefore: 18
        case .assessmentDateBefore: 19
        case .discussionDateBefore: 20
        case .stateBefore: 21
        case .categoryName: 22
        case .criterionName: 23
        case .scoringType: 24
        case .maxPoints: 25
        case .assessedUser: 26
        case .ticketId: 27
        case .canEdit: 28
        }
    }

    /// The exact spellings, as UTF-8, grouped by length.
    private static let namesByLength: [[(name: [UInt8], column: Column)]] = {
        var table = [[(name: [UInt8], column: Column)]](repeating: [], count: allCases.map(\.rawValue.utf8.count).max()! + 1)
        for column in allCases { table[column.rawValue.utf8.count].append((Array(column.rawValue.utf8), column)) }
        return table
    }()

    /// Matches a header or key given as UTF-8, like `init?(header:)`; the exact spelling is
    /// found without building a string (a JSONL file names columns on every line).
    init?(header bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count < Self.namesByLength.count {
            for (name, column) in Self.namesByLength[bytes.count]
            where name.withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) {
                self = column
                return
            }
        }
        self.init(header: String(decoding: bytes, as: UTF8.self))
    }

    /// Matches a header or key case-insensitively, ignoring surrounding whitespace.
    public init?(header: String) {
        if let exact = Column(rawValue: header) {  // the common spelling, without lowercasing
            self = exact
            return
        }
        guard let column = Self.byLowercasedName[header.trimmingWhitespace().lowercased()] else { return nil }
        self = column
    }

    /// The known column whose name is closest to `name`, for "did you mean" messages.
    public static func closest(to name: String) -> Column {
        closest(to: name, among: allCases) ?? .assessmentId
    }

    /// The column of `candidates` whose name is closest to `name` (case and surrounding
    /// whitespace ignored).
    static func closest(to name: String, among candidates: some Collection<Column>) -> Column? {
        let target = Array(name.trimmingWhitespace().lowercased().utf8)
        return candidates.min { lhs, rhs in
            editDistance(target, Array(lhs.rawValue.lowercased().utf8))
                < editDistance(target, Array(rhs.rawValue.lowercased().utf8))
        }
    }
}

/// Levenshtein distance over bytes.
func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

extension String {
    /// The text without leading and trailing spaces, tabs, line breaks and no-break spaces.
    func trimmingWhitespace() -> String {
        let utf8 = self.utf8
        // Fast path: nothing to trim at either end (the usual case for ids and scores).
        if let first = utf8.first, let last = utf8.last, !Self.mayBeSpace(first), !Self.mayBeSpace(last) {
            return String(self)
        }
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\u{00A0}" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }

    /// Whether a byte can start or end a whitespace character trimmed above (0xC2 0xA0 is U+00A0).
    private static func mayBeSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A || byte == 0xC2 || byte == 0xA0
    }
}
