import Foundation
import Logging

/// Everything `apply` and `plan` need besides the token's source.
public struct ApplyJobOptions: Sendable {
    public var paths: [String]
    public var load: LoadOptions
    /// Send the valid assessments even when others are invalid.
    public var skipInvalid: Bool
    /// The run directory; nil for `runs/<stem>-<UTC timestamp>`.
    public var outDirectory: String?
    public var configuration: ServerConfiguration
    /// GET each assessment and scorecard first and write only what should be written.
    public var preflight: Bool
    public var preflightOptions: PreflightOptions
    /// Any preflight failure stops the run before the first write (exit 2).
    public var strict: Bool
    /// The options as the user gave them, recorded in the report (never the token).
    public var recordedOptions: JSONObject
    /// The command-line arguments, recorded in the journal so `--resume` can restart the run.
    public var arguments: [String]
    /// Outcomes of an interrupted run in the same directory, from its journal.
    public var resumed: [Int: AssessmentOutcome]
    /// `apply --plan`: the plan to apply instead of reading `paths`.
    public var savedPlan: SavedPlan?

    public init(paths: [String], load: LoadOptions = LoadOptions(), skipInvalid: Bool = false, outDirectory: String? = nil,
                configuration: ServerConfiguration, preflight: Bool = true, preflightOptions: PreflightOptions = PreflightOptions(),
                strict: Bool = false, recordedOptions: JSONObject = JSONObject(), arguments: [String] = [],
                resumed: [Int: AssessmentOutcome] = [:], savedPlan: SavedPlan? = nil) {
        self.paths = paths
        self.load = load
        self.skipInvalid = skipInvalid
        self.outDirectory = outDirectory
        self.configuration = configuration
        self.preflight = preflight
        self.preflightOptions = preflightOptions
        self.strict = strict
        self.recordedOptions = recordedOptions
        self.arguments = arguments
        self.resumed = resumed
        self.savedPlan = savedPlan
    }
}

/// What an `apply` or `plan` run produced.
public struct ApplyJobResult: Sendable {
    public var exitStatus: ExitStatus
    /// Every input problem found (printed as `file:line: message`).
    public var diagnostics: [Diagnostic]
    /// Nil when nothing was sent (invalid input).
    public var runDirectory: String?
    public var reportPath: String?
    public var report: RunReport?
    /// `plan` only: the decision per assessment, in input order (a write's changes are left
    /// out: they are in `renderedPlan`).
    public var plan: [PlannedAssessment] = []
    /// `plan` only: `plan.json`'s entries and the diff, held on disk.
    public var renderedPlan: RenderedPlan?
    /// `plan` only: the SHA-256 `plan.json` is sealed with.
    public var planDigest: String?
}

/// One assessment in a plan.
public struct PlannedAssessment: Sendable {
    public var update: AssessmentUpdate
    /// nil when the run stopped before it was inspected.
    public var verdict: PreflightVerdict?
}

/// Calls forwarded to the user interface (progress), from worker threads.
public struct JobObserver: Sendable {
    public var phaseStarted: @Sendable (_ name: String, _ total: Int) -> Void
    public var itemFinished: @Sendable (_ failed: Bool) -> Void

    public init(phaseStarted: @escaping @Sendable (String, Int) -> Void = { _, _ in },
                itemFinished: @escaping @Sendable (Bool) -> Void = { _ in }) {
        self.phaseStarted = phaseStarted
        self.itemFinished = itemFinished
    }
}

/// Reads, validates, preflights, sends and reports: the whole `apply` and `plan` commands.
/// The phases are in ``RunPipeline``; the two commands differ only by their ``VerdictSink``.
public enum ApplyJob {
    /// Runs `apply` to its end; never throws: every problem becomes part of the result.
    public static func apply(_ options: ApplyJobOptions, logger: Logger, control: RunControl = RunControl(),
                             observer: JobObserver = JobObserver()) -> ApplyJobResult {
        RunPipeline(options: options, logger: logger, control: control, observer: observer).run(.apply)
    }

    /// Runs `plan`: validation and preflight, no write; `plan.json` in the run directory.
    public static func plan(_ options: ApplyJobOptions, logger: Logger, control: RunControl = RunControl(),
                            observer: JobObserver = JobObserver()) -> ApplyJobResult {
        RunPipeline(options: options, logger: logger, control: control, observer: observer).run(.plan)
    }
}
