import StrictJSON
import Synchronization

/// The values of an apply run that the undo file cannot put back, held on disk from preflight
/// until the report is written: a batch of unscored criteria lists two per criterion, millions
/// for a big file, so memory holds only where each assessment's line is plus a count per field
/// and reason (less, at the end, what the run did not write). `report.json` gets those counts
/// (`UnrestorableSummary`); the details go to `not-restorable.jsonl`, one line per assessment
/// (``UnrestorableRecord``), in the order of the assessments' indices whatever order the
/// workers stored them in.
public final class UnrestorableLog: Sendable {
    /// The details file's name in the run directory.
    public static let fileName = "not-restorable.jsonl"

    private let pieces: IndexedSpool
    private let counts = Mutex<[UnrestorableSummary.Key: Int]>([:])
    private let assessments = Atomic<Int>(0)
    private let writtenPath = Mutex<String?>(nil)

    /// - Parameter count: how many assessments the run may store entries for.
    public init(directory: String, count: Int) throws(FileError) {
        pieces = try IndexedSpool(directory: directory, name: ".not-restorable-spool", count: count)
    }

    /// Stores the values of the assessment with index `index` (below `count`) as its line of
    /// the details file, and counts them.
    public func store(_ values: [UnrestorableValue], at index: Int) throws(FileError) {
        guard let first = values.first else { return }
        try pieces.store(UnrestorableRecord.encode(assessmentId: first.assessmentId, values), at: index)
        assessments.add(1, ordering: .relaxed)
        counts.withLock { counts in
            for value in values { counts[value.summaryKey, default: 0] += 1 }
        }
    }

    /// The counts by field and reason: of every stored assessment, and after
    /// ``write(to:keeping:)`` of those it kept.
    public var summary: UnrestorableSummary {
        UnrestorableSummary(assessments: assessments.load(ordering: .relaxed), counts: counts.withLock { $0 })
    }

    /// The details file, once written; nil before, or when it had nothing to list.
    public var path: String? { writtenPath.withLock { $0 } }

    /// Writes `not-restorable.jsonl` into `directory` atomically (mode 0600) with the lines of
    /// the assessments in `assessmentIds` (every stored one when nil); the others leave the
    /// ``summary`` too (their lines are decoded to subtract them: usually none, as a run
    /// writes most of what preflight let through). No file when no line is kept.
    public func write(to directory: String, keeping assessmentIds: Set<Int>? = nil) throws {
        var file: OutputFile?
        let path = "\(directory)/\(Self.fileName)"
        try pieces.forEachPiece { line in
            let id = UnrestorableRecord.assessmentId(of: line)
            guard let assessmentIds, !(id.map(assessmentIds.contains) ?? false) else {
                if file == nil { file = try OutputFile(path: path) }
                try file?.write(line)
                return
            }
            assessments.subtract(1, ordering: .relaxed)
            let values = UnrestorableRecord.decode(line)?.values ?? []
            counts.withLock { counts in
                for value in values {
                    counts[value.summaryKey, default: 0] -= 1
                    if counts[value.summaryKey] == 0 { counts[value.summaryKey] = nil }
                }
            }
        }
        try file?.commit()
        writtenPath.withLock { $0 = file == nil ? nil : path }
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
