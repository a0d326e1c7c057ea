import ArgumentParser
import AssessmentBatchCore
import Foundation
import Logging

extension AssessmentBatchCommand {
    /// `plan FILE...`: the read-only dry run of `apply`.
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what apply would change: validate, GET every assessment and scorecard, print a diff. Sends no write.",
            discussion: "Prints the per-assessment diff on stdout and writes plan.json and report.html (the review page for sign-off) in the run directory; 'apply --plan DIR' then writes exactly that plan. Exit 0 when everything would be written or is unchanged, 1 when preflight would refuse some assessments."
        )

        @OptionGroup var input: InputOptions
        @OptionGroup var server: ServerOptions
        @OptionGroup var preflight: PreflightFlags
        @OptionGroup var logging: LoggingOptions

        @Flag(help: "Plan the valid assessments even when some rows are invalid.")
        var skipInvalid = false

        func validate() throws { try input.requireFiles() }

        func run() throws {
            logging.apply()
            let configuration = try server.configuration()
            // The profile's timezone and encoding stand in for flags not given.
            let input = self.input.filled(from: (try? server.settings())?.active?.profile)
            var recorded = JSONObject()
            input.record(into: &recorded)
            server.record(into: &recorded)
            preflight.record(into: &recorded)
            let options = ApplyJobOptions(
                paths: input.files, load: try input.loadOptions(), skipInvalid: skipInvalid, outDirectory: server.out,
                configuration: configuration, preflight: true, preflightOptions: preflight.options,
                strict: preflight.strict, recordedOptions: recorded)
            let logger = server.logger()
            let result = runInterruptibly { control, observer in
                ApplyJob.plan(options, logger: logger, control: control, observer: observer)
            }
            printDiagnostics(result.diagnostics)
            guard result.report != nil else {
                // No diagnostics: the run directory could not be made or locked (said above).
                printError(result.diagnostics.isEmpty ? "assessment-batch: nothing planned"
                                                      : "assessment-batch: invalid input, nothing planned (run 'assessment-batch validate' to check files offline)",
                           level: .error)
                throw ExitCode(result.exitStatus.rawValue)
            }
            if let rendered = result.renderedPlan {
                // Streamed: the diff of a big file runs to hundreds of megabytes.
                var pending: [UInt8] = []
                try PlanFile.writeDiff(result.plan, rendered: rendered) { piece in
                    pending.append(contentsOf: piece)
                    if pending.count >= 1 << 16 {
                        FileHandle.standardOutput.write(Data(pending))
                        pending.removeAll(keepingCapacity: true)
                    }
                }
                FileHandle.standardOutput.write(Data(pending))
            }
            let summary = PlanFile.summarize(result.plan, invalid: result.report?.counts.failedByKind[.invalid] ?? 0)
            var figures: Logger.Metadata = [:]
            for (key, count) in summary { figures[key] = .stringConvertible(count) }
            printError("assessment-batch plan: " + summary.filter { $0.1 > 0 || ["toWrite", "unchanged"].contains($0.0) }
                .map { "\($0.1) \(Self.label($0.0))" }.joined(separator: ", "),
                level: result.exitStatus == .success ? .info : .warning,
                metadata: ["event": .string("summary"), "exitCode": .stringConvertible(Int(result.exitStatus.rawValue)),
                           "counts": .dictionary(figures), "runDirectory": .string(result.runDirectory ?? "")])
            if let path = result.reportPath { printError("  plan:     \(path)") }
            if let directory = result.runDirectory, FileManager.default.fileExists(atPath: "\(directory)/\(HTMLReport.fileName)") {
                printError("  page:     \(directory)/\(HTMLReport.fileName)")
            }
            if let reason = result.report?.abortReason { printError("  stopped:  \(reason)") }
            for file in result.report?.filesNotWritten ?? [] { printError("  not written: \(file)") }
            if result.exitStatus == .invalidInput { printError("  stopped:  --strict: preflight would refuse some assessments") }
            if let directory = result.runDirectory, let digest = result.planDigest {
                // Last, so it is the line to copy: the exact command that writes what was reviewed.
                printError("  sealed:   plan.json SHA-256 \(digest)")
                printError("  apply:    \(SavedPlan.applyCommand(for: directory))")
            }
            if result.exitStatus != .success { throw ExitCode(result.exitStatus.rawValue) }
        }

        private static func label(_ key: String) -> String {
            switch key {
            case "toWrite": return "to write"
            case "conflicts": return "conflicts"
            case "notInspected": return "not inspected"
            default: return key
            }
        }
    }
}
