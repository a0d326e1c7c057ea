import ArgumentParser
import AssessmentBatchCore
import Logging

extension AssessmentBatchCommand {
    /// `validate FILE...`: offline checks, no network.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check input files offline and print every problem as file:line: message.",
            discussion: "Touches no network. Exit 0 when every row is valid, 2 otherwise."
        )

        @OptionGroup var input: InputOptions
        @OptionGroup var profileOptions: ProfileOptions
        @OptionGroup var logging: LoggingOptions

        @Option(help: "A JSON array of scorecards as GET /quality/scorecard returns them; rows with scorecardId are checked against it.")
        var scorecards: String?

        func validate() throws { try input.requireFiles() }

        func run() throws {
            logging.apply()
            var catalog: ScorecardCatalog?
            if let scorecards {
                do {
                    catalog = try ScorecardCatalog.load(path: scorecards)
                } catch {
                    printError("assessment-batch: \(error)", level: .error)
                    throw ExitCode(ExitStatus.invalidInput.rawValue)
                }
            }
            // The profile's timezone and encoding, so that validate reads the files as apply will.
            let input = self.input.filled(from: try profileOptions.active()?.profile)
            let batch = BatchLoader.load(input.files, options: try input.loadOptions(scorecards: catalog))
            printDiagnostics(batch.diagnostics)
            let summary = "\(batch.rows) row\(batch.rows == 1 ? "" : "s"), \(batch.updates.count + batch.invalid.count) assessments"
            if batch.isValid {
                printError("assessment-batch: \(input.files.joined(separator: ", ")): valid: \(summary)")
            } else {
                printError("assessment-batch: \(input.files.joined(separator: ", ")): \(batch.diagnostics.count) problem\(batch.diagnostics.count == 1 ? "" : "s") in \(summary); nothing would be sent", level: .error)
                throw ExitCode(ExitStatus.invalidInput.rawValue)
            }
        }
    }
}
