/// What happened to one assessment.
public struct AssessmentOutcome: Sendable {
    public enum Status: String, Sendable {
        case applied, unchanged, failed, notAttempted
    }

    // Stored in this order, with narrow numbers, so that small fields share words: a run keeps
    // one outcome per assessment (56 bytes each instead of 80).
    public var sources: SourceList
    public var error: String?
    public var assessmentId: Int?
    public var status: Status
    public var errorKind: ErrorKind?
    private var storedHTTPStatus: Int16 = -1
    private var storedAttempts: Int32 = 0

    /// The last HTTP status received for it, if any.
    public var httpStatus: Int? {
        get { storedHTTPStatus < 0 ? nil : Int(storedHTTPStatus) }
        set { storedHTTPStatus = newValue.map { Int16(clamping: $0) } ?? -1 }
    }

    /// Requests sent for it.
    public var attempts: Int {
        get { Int(storedAttempts) }
        set { storedAttempts = Int32(clamping: newValue) }
    }

    public init(assessmentId: Int?, sources: SourceList, status: Status, errorKind: ErrorKind? = nil,
                httpStatus: Int? = nil, attempts: Int = 0, error: String? = nil) {
        self.assessmentId = assessmentId
        self.sources = sources
        self.status = status
        self.errorKind = errorKind
        self.httpStatus = httpStatus
        self.attempts = attempts
        self.error = error
    }

    /// An assessment that was not sent, and why (the one way such outcomes are made).
    static func notAttempted(_ update: AssessmentUpdate, _ message: String) -> AssessmentOutcome {
        AssessmentOutcome(assessmentId: update.assessmentId, sources: update.sources, status: .notAttempted,
                          errorKind: .notAttempted, error: message)
    }

    /// An assessment the run stopped before reaching: the message names why the run stopped.
    static func notAttempted(_ update: AssessmentUpdate, stoppedBy control: RunControl) -> AssessmentOutcome {
        notAttempted(update, "not attempted: \(control.abortReason?.description ?? "the run stopped")")
    }

    /// The failure to write next to each source row, or nil when it needs no retry.
    public var rowFailure: RowFailure? {
        switch status {
        case .applied, .unchanged: return nil
        case .failed: return RowFailure(kind: errorKind ?? .transient, message: error ?? "failed")
        case .notAttempted: return RowFailure(kind: .notAttempted, message: error ?? "not attempted")
        }
    }
}
