/// One problem in an input file, printed as `file:line: message`.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based line; 0 for a problem with the file as a whole.
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

/// Why a row was not applied, as written to the `errorKind` column of a failures file.
public enum ErrorKind: String, Sendable, CaseIterable {
    /// The row breaks an input rule or the scorecard's rules.
    case invalid
    /// The server (or preflight) refused the assessment: unknown, not editable, no permission.
    case rejected
    /// The live assessment changed since the file was made.
    case conflict
    /// The server answered 200 but does not hold what was sent.
    case mismatch
    /// Retries ran out on timeouts, dropped connections or 5xx/429 answers; re-running may work.
    case transient
    /// The run stopped before this assessment was tried.
    case notAttempted
}

/// Why one row was not applied.
public struct RowFailure: Sendable, Equatable {
    public var kind: ErrorKind
    public var message: String

    public init(kind: ErrorKind, message: String) {
        self.kind = kind
        self.message = message
    }
}
