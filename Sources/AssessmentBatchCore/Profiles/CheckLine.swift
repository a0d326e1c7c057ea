/// One line of `assessment-batch check`: a check, how it went, and what to do when it failed.
public struct CheckLine: Sendable, Equatable, CustomStringConvertible {
    public enum Status: String, Sendable {
        case ok
        /// Failed; the exit status says whose problem it is.
        case failed
        /// Holds, with something worth knowing; does not change the exit status.
        case warning
        /// Not checked: an earlier check failed, or the server gave nothing to check.
        case skipped
    }

    /// `configuration`, `dns`, `connect`, `tls`, `api root`, `token`, `can edit`, `clock`, `rate limit`.
    public var check: String
    public var status: Status
    /// What was found; for a failure, what is wrong and what to do.
    public var detail: String
    /// For a failure: 2 (configuration) or 3 (server or token).
    public var exitStatus: ExitStatus?

    public init(_ check: String, _ status: Status, _ detail: String, exitStatus: ExitStatus? = nil) {
        self.check = check
        self.status = status
        self.detail = detail
        self.exitStatus = status == .failed ? (exitStatus ?? .aborted) : nil
    }

    /// `check: status: detail`.
    public var description: String { "\(check): \(status == .failed ? "FAILED" : status.rawValue): \(detail)" }

    /// Every check, in the order they run and print.
    public static let checks = ["configuration", "dns", "connect", "tls", "api root", "token", "can edit", "clock", "rate limit"]

    /// The exit status of a whole check run: the first failure's, else 0.
    public static func exitStatus(of lines: [CheckLine]) -> ExitStatus {
        lines.compactMap(\.exitStatus).first ?? .success
    }
}
