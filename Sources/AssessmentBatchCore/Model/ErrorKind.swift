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
