import ArgumentParser
import AssessmentBatchCore
import Foundation

extension AssessmentBatchCommand {
    /// `apply FILE...`: validate, preflight, then send one PATCH per assessment.
    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate, preflight, then send one PATCH per assessment; write a report, a failures file, a journal and an undo file.",
            discussion: """
                The token comes from ENNEO_TOKEN or --token-file, never from the command line. \
                Invalid input sends nothing (exit 2) unless --skip-invalid is given. \
                'apply --resume DIR' finishes an interrupted run from DIR/journal.jsonl.
                """
        )

        @OptionGroup var input: InputOptions
        @OptionGroup var server: ServerOptions
        @OptionGroup var preflight: PreflightFlags

        @Flag(help: "Skip the preflight GETs: no unchanged detection, no conflict checks, no undo file.")
        var noPreflight = false

        @Flag(help: "Send the valid assessments even when some rows are invalid; invalid ones go to the failures file.")
        var skipInvalid = false

        @Option(help: ArgumentHelp("Finish the interrupted run in DIR: same inputs (refused if they changed) and options; the token is given again.", valueName: "DIR"))
        var resume: String?

        func validate() throws {
            if resume == nil { try input.requireFiles() }
            if resume != nil && !input.files.isEmpty {
                throw ValidationError("--resume takes the inputs from the run directory: give no files.")
            }
        }

        func run() throws {
            if let resume { return try Self.resumeRun(resume, server: server) }
            try execute(resumed: [:], arguments: Array(CommandLine.arguments.drop { $0 != "apply" }.dropFirst()))
        }

        /// Runs this command's job and exits with its status.
        func execute(resumed: [Int: AssessmentOutcome], arguments: [String]) throws {
            let configuration = try server.configuration()
            var recorded = JSONObject()
            input.record(into: &recorded)
            server.record(into: &recorded)
            preflight.record(into: &recorded)
            recorded.append("preflight", .bool(!noPreflight))
            recorded.append("skipInvalid", .bool(skipInvalid))
            recorded.append("resumed", .bool(!resumed.isEmpty))
            let options = ApplyJobOptions(
                paths: input.files, load: try input.loadOptions(), skipInvalid: skipInvalid, outDirectory: server.out,
                configuration: configuration, preflight: !noPreflight, preflightOptions: preflight.options,
                strict: preflight.strict, recordedOptions: recorded, arguments: arguments, resumed: resumed)

            let logger = server.logger()
            let result = runInterruptibly { control, observer in
                ApplyJob.apply(options, logger: logger, control: control, observer: observer)
            }
            printDiagnostics(result.diagnostics)
            printSummary(result)
            if result.exitStatus != .success { throw ExitCode(result.exitStatus.rawValue) }
        }

        /// Re-runs the `apply` recorded in DIR's journal on the same inputs, skipping what it finished.
        private static func resumeRun(_ directory: String, server current: ServerOptions) throws {
            let journal: Journal.Contents
            do {
                journal = try Journal.read(directory: directory)
            } catch {
                throw ValidationError("Cannot resume from \(directory): \(error)")
            }
            var original = try Apply.parse(journal.header.arguments)
            original.input.files = journal.header.inputs.map { input in
                input.path.hasPrefix("/") ? input.path : journal.header.workingDirectory + "/" + input.path
            }
            for (input, path) in zip(journal.header.inputs, original.input.files) {
                let digest = try sha256(ofFile: path)
                guard digest == input.sha256 else {
                    throw ValidationError("Cannot resume: \(input.path) changed since the run started (SHA-256 \(digest), journal has \(input.sha256)).")
                }
            }
            original.server.out = directory
            original.server.baseURL = current.baseURL ?? original.server.baseURL
            original.server.tokenFile = current.tokenFile ?? original.server.tokenFile
            try original.execute(resumed: journal.outcomes, arguments: journal.header.arguments)
        }

        /// "; N of M requests (x.x %) answered 429", or nothing when none was.
        static func rateLimitedShare(_ statistics: HTTPStatistics.Snapshot) -> String {
            let limited = statistics.statusCounts["429"] ?? 0
            guard limited > 0, statistics.requests > 0 else { return "" }
            let share = String(format: "%.1f", 100 * Double(limited) / Double(statistics.requests))
            return "; \(limited) of \(statistics.requests) requests (\(share) %) answered 429 (rate limited)"
        }

        private func printSummary(_ result: ApplyJobResult) {
            guard let report = result.report else {
                printError("assessment-batch: invalid input, nothing sent (run 'assessment-batch validate' to check files offline)")
                return
            }
            let counts = report.counts
            var line = "assessment-batch: \(counts.assessments) assessments from \(counts.rows) rows: \(counts.applied) applied, \(counts.unchanged) unchanged, \(counts.failed) failed"
            if !counts.failedByKind.isEmpty {
                line += " (" + ErrorKind.allCases.compactMap { kind in counts.failedByKind[kind].map { "\(kind.rawValue) \($0)" } }.joined(separator: ", ") + ")"
            }
            line += ", \(counts.notAttempted) not attempted in \(String(format: "%.1f", report.finishedAt.timeIntervalSince(report.startedAt))) s"
            line += Self.rateLimitedShare(report.statistics)
            printError(line)
            if result.exitStatus == .invalidInput { printError("  stopped:  --strict: preflight refused some assessments, nothing was written") }
            if let reason = report.abortReason { printError("  stopped:  \(reason)") }
            if let path = result.reportPath { printError("  report:   \(path)") }
            for file in report.failuresFiles {
                printError("  failures: \(file.path) (\(file.rows) row\(file.rows == 1 ? "" : "s"))")
            }
            if let directory = result.runDirectory, FileManager.default.fileExists(atPath: "\(directory)/undo.jsonl") {
                printError("  undo:     assessment-batch apply \(shellQuoted("\(directory)/undo.jsonl"))")
            }
            if !report.failuresFiles.isEmpty {
                printError("  re-run:   assessment-batch apply \(report.failuresFiles.map { shellQuoted($0.path) }.joined(separator: " "))")
            }
            if let directory = result.runDirectory, [.aborted, .interrupted, .terminated].contains(result.exitStatus) {
                printError("  resume:   assessment-batch apply --resume \(shellQuoted(directory))")
            }
        }
    }
}
