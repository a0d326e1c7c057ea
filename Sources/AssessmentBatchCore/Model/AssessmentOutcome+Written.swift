extension AssessmentOutcome {
    /// Whether the server may hold what the run sent for this assessment: applied, answered
    /// 2xx with other values (`mismatch`), or sent without a final answer (a transient failure
    /// after at least one attempt). What the undo file cannot restore is counted for these only.
    public var mayHaveWritten: Bool {
        switch status {
        case .applied: return true
        case .unchanged, .notAttempted: return false
        case .failed: return errorKind == .mismatch || (errorKind == .transient && attempts > 0)
        }
    }
}
