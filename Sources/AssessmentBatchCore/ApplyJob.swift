import CurlHTTP
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
    public var configuration: ApplyConfiguration
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

    public init(paths: [String], load: LoadOptions = LoadOptions(), skipInvalid: Bool = false, outDirectory: String? = nil,
                configuration: ApplyConfiguration, preflight: Bool = true, preflightOptions: PreflightOptions = PreflightOptions(),
                strict: Bool = false, recordedOptions: JSONObject = JSONObject(), arguments: [String] = [],
                resumed: [Int: AssessmentOutcome] = [:]) {
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
public enum ApplyJob {
    /// Runs `apply` to its end; never throws: every problem becomes part of the result.
    public static func apply(_ options: ApplyJobOptions, logger: Logger, control: RunControl = RunControl(),
                             observer: JobObserver = JobObserver()) -> ApplyJobResult {
        run(options, planOnly: false, logger: logger, control: control, observer: observer)
    }

    /// Runs `plan`: validation and preflight, no write; `plan.json` in the run directory.
    public static func plan(_ options: ApplyJobOptions, logger: Logger, control: RunControl = RunControl(),
                            observer: JobObserver = JobObserver()) -> ApplyJobResult {
        run(options, planOnly: true, logger: logger, control: control, observer: observer)
    }

    private static func run(_ options: ApplyJobOptions, planOnly: Bool, logger: Logger, control: RunControl,
                            observer: JobObserver) -> ApplyJobResult {
        let startedAt = Date()
        var batch = BatchLoader.load(options.paths, options: options.load)
        if batch.hasFileErrors || (!batch.isValid && !options.skipInvalid) {
            return ApplyJobResult(exitStatus: .invalidInput, diagnostics: batch.diagnostics)
        }
        let directory: String
        let journal: Journal?
        do {
            directory = try makeRunDirectory(options.outDirectory, stem: batch.inputs.first?.stem ?? "run", at: startedAt)
            if planOnly {
                journal = nil
            } else {
                journal = try Journal(directory: directory)
                if options.resumed.isEmpty {
                    try journal?.writeHeader(Journal.Header(
                        arguments: options.arguments, workingDirectory: FileManager.default.currentDirectoryPath,
                        inputs: batch.inputs.map { (path: $0.path, sha256: $0.sha256) }))
                }
            }
        } catch {
            logger.error("\(error)")
            return ApplyJobResult(exitStatus: .invalidInput, diagnostics: batch.diagnostics)
        }

        // Assessments a resumed run already finished keep their outcome.
        var finished: [AssessmentOutcome] = []
        var pending: [AssessmentUpdate] = []
        if options.resumed.isEmpty {
            // Moved, not shared: `pending` is filtered in place after preflight.
            pending = exchange(&batch.updates, with: [])
        } else {
            for update in exchange(&batch.updates, with: []) {
                if var done = options.resumed[update.assessmentId], done.isFinal {
                    done.sources = update.sources
                    finished.append(done)
                } else {
                    pending.append(update)
                }
            }
        }
        if !finished.isEmpty { logger.info("resuming: \(finished.count) assessments already done, \(pending.count) to go") }

        // libcurl (and the TLS library under it) starts only now: what it takes comes after the
        // loader's working memory is freed, not on top of it.
        do {
            try CurlGlobal.initialize()
        } catch {
            logger.error("\(error)")
            return ApplyJobResult(exitStatus: .aborted, diagnostics: batch.diagnostics)
        }
        let engine = ApplyEngine(configuration: options.configuration, logger: logger, control: control)
        let record: @Sendable (AssessmentOutcome) -> Void = { outcome in
            do {
                try journal?.record(outcome)
            } catch {
                control.abort(.localFailure("\(error)"), abortTransfers: false)
            }
        }

        var plan: [PlannedAssessment] = []
        // Each before-image by its assessment's index in `pending` (apply with preflight only),
        // and, for each assessment left to write, that index.
        var undoSpool: IndexedSpool?
        var preflightIndices: [Int] = []
        var unrestorable: UnrestorableLog?
        var renderedPlan: RenderedPlan?
        if options.preflight {
            logger.info("preflight: reading \(pending.count) assessments from \(options.configuration.baseURL)")
            do {
                if planOnly {
                    renderedPlan = try RenderedPlan(directory: directory, count: pending.count, inputs: batch.inputs.map(\.path))
                } else {
                    undoSpool = try IndexedSpool(directory: directory, name: ".undo-spool", count: pending.count)
                    unrestorable = try UnrestorableLog(directory: directory, count: pending.count)
                }
            } catch {
                logger.error("\(error)")
                control.abort(.localFailure("\(error)"), abortTransfers: false)
            }
            observer.phaseStarted("preflight", pending.count)
            let undoImages = undoSpool
            let unrestorableLog = unrestorable
            let plannedPlan = renderedPlan
            let planned = planOnly ? pending : []
            var verdicts = engine.preflight(pending, options: options.preflightOptions) { index, verdict in
                if case .failed = verdict { observer.itemFinished(true) } else { observer.itemFinished(false) }
                // A plan renders each decision to disk at once; an apply keeps only where its undo
                // line and its report entries are.
                if planOnly {
                    do {
                        try plannedPlan?.store(planned[index], verdict, at: index)
                    } catch {
                        control.abort(.localFailure("\(error)"), abortTransfers: false)
                    }
                }
                guard case .write(_, let undo, let notRestorable) = verdict else { return verdict }
                if planOnly { return .write(changes: [], undo: nil, unrestorable: []) }
                do {
                    if let undo, let undoImages {
                        var bytes: [UInt8] = []
                        JSONWriter.write(.object(undo), into: &bytes)
                        bytes.append(UInt8(ascii: "\n"))
                        try undoImages.store(bytes, at: index)
                    }
                    try unrestorableLog?.store(notRestorable, at: index)
                } catch {
                    control.abort(.localFailure("\(error)"), abortTransfers: false)
                }
                return .write(changes: [], undo: nil, unrestorable: [])
            }
            if planOnly { plan = zip(pending, verdicts).map { PlannedAssessment(update: $0, verdict: $1) } }
            // `pending` is filtered in place down to the assessments to write, in input order:
            // no second array of updates.
            var kept = 0
            for index in pending.indices {
                // Each verdict is released as it is read.
                switch exchange(&verdicts[index], with: nil) {
                case .write?:
                    pending.swapAt(kept, index)
                    if !planOnly { preflightIndices.append(index) }
                    kept += 1
                case .unchanged?:
                    let outcome = AssessmentOutcome(assessmentId: pending[index].assessmentId, sources: pending[index].sources,
                                                    status: .unchanged)
                    finished.append(outcome)
                    if !planOnly { record(outcome) }
                case .failed(let kind, let message, let status)?:
                    let outcome = AssessmentOutcome(assessmentId: pending[index].assessmentId, sources: pending[index].sources,
                                                    status: .failed, errorKind: kind, httpStatus: status, attempts: 0, error: message)
                    finished.append(outcome)
                    if !planOnly { record(outcome) }
                case nil:
                    finished.append(AssessmentOutcome(
                        assessmentId: pending[index].assessmentId, sources: pending[index].sources, status: .notAttempted,
                        errorKind: .notAttempted, error: "not attempted: \(control.abortReason?.description ?? "the run stopped")"))
                }
            }
            pending.removeLast(pending.count - kept)
        }
        let toWrite = exchange(&pending, with: [])

        var writeOutcomes: [AssessmentOutcome] = []
        let strictStop = options.strict && finished.contains { $0.status == .failed }
        if planOnly || strictStop {
            writeOutcomes = toWrite.map { update in
                AssessmentOutcome(assessmentId: update.assessmentId, sources: update.sources, status: .notAttempted, errorKind: .notAttempted,
                                  error: planOnly ? "plan only: not sent" : "not sent: --strict and preflight found problems")
            }
        } else if !control.stop.isCancelled {
            let undoFile: DurableLog?
            do {
                undoFile = undoSpool?.isEmpty == false ? try DurableLog(path: "\(directory)/undo.jsonl", flushInterval: 0) : nil
            } catch {
                logger.error("\(error)")
                undoFile = nil
                control.abort(.localFailure("\(error)"), abortTransfers: false)
            }
            let undoImages = undoSpool
            let indices = preflightIndices
            let updates = toWrite
            if !updates.isEmpty {
                logger.info("sending \(updates.count) assessments with \(min(updates.count, options.configuration.concurrency)) workers")
            }
            observer.phaseStarted("apply", updates.count)
            // The before-image is on disk (fdatasync, shared by many lines) before the PATCH leaves.
            let undoWriter = undoFile.flatMap { file in
                undoImages.map { UndoWriter(log: file, images: $0, indices: indices, window: 16 * options.configuration.concurrency) }
            }
            writeOutcomes = engine.write(updates, beforeSending: { index in
                try undoWriter?.beforeSending(index)
            }, onOutcome: { _, outcome in
                record(outcome)
                observer.itemFinished(outcome.status == .failed)
            })
        } else {
            writeOutcomes = toWrite.map { update in
                AssessmentOutcome(assessmentId: update.assessmentId, sources: update.sources, status: .notAttempted, errorKind: .notAttempted,
                                  error: "not attempted: \(control.abortReason?.description ?? "the run stopped")")
            }
        }

        // The write outcomes are moved, not copied, when nothing else finished.
        var outcomes = finished.isEmpty ? exchange(&writeOutcomes, with: []) : finished + writeOutcomes
        outcomes += batch.invalid.map { invalid in
            AssessmentOutcome(assessmentId: invalid.assessmentId, sources: invalid.sources, status: .failed,
                              errorKind: .invalid, error: invalid.message)
        }
        outcomes.sort { ($0.sources.first ?? SourceLocation(input: 0, line: 0)) < ($1.sources.first ?? SourceLocation(input: 0, line: 0)) }
        var rowFailures = batch.invalidRows
        if !planOnly {
            for outcome in outcomes {
                guard let failure = outcome.rowFailure else { continue }
                // An invalid row keeps its own message rather than its assessment's.
                for source in outcome.sources where rowFailures[source] == nil { rowFailures[source] = failure }
            }
        }
        let exitStatus: ExitStatus
        if strictStop {
            exitStatus = .invalidInput
        } else if planOnly {
            // A plan fails (1) when some assessment would not be written as the file asks.
            let judged = finished + outcomes.filter { $0.errorKind == .invalid }
            exitStatus = Self.exitStatus(abort: control.abortReason, outcomes: judged)
        } else {
            exitStatus = Self.exitStatus(abort: control.abortReason, outcomes: outcomes)
        }
        // Outcomes count from here on (report, summary, exit status): their journal lines first reach the disk.
        do { try journal?.sync() } catch { logger.error("\(error)") }
        var report = RunReport(command: planOnly ? "plan" : "apply", startedAt: startedAt, finishedAt: Date(),
                               baseURL: options.configuration.baseURL, inputs: batch.inputs, options: options.recordedOptions,
                               outcomes: outcomes, statistics: engine.statistics, failuresFiles: [],
                               abortReason: control.abortReason, exitStatus: exitStatus, unrestorable: unrestorable)
        var reportPath: String?
        do {
            if planOnly {
                if let renderedPlan {
                    reportPath = try PlanFile.write(plan: plan, rendered: renderedPlan, invalid: batch.invalid, report: report,
                                                    to: directory)
                }
            } else {
                report.failuresFiles = try FailuresWriter.write(inputs: batch.inputs, failures: rowFailures, directory: directory)
                report.finishedAt = Date()
                reportPath = try report.write(to: directory)
            }
        } catch {
            logger.error("\(error)")
        }
        return ApplyJobResult(exitStatus: exitStatus, diagnostics: batch.diagnostics, runDirectory: directory,
                              reportPath: reportPath, report: report, plan: plan, renderedPlan: renderedPlan)
    }

    static func exitStatus(abort: AbortReason?, outcomes: [AssessmentOutcome]) -> ExitStatus {
        switch abort {
        case .authenticationRejected?, .serverUnreachable?, .localFailure?, .transportFailure?: return .aborted
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
        // 20261125T030210Z: the report's UTC time without separators or fraction.
        let stamp = Timestamp(date).description.prefix(19).filter { $0 != "-" && $0 != ":" } + "Z"
        let base = "runs/\(stem)-\(stamp)"
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
