import StrictJSON
import Synchronization

/// The values of an apply run that the undo file cannot put back, held on disk from preflight
/// until the report is written: a batch of unscored criteria lists two per criterion, millions
/// for a big file, so memory holds only where each assessment's line is; the lines of the
/// assessments the run wrote are counted by field and reason at the end. `report.json` gets
/// those counts (`UnrestorableSummary`); the details go to
/// `not-restorable.jsonl`, one line per assessment (``UnrestorableRecord``), in the order of the
/// assessments' indices whatever order the workers stored them in.
public final class UnrestorableLog: Sendable {
    /// The details file's name in the run directory.
    public static let fileName = "not-restorable.jsonl"

    private let pieces: IndexedSpool
    /// What ``write(to:keeping:)`` wrote: the file (nil when none) and its counts.
    private let written = Mutex<(path: String?, summary: UnrestorableSummary)?>(nil)

    /// - Parameter count: how many assessments the run may store entries for.
    public init(directory: String, count: Int) throws(FileError) {
        pieces = try IndexedSpool(directory: directory, name: ".not-restorable-spool", count: count)
    }

    /// Stores the values of the assessment with index `index` (below `count`) as its line of
    /// the details file.
    public func store(_ values: [UnrestorableValue], at index: Int) throws(FileError) {
        guard let first = values.first else { return }
        try pieces.store(UnrestorableRecord.encode(assessmentId: first.assessmentId, values), at: index)
    }

    /// The counts by field and reason of what ``write(to:keeping:)`` wrote; none before.
    public var summary: UnrestorableSummary {
        written.withLock { $0?.summary } ?? UnrestorableSummary(assessments: 0, counts: [:])
    }

    /// The details file, once written; nil before, or when it had nothing to list.
    public var path: String? { written.withLock { $0?.path } }

    /// Writes `not-restorable.jsonl` into `directory` atomically (mode 0600) with the lines of
    /// the assessments in `assessmentIds` (every stored one when nil), and counts them for
    /// ``summary``; no file when no line is kept.
    public func write(to directory: String, keeping assessmentIds: Set<Int>? = nil) throws {
        var counts: [UnrestorableSummary.Key: Int] = [:]
        var assessments = 0
        var file: OutputFile?
        let path = "\(directory)/\(Self.fileName)"
        try pieces.forEachPiece { line in
            guard let (assessmentId, values) = UnrestorableRecord.decode(line),
                  assessmentIds?.contains(assessmentId) ?? true else { return }
            if file == nil { file = try OutputFile(path: path) }
            try file?.write(line)
            assessments += 1
            for value in values { counts[value.summaryKey, default: 0] += 1 }
        }
        try file?.commit()
        written.withLock { $0 = (file == nil ? nil : path, UnrestorableSummary(assessments: assessments, counts: counts)) }
    }
}

/// How many values of which kind the undo file cannot restore, as `report.json` and
/// `report.html` show it.
public struct UnrestorableSummary: Sendable, Equatable {
    /// A kind of value: an assessment-level field and what it held, or a criterion's score or
    /// reason (all criteria together, so the summary stays a handful of lines).
    public struct Key: Sendable, Hashable, Comparable {
        public var field: String
        public var reason: String

        public static func < (lhs: Key, rhs: Key) -> Bool { (lhs.field, lhs.reason) < (rhs.field, rhs.reason) }
    }

    /// Assessments with at least one such value.
    public var assessments: Int
    public var counts: [Key: Int]

    /// Every value counted.
    public var values: Int { counts.values.reduce(0, +) }

    /// `report.json`'s `notRestorable` member: the file, the totals and one entry per kind.
    public func json(file: String?) -> JSONValue {
        var object = JSONObject()
        object.append("file", file.map { .string($0) } ?? .null)
        object.append("assessments", .number(String(assessments)))
        object.append("values", .number(String(values)))
        object.append("byField", .array(counts.keys.sorted().map { key in
            var entry = JSONObject()
            entry.append("field", .string(key.field))
            entry.append("reason", .string(key.reason))
            entry.append("count", .number(String(counts[key] ?? 0)))
            return .object(entry)
        }))
        return .object(object)
    }
}

extension UnrestorableValue {
    /// The kind this value is counted under in the summary.
    var summaryKey: UnrestorableSummary.Key {
        switch criterion?.part {
        case "score"?: return .init(field: "criterion score", reason: "unscored on the server")
        case "reason"?: return .init(field: "criterion reason", reason: "empty on the server")
        default:
            return value == "(empty)" ? .init(field: field, reason: "empty on the server")
                : .init(field: field, reason: "was \(value)")
        }
    }
}
