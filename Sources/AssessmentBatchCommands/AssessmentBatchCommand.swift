import ArgumentParser
import AssessmentBatchCore
import Foundation
import Logging

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
        subcommands: [Validate.self, Plan.self, Apply.self, Export.self, Prune.self, Check.self, Profiles.self]
    )

    public init() {}

    /// Parses the process arguments, runs the subcommand and exits with its status.
    ///
    /// Usage errors exit 2 ("invalid input or usage" in the exit-code table), not ArgumentParser's 64.
    public static func runAndExit(_ arguments: [String]? = nil) -> Never {
        // Usage errors come before any option is parsed: they follow --log-format too.
        if let format = requestedLogFormat(arguments ?? Array(CommandLine.arguments.dropFirst())) { Console.shared.use(format) }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let failure as CommandFailure {
            printError("assessment-batch: \(failure.message)", level: .error,
                       metadata: ["exitCode": .stringConvertible(Int(failure.status.rawValue))])
            Foundation.exit(failure.status.rawValue)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code == .success {
                    // --help, help <command>, --version, --generate-completion-script and
                    // --experimental-dump-help: the output asked for, so stdout (shells
                    // redirect it, `generate-manual` reads it), whatever the log format.
                    FileHandle.standardOutput.write(Data((message + "\n").utf8))
                } else if Console.shared.formatter.format == .json {
                    printError(message.trimmingCharacters(in: .whitespacesAndNewlines), level: .error,
                               metadata: ["exitCode": .stringConvertible(Int(ExitStatus.invalidInput.rawValue))])
                } else {
                    Console.shared.write(message + "\n")
                }
            }
            Foundation.exit(code == .success ? 0 : ExitStatus.invalidInput.rawValue)
        }
    }
}

/// The `--log-format` among raw arguments, if a valid one is given.
func requestedLogFormat(_ arguments: [String]) -> LogFormat? {
    var found: LogFormat?
    for (index, argument) in arguments.enumerated() {
        if argument == "--log-format", index + 1 < arguments.count {
            found = LogFormat(rawValue: arguments[index + 1]) ?? found
        } else if argument.hasPrefix("--log-format=") {
            found = LogFormat(rawValue: String(argument.dropFirst("--log-format=".count))) ?? found
        }
    }
    return found
}
