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
        var object = JSONObject()
        object.append("journal", .number("1"))
        object.append("tool", .string("assessment-batch \(toolVersion)"))
        object.append("startedAt", .string(RunReport.format(Date())))
        object.append("workingDirectory", .string(header.workingDirectory))
        object.append("arguments", .array(header.arguments.map { .string($0) }))
        object.append("inputs", .array(header.inputs.map { input in
            var entry = JSONObject()
            entry.append("path", .string(input.path))
            entry.append("sha256", .string(input.sha256))
            return .object(entry)
        }))
        try append(object)
    }

    /// Records one finished assessment: one line, one write(2); synced in the background.
    public func record(_ outcome: AssessmentOutcome) throws(FileError) {
        var json = JSONStreamWriter(capacity: 128)
        json.beginObject()
        json.key("assessmentId")
        if let id = outcome.assessmentId { json.int(id) } else { json.null() }
        json.key("status")
        json.string(outcome.status.rawValue)
        json.key("errorKind")
        if let kind = outcome.errorKind { json.string(kind.rawValue) } else { json.null() }
        json.key("httpStatus")
        if let status = outcome.httpStatus { json.int(status) } else { json.null() }
        json.key("attempts")
        json.int(outcome.attempts)
        json.key("error")
        if let error = outcome.error { json.string(error) } else { json.null() }
        json.endObject()
        json.bytes.append(UInt8(ascii: "\n"))
        try file.append(json.bytes)
    }

    private func append(_ object: JSONObject) throws(FileError) {
        var bytes: [UInt8] = []
        JSONWriter.write(.object(object), into: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        try file.appendDurably(bytes)
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
            if object["journal"] != nil {
                header = Header(
                    arguments: object["arguments"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                    workingDirectory: object["workingDirectory"]?.stringValue ?? ".",
                    inputs: (object["inputs"]?.arrayValue ?? []).compactMap { entry in
                        guard let path = entry.objectValue?["path"]?.stringValue, let sha = entry.objectValue?["sha256"]?.stringValue else { return nil }
                        return (path: path, sha256: sha)
                    })
                continue
            }
            guard let id = object["assessmentId"]?.intValue,
                  let status = object["status"]?.stringValue.flatMap(AssessmentOutcome.Status.init(rawValue:))
            else { continue }
            outcomes[id] = AssessmentOutcome(
                assessmentId: id, sources: [], status: status,
                errorKind: object["errorKind"]?.stringValue.flatMap(ErrorKind.init(rawValue:)),
                httpStatus: object["httpStatus"]?.intValue, attempts: object["attempts"]?.intValue ?? 0,
                error: object["error"]?.stringValue)
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
