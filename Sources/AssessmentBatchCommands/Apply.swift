import ArgumentParser
import AssessmentBatchCore
import Foundation
import Logging

extension AssessmentBatchCommand {
    /// `apply FILE...`: validate, preflight, then send one PATCH per assessment.
    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate, preflight, then send one PATCH per assessment; write a report, a failures file, a journal and an undo file.",
            discussion: """
                The token comes from ENNEO_TOKEN or --token-file, never from the command line. \
                Invalid input sends nothing (exit 2) unless --skip-invalid is given. \
                'apply --resume DIR' finishes an interrupted run from DIR/journal.jsonl. \
                'apply --plan DIR' writes exactly what 'plan' put in DIR/plan.json (and shows on DIR/report.html), \
                without reading the input files; values that changed on the server since the plan are conflicts.
                """
        )

        @OptionGroup var input: InputOptions
        @OptionGroup var server: ServerOptions
        @OptionGroup var preflight: PreflightFlags
        @OptionGroup var logging: LoggingOptions

        @Option(help: ArgumentHelp("Write Prometheus metrics of the run to FILE at its end, atomically (node_exporter's textfile collector).", valueName: "FILE"))
        var metricsFile: String?

        @Flag(help: "Skip the preflight GETs: no unchanged detection, no conflict checks, no undo file.")
        var noPreflight = false

        @Flag(help: "Send the valid assessments even when some rows are invalid; invalid ones go to the failures file.")
        var skipInvalid = false

        @Option(help: ArgumentHelp("Finish the interrupted run in DIR: same inputs (refused if they changed) and options; the token is given again.", valueName: "DIR"))
        var resume: String?

        @Option(help: ArgumentHelp("Apply the plan that 'plan' wrote in DIR, exactly as reviewed, without reading input files; an altered plan.json is refused.", valueName: "DIR"))
        var plan: String?

        func validate() throws {
            if resume == nil && plan == nil { try input.requireFiles() }
            if resume != nil && !input.files.isEmpty {
                throw ValidationError("--resume takes the inputs from the run directory: give no files.")
            }
            if plan != nil {
                try Self.validatePlanOptions(self)
            }
        }

        func run() throws {
            logging.apply()
            let startedAt = Date()
            do {
                if let resume { return try Self.resumeRun(resume, current: self) }
                try execute(resumed: [:], arguments: Array(CommandLine.arguments.drop { $0 != "apply" }.dropFirst()), savedPlan: loadPlan())
            } catch let error where !(error is ExitCode) {
                // Operations: a run refused before its job started (no token, a changed input on
                // --resume) still leaves a metrics file, exit code 2.
                writeMetrics(report: nil, exitStatus: .invalidInput, startedAt: startedAt)
                throw error
            }
        }

        /// Writes `--metrics-file`, if given; false, with the file named on stderr, when it
        /// cannot be written (the run then exits 3: it never exits 0 without its files).
        @discardableResult
        private func writeMetrics(report: RunReport?, exitStatus: ExitStatus, startedAt: Date) -> Bool {
            guard let metricsFile else { return true }
            do {
                try MetricsFile.write(to: metricsFile, report: report, exitCode: exitStatus.rawValue, startedAt: startedAt, finishedAt: Date(),
                                      profile: (try? server.settings())?.profileName)
                return true
            } catch {
                printError("assessment-batch: cannot write --metrics-file: \(error)", level: .error)
                return false
            }
        }

        /// Runs this command's job and exits with its status.
        func execute(resumed: [Int: AssessmentOutcome], arguments: [String], savedPlan: SavedPlan? = nil) throws {
            let configuration = try server.configuration()
            if let savedPlan { try Self.checkServer(of: savedPlan, against: configuration.baseURL) }
            // The profile's timezone and encoding stand in for flags not given.
            let input = self.input.filled(from: (try? server.settings())?.active?.profile)
            var recorded = JSONObject()
            input.record(into: &recorded)
            server.record(into: &recorded)
            preflight.record(into: &recorded)
            recorded.append("preflight", .bool(!noPreflight))
            recorded.append("skipInvalid", .bool(skipInvalid))
            recorded.append("resumed", .bool(!resumed.isEmpty))
            if let savedPlan {
                recorded.append("plan", .string(savedPlan.directory))
                recorded.append("planSHA256", .string(savedPlan.digest))
            }
            let options = ApplyJobOptions(
                paths: input.files, load: try input.loadOptions(), skipInvalid: skipInvalid, outDirectory: server.out,
                configuration: configuration, preflight: !noPreflight, preflightOptions: preflight.options,
                strict: preflight.strict, recordedOptions: recorded, arguments: arguments, resumed: resumed, savedPlan: savedPlan)

            let logger = server.logger()
            let startedAt = Date()
            var result = runInterruptibly { control, observer in
                ApplyJob.apply(options, logger: logger, control: control, observer: observer)
            }
            // Operations: the metrics file, at the end of every run however it ended.
            if !writeMetrics(report: result.report, exitStatus: result.exitStatus, startedAt: result.report?.startedAt ?? startedAt),
               ![.interrupted, .terminated].contains(result.exitStatus) {
                result.exitStatus = .aborted
            }
            printDiagnostics(result.diagnostics)
            printSummary(result)
            if result.exitStatus != .success { throw ExitCode(result.exitStatus.rawValue) }
        }

        /// Re-runs the `apply` recorded in DIR's journal on the same inputs, skipping what it finished.
        private static func resumeRun(_ directory: String, current: Apply) throws {
            let journal: Journal.Contents
            do {
                journal = try Journal.read(directory: directory)
            } catch {
                throw CommandFailure("cannot resume from \(directory): \(error)")
            }
            var original = try Apply.parse(journal.header.arguments)
            if let plan = original.plan {
                // apply --plan: the plan again, checked against the plan.json the run started with.
                original.plan = plan.hasPrefix("/") ? plan : journal.header.workingDirectory + "/" + plan
                try Self.resumePlan(original, journal: journal, current: current, directory: directory)
                return
            }
            original.input.files = journal.header.inputs.map { input in
                input.path.hasPrefix("/") ? input.path : journal.header.workingDirectory + "/" + input.path
            }
            for (input, path) in zip(journal.header.inputs, original.input.files) {
                let digest = try sha256(ofFile: path)
                guard digest == input.sha256 else {
                    throw CommandFailure("cannot resume: \(input.path) changed since the run started (SHA-256 \(digest), journal has \(input.sha256)).")
                }
            }
            original.server.out = directory
            original.server.baseURL = current.server.baseURL ?? original.server.baseURL
            original.server.tokenFile = current.server.tokenFile ?? original.server.tokenFile
            original.server.profileOptions.profile = current.server.profileOptions.profile ?? original.server.profileOptions.profile
            original.server.profileOptions.config = current.server.profileOptions.config ?? original.server.profileOptions.config
            original.logging = current.logging
            original.metricsFile = current.metricsFile ?? original.metricsFile
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
                // No diagnostics: the run directory could not be made or locked (said above).
                printError(result.diagnostics.isEmpty ? "assessment-batch: nothing sent"
                                                      : "assessment-batch: invalid input, nothing sent (run 'assessment-batch validate' to check files offline)",
                           level: .error, metadata: ["exitCode": .stringConvertible(Int(result.exitStatus.rawValue))])
                return
            }
            let counts = report.counts
            var line = "assessment-batch: \(counts.assessments) assessments from \(counts.rows) rows: \(counts.applied) applied, \(counts.unchanged) unchanged, \(counts.failed) failed"
            if !counts.failedByKind.isEmpty {
                line += " (" + ErrorKind.allCases.compactMap { kind in counts.failedByKind[kind].map { "\(kind.rawValue) \($0)" } }.joined(separator: ", ") + ")"
            }
            line += ", \(counts.notAttempted) not attempted in \(String(format: "%.1f", report.finishedAt.timeIntervalSince(report.startedAt))) s"
            line += Self.rateLimitedShare(report.statistics)
            printError(line, level: summaryLevel(result.exitStatus), metadata: summaryMetadata(result))
            if result.exitStatus == .invalidInput { printError("  stopped:  --strict: preflight refused some assessments, nothing was written") }
            if let reason = report.abortReason { printError("  stopped:  \(reason)") }
            for file in report.filesNotWritten { printError("  not written: \(file)") }
            if let path = result.reportPath { printError("  report:   \(path)") }
            for file in report.failuresFiles {
                printError("  failures: \(file.path) (\(file.rows) row\(file.rows == 1 ? "" : "s"))")
            }
            if let directory = result.runDirectory, FileManager.default.fileExists(atPath: "\(directory)/\(HTMLReport.fileName)") {
                printError("  page:     \(directory)/\(HTMLReport.fileName)")
            }
            if let directory = result.runDirectory, FileManager.default.fileExists(atPath: "\(directory)/undo.jsonl") {
                printError("  undo:     assessment-batch apply \(shellQuoted("\(directory)/undo.jsonl"))")
            }
            let unrestorable = report.unrestorableSummary
            if let directory = result.runDirectory, unrestorable.assessments > 0 {
                printError("  not restorable by the undo file: \(unrestorable.values) values of \(unrestorable.assessments) assessments, listed in \(directory)/\(UnrestorableLog.fileName)")
            }
            if !report.failuresFiles.isEmpty {
                printError("  re-run:   assessment-batch apply \(report.failuresFiles.map { shellQuoted($0.path) }.joined(separator: " "))")
            }
            if let directory = result.runDirectory, [.aborted, .interrupted, .terminated].contains(result.exitStatus) {
                printError("  resume:   assessment-batch apply --resume \(shellQuoted(directory))")
            }
        }

        private func summaryLevel(_ status: ExitStatus) -> Logger.Level {
            switch status {
            case .success: .info
            case .failures: .warning
            default: .error
            }
        }

        /// The summary's figures as fields of its JSON line.
        private func summaryMetadata(_ result: ApplyJobResult) -> Logger.Metadata {
            guard let report = result.report else { return [:] }
            let counts = report.counts
            var byKind: Logger.Metadata = [:]
            for (kind, count) in counts.failedByKind { byKind[kind.rawValue] = .stringConvertible(count) }
            var metadata: Logger.Metadata = [
                "event": .string("summary"),
                "exitCode": .stringConvertible(Int(result.exitStatus.rawValue)),
                "durationSeconds": .stringConvertible(report.finishedAt.timeIntervalSince(report.startedAt)),
                "counts": .dictionary([
                    "rows": .stringConvertible(counts.rows), "assessments": .stringConvertible(counts.assessments),
                    "applied": .stringConvertible(counts.applied), "unchanged": .stringConvertible(counts.unchanged),
                    "failed": .stringConvertible(counts.failed), "failedByKind": .dictionary(byKind),
                    "notAttempted": .stringConvertible(counts.notAttempted),
                ]),
            ]
            if let directory = result.runDirectory { metadata["runDirectory"] = .string(directory) }
            if let path = result.reportPath { metadata["report"] = .string(path) }
            if let reason = report.abortReason { metadata["abortReason"] = .string(reason.description) }
            return metadata
        }
    }
}
