import AssessmentBatchCore

/// A problem with what the user gave that is not a command-line syntax error (a missing or
/// unreadable token, say): one line on stderr and an exit status, with no usage banner, which
/// would send the user looking at the command line.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var status: ExitStatus

    init(_ message: String, status: ExitStatus = .invalidInput) {
        self.message = message
        self.status = status
    }

    var description: String { message }
}
