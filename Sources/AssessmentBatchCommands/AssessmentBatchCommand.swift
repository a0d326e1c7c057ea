import ArgumentParser
import AssessmentBatchCore
import Foundation

/// `assessment-batch`: bulk-applies quality-assessment updates to the enneo API.
public struct AssessmentBatchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "assessment-batch",
        abstract: "Validate and apply bulk quality-assessment updates to the enneo API.",
        discussion: """
            Reads CSV/TSV (as Excel writes it) or JSONL files of criterion updates, checks every row, \
            and sends one PATCH /quality/assessment/{id} per assessment.

            Exit codes: 0 all applied or unchanged, 1 finished with failures, 2 invalid input or \
            usage (nothing sent), 3 aborted (token rejected, server unreachable), 130/143 interrupted.
            """,
        version: toolVersion,
        subcommands: [Validate.self, Plan.self, Apply.self, Export.self]
    )

    public init() {}

    /// Parses the process arguments, runs the subcommand and exits with its status.
    ///
    /// Usage errors exit 2 (the SPEC's "invalid input or usage"), not ArgumentParser's 64.
    public static func runAndExit(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                FileHandle.standardError.write(Data((message + "\n").utf8))
            }
            Foundation.exit(code == .success ? 0 : ExitStatus.invalidInput.rawValue)
        }
    }
}
