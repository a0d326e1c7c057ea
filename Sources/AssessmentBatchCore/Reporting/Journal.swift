import Foundation

/// `journal.jsonl`: the run's inputs and arguments on its first line, then one line per
/// finished assessment. It is what `apply --resume DIR` continues from.
///
/// Durability: the header is on disk before anything is sent; each outcome line is written at
/// once and synced by the log's flusher (within 0.1 s) while the worker goes on (a line lost to a power cut
/// only makes a resumed run send that assessment again, which sets the same values), and
/// `sync()` runs before the run counts its outcomes in the report and the summary.
public final class Journal: Sendable {
    /// The first line: what the run was started with.
    public struct Header: Sendable {
        /// The `apply` arguments as given (the token is never an argument).
        public var arguments: [String]
        /// The working directory the arguments are relative to.
        public var workingDirectory: String
        /// Input path → SHA-256 at the start of the run.
        public var inputs: [(path: String, sha256: String)]
    }

    public static let fileName = "journal.jsonl"
    private let file: DurableLog

    /// Opens (or creates) the journal of `directory`.
    public init(directory: String) throws(FileError) {
        file = try DurableLog(path: "\(directory)/\(Self.fileName)")
    }

    /// Returns once every line recorded so far is on disk.
    public func sync() throws(FileError) {
        try file.sync()
    }

    public func writeHeader(_ header: Header) throws(FileError) {
        try file.appendDurably(header.encoded(startedAt: Date()))
    }

    /// Records one finished assessment: one line, one write(2); synced in the background.
    public func record(_ outcome: AssessmentOutcome) throws(FileError) {
        var json = JSONStreamWriter(capacity: 128)
        OutcomeRecord.encode(outcome, sources: .none, into: &json)
        json.bytes.append(UInt8(ascii: "\n"))
        try file.append(json.bytes)
    }

    /// A journal read back.
    public struct Contents: Sendable {
        public var header: Header
        /// The last recorded outcome of each assessment.
        public var outcomes: [Int: AssessmentOutcome]
    }

    /// Reads `directory/journal.jsonl`; a torn last line (a kill mid-write) is ignored.
    public static func read(directory: String) throws -> Contents {
        let path = "\(directory)/\(fileName)"
        let bytes = try readWholeFile(path: path, limit: 1 << 30)
        var header: Header?
        var outcomes: [Int: AssessmentOutcome] = [:]
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard let object = line.withUnsafeBytes({ try? JSONParser.parse($0) })?.objectValue else { continue }
            if let read = Header(decoding: object) {
                header = read
            } else if let outcome = OutcomeRecord.decode(object), let id = outcome.assessmentId {
                outcomes[id] = outcome
            }
        }
        guard let header else { throw JournalError(path: path) }
        return Contents(header: header, outcomes: outcomes)
    }
}

/// A journal without its header line: not a run directory of this tool.
public struct JournalError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var description: String { "\(path) has no journal header: not a run directory of assessment-batch apply" }
}

extension AssessmentOutcome {
    /// Whether a resumed run can keep this outcome instead of trying again: applied,
    /// unchanged, or a failure that trying again would only repeat.
    public var isFinal: Bool {
        switch status {
        case .applied, .unchanged: return true
        case .notAttempted: return false
        case .failed: return errorKind != .transient && errorKind != .notAttempted
        }
    }
}
