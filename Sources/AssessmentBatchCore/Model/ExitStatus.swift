import Foundation

/// How a run ended, as the process exit code.
public enum ExitStatus: Int32, Sendable {
    /// Every assessment applied or unchanged.
    case success = 0
    /// Finished, but some assessments failed or were not attempted.
    case failures = 1
    /// Invalid input or usage; nothing was sent.
    case invalidInput = 2
    /// Stopped early: the token was rejected or the server did not answer.
    case aborted = 3
    case interrupted = 130
    case terminated = 143
}

extension ExitStatus {
    /// The status of a run that stopped for `abort` (nil: it ran to its end) with `outcomes`.
    init(abort: AbortReason?, outcomes: [AssessmentOutcome]) {
        switch abort {
        case .authenticationRejected?, .serverUnreachable?, .unreachable?, .notTheAPI?, .localFailure?, .transportFailure?, .redirectRefused?:
            self = .aborted
        case .interrupted(let signal)?:
            self = signal == SIGTERM ? .terminated : .interrupted
        case nil:
            self = outcomes.allSatisfy { $0.status == .applied || $0.status == .unchanged } ? .success : .failures
        }
    }
}
