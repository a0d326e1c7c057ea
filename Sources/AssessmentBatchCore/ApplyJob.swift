import Foundation
import Logging

/// Everything `apply` needs besides the token's source.
public struct ApplyJobOptions: Sendable {
    public var paths: [String]
    public var load: LoadOptions
    /// Send the valid assessments even when others are invalid.
    public var skipInvalid: Bool
    /// The run directory; nil for `runs/<stem>-<UTC timestamp>`.
    public var outDirectory: String?
    public var configuration: ApplyConfiguration
    /// The options as the user gave them, recorded in the report (never the token).
    public var recordedOptions: JSONObject

    public init(paths: [String], load: LoadOptions = LoadOptions(), skipInvalid: Bool = false, outDirectory: String? = nil,
                configuration: ApplyConfiguration, recordedOptions: JSONObject = JSONObject()) {
        self.paths = paths
        self.load = load
        self.skipInvalid = skipInvalid
        self.outDirectory = outDirectory
        self.configuration = configuration
        self.recordedOptions = recordedOptions
    }
}

/// What an `apply` run produced.
public struct ApplyJobResult: Sendable {
    public var exitStatus: ExitStatus
    /// Every input problem found (printed as `file:line: message`).
    public var diagnostics: [Diagnostic]
    /// Nil when nothing was sent (invalid input).
    public var runDirectory: String?
    public var reportPath: String?
    public var report: RunReport?
}

/// Reads, validates, sends and reports: the whole `apply` command.
public enum ApplyJob {
    /// Runs the job to its end; never throws: every problem becomes part of the result.
    ///
    /// - Parameters:
    ///   - control: raised by signal handlers to stop the run.
    ///   - onOutcome: called from worker threads after each assessment (progress).
    public static func run(_ options: ApplyJobOptions, logger: Logger, control: RunControl = RunControl(),
                           onStart: @Sendable (Int) -> Void = { _ in },
                           onOutcome: @escaping @Sendable (Int, AssessmentOutcome) -> Void = { _, _ in }) -> ApplyJobResult {
        let startedAt = Date()
        let batch = BatchLoader.load(options.paths, options: options.load)
        if batch.hasFileErrors || (!batch.isValid && !options.skipInvalid) {
            return ApplyJobResult(exitStatus: .invalidInput, diagnostics: batch.diagnostics)
        }
        let directory: String
        do {
            directory = try makeRunDirectory(options.outDirectory, stem: batch.inputs.first?.stem ?? "run", at: startedAt)
        } catch {
            logger.error("\(error)")
            return ApplyJobResult(exitStatus: .invalidInput, diagnostics: batch.diagnostics)
        }
        logger.info("sending \(batch.updates.count) assessments to \(options.configuration.baseURL) with \(options.configuration.concurrency) workers")
        onStart(batch.updates.count)
        let engine = ApplyEngine(configuration: options.configuration, logger: logger)
        let result = engine.run(batch.updates, control: control, onOutcome: onOutcome)

        var outcomes = result.outcomes
        outcomes += batch.invalid.map { invalid in
            AssessmentOutcome(assessmentId: invalid.assessmentId, sources: invalid.sources, status: .failed,
                              errorKind: .invalid, error: invalid.message)
        }
        outcomes.sort { ($0.sources.first ?? SourceLocation(input: 0, line: 0)) < ($1.sources.first ?? SourceLocation(input: 0, line: 0)) }
        var rowFailures = batch.invalidRows
        for outcome in result.outcomes {
            guard let failure = outcome.rowFailure else { continue }
            for source in outcome.sources { rowFailures[source] = failure }
        }
        let exitStatus = exitStatus(abort: result.abortReason, outcomes: outcomes)
        var report = RunReport(command: "apply", startedAt: startedAt, finishedAt: Date(), baseURL: options.configuration.baseURL,
                               inputs: batch.inputs, options: options.recordedOptions, outcomes: outcomes,
                               statistics: result.statistics, failuresFiles: [], abortReason: result.abortReason,
                               exitStatus: exitStatus)
        var reportPath: String?
        do {
            report.failuresFiles = try FailuresWriter.write(inputs: batch.inputs, failures: rowFailures, directory: directory)
            report.finishedAt = Date()
            reportPath = try report.write(to: directory)
        } catch {
            logger.error("\(error)")
        }
        return ApplyJobResult(exitStatus: exitStatus, diagnostics: batch.diagnostics, runDirectory: directory,
                              reportPath: reportPath, report: report)
    }

    static func exitStatus(abort: AbortReason?, outcomes: [AssessmentOutcome]) -> ExitStatus {
        switch abort {
        case .authenticationRejected?, .serverUnreachable?: return .aborted
        case .interrupted(let signal)?: return signal == SIGTERM ? .terminated : .interrupted
        case nil:
            return outcomes.allSatisfy { $0.status == .applied || $0.status == .unchanged } ? .success : .failures
        }
    }

    /// Creates the run directory (mode 0700); the default name never reuses an existing one.
    static func makeRunDirectory(_ requested: String?, stem: String, at date: Date) throws -> String {
        if let requested {
            try createDirectory(requested)
            return requested
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let base = "runs/\(stem)-\(formatter.string(from: date))"
        var candidate = base
        var suffix = 2
        while FileManager.default.fileExists(atPath: candidate) {
            candidate = "\(base)-\(suffix)"
            suffix += 1
        }
        try createDirectory(candidate)
        return candidate
    }
}
