import CurlHTTP
import Foundation
import Logging

/// One `apply` or `plan` run, phase by phase: load → open the run directory → check the API
/// root → preflight → write → report. Each phase is one method; what differs between the two
/// commands is the ``VerdictSink`` that the phases hand their results to.
struct RunPipeline {
    enum Mode {
        case apply, plan
    }

    let options: ApplyJobOptions
    let logger: Logger
    let control: RunControl
    let observer: JobObserver
    let startedAt = Date()

    /// The assessments of a run as they move through the phases.
    struct WorkList {
        /// Decided: resumed from the journal, or by preflight.
        var finished: [AssessmentOutcome] = []
        /// Still to be written, in input order.
        var pending: [AssessmentUpdate] = []
        /// For each of `pending` after preflight, its index in preflight (where its undo line is).
        var preflightIndices: [Int]?
        /// Outcomes of the write phase.
        var written: [AssessmentOutcome] = []
        /// `--strict` held every write back because preflight refused some assessment.
        var strictStop = false
    }

    func run(_ mode: Mode) -> ApplyJobResult {
        // apply --plan: the plan's writes, not the input files (which may have changed since).
        var batch = options.savedPlan?.batch ?? BatchLoader.load(options.paths, options: options.load)
        if batch.hasFileErrors || (!batch.isValid && !options.skipInvalid) {
            return ApplyJobResult(exitStatus: .invalidInput, diagnostics: batch.diagnostics)
        }
        // The plan's directory stays locked while its apply runs: a second apply of the same
        // plan, or prune, leaves it alone.
        let planLock: RunDirectoryLock?
        do {
            planLock = try options.savedPlan.map { plan throws(RunDirectoryLockError) in try RunDirectoryLock(directory: plan.directory) }
        } catch {
            logger.error("cannot apply the plan: \(error) (is an apply of this plan running?); nothing sent")
            return ApplyJobResult(exitStatus: .invalidInput, diagnostics: [])
        }
        defer { withExtendedLifetime(planLock) {} }
        let directory: String
        let sink: any VerdictSink
        let lock: RunDirectoryLock
        do {
            (directory, lock, sink) = try openRun(batch, mode: mode)
        } catch let error as RunDirectoryLockError {
            logger.error("\(error)")
            // Another run or a prune holds the directory: a usage problem, retried later.
            if case .inUse = error { return ApplyJobResult(exitStatus: .invalidInput, diagnostics: batch.diagnostics) }
            return ApplyJobResult(exitStatus: .aborted, diagnostics: batch.diagnostics)
        } catch {
            // The run directory or a file the run keeps from its start (journal, spools) cannot
            // be made: nothing is sent, exit 3 as for any file of the run.
            logger.error("\(error)")
            return ApplyJobResult(exitStatus: .aborted, diagnostics: batch.diagnostics)
        }
        // The run directory stays locked until the run's files are written: prune and a
        // second --resume leave it alone.
        defer { withExtendedLifetime(lock) {} }
        var work = resume(&batch, sink: sink)
        // apply --plan: what the plan decided not to write is not sent; it counts as decided.
        for outcome in options.savedPlan?.decided ?? [] { finish(outcome, into: &work, sink: sink) }
        let engine = ApplyEngine(configuration: options.configuration, logger: logger, control: control)
        if !work.pending.isEmpty && engine.checkAPIRoot() {
            if options.preflight { preflight(&work, engine: engine, sink: sink) }
            write(&work, engine: engine, sink: sink)
        } else {
            work.written = exchange(&work.pending, with: []).map { .notAttempted($0, stoppedBy: control) }
        }
        return report(batch, work, statistics: engine.statistics, sink: sink, directory: directory, mode: mode)
    }

    // MARK: - Phases

    /// Creates and locks the run directory and makes the sink that writes into it (for `apply`,
    /// the journal and its header).
    private func openRun(_ batch: LoadedBatch, mode: Mode) throws -> (String, RunDirectoryLock, any VerdictSink) {
        let directory = try makeRunDirectory(options.outDirectory, stem: batch.inputs.first?.stem ?? "run", at: startedAt)
        let lock = try RunDirectoryLock(directory: directory)
        switch mode {
        case .plan:
            return (directory, lock, try PlanSink(directory: directory, count: batch.updates.count, inputs: batch.inputs.map(\.path),
                                                  preflightOptions: options.preflightOptions))
        case .apply:
            let journal = try Journal(directory: directory)
            if options.resumed.isEmpty {
                // apply --plan's one input is plan.json: --resume checks that it is unchanged.
                let inputs = try options.savedPlan.map { [(path: $0.path, sha256: try sha256(ofFile: $0.path))] }
                    ?? batch.inputs.map { (path: $0.path, sha256: $0.sha256) }
                try journal.writeHeader(Journal.Header(
                    arguments: options.arguments, workingDirectory: FileManager.default.currentDirectoryPath, inputs: inputs))
            }
            return (directory, lock, try ApplySink(directory: directory, journal: journal,
                                                   preflightCount: options.preflight ? batch.updates.count : nil,
                                                   storedRowsPath: options.savedPlan?.rowsPath, inputs: batch.inputs.map(\.path)))
        }
    }

    /// Splits the batch into what a resumed run already finished and what is left to do.
    private func resume(_ batch: inout LoadedBatch, sink: any VerdictSink) -> WorkList {
        var work = WorkList()
        guard !options.resumed.isEmpty else {
            // Moved, not shared: `pending` is filtered in place after preflight.
            work.pending = exchange(&batch.updates, with: [])
            return work
        }
        for update in exchange(&batch.updates, with: []) {
            if var done = options.resumed[update.assessmentId], done.isFinal {
                done.sources = update.sources
                work.finished.append(done)
            } else {
                work.pending.append(update)
            }
        }
        logger.info("resuming: \(work.finished.count) assessments already done, \(work.pending.count) to go")
        return work
    }

    /// GETs every pending assessment and its scorecard, hands each verdict to the sink, and
    /// keeps in `pending` only the assessments to write.
    private func preflight(_ work: inout WorkList, engine: ApplyEngine, sink: any VerdictSink) {
        logger.info("preflight: reading \(work.pending.count) assessments from \(options.configuration.baseURL)")
        observer.phaseStarted("preflight", work.pending.count)
        let control = control
        let observer = observer
        var verdicts = engine.preflight(work.pending, options: options.preflightOptions) { index, update, verdict, seen in
            if case .failed = verdict { observer.itemFinished(true) } else { observer.itemFinished(false) }
            do {
                return try sink.receive(verdict, of: update, at: index, seen: seen)
            } catch {
                control.abort(.localFailure("\(error)"), abortTransfers: false)
                return verdict
            }
        }
        sink.preflightFinished(work.pending, verdicts)
        // `pending` is filtered in place down to the assessments to write, in input order:
        // no second array of updates.
        var kept = 0
        var indices: [Int] = []
        for index in work.pending.indices {
            // Each verdict is released as it is read.
            switch exchange(&verdicts[index], with: nil) {
            case .write?:
                work.pending.swapAt(kept, index)
                indices.append(index)
                kept += 1
            case .unchanged?:
                finish(AssessmentOutcome(assessmentId: work.pending[index].assessmentId, sources: work.pending[index].sources,
                                         status: .unchanged), into: &work, sink: sink)
            case .failed(let kind, let message, let status)?:
                finish(AssessmentOutcome(assessmentId: work.pending[index].assessmentId, sources: work.pending[index].sources,
                                         status: .failed, errorKind: kind, httpStatus: status, attempts: 0, error: message),
                       into: &work, sink: sink)
            case nil:
                work.finished.append(.notAttempted(work.pending[index], stoppedBy: control))
            }
        }
        work.pending.removeLast(work.pending.count - kept)
        work.preflightIndices = indices
    }

    /// Sends one PATCH per pending assessment, unless the sink or `--strict` holds them back.
    private func write(_ work: inout WorkList, engine: ApplyEngine, sink: any VerdictSink) {
        let updates = exchange(&work.pending, with: [])
        work.strictStop = options.strict && work.finished.contains { $0.status == .failed }
        if let withheld = work.strictStop ? "not sent: --strict and preflight found problems" : sink.withholdsWrites {
            work.written = updates.map { .notAttempted($0, withheld) }
            return
        }
        let control = control
        if control.stop.isCancelled {
            work.written = updates.map { .notAttempted($0, stoppedBy: control) }
            return
        }
        if !updates.isEmpty {
            logger.info("sending \(updates.count) assessments with \(min(updates.count, options.configuration.concurrency)) workers")
        }
        do {
            try sink.writeWillStart(preflightIndices: work.preflightIndices, concurrency: options.configuration.concurrency)
        } catch {
            logger.error("\(error)")
            control.abort(.localFailure("\(error)"), abortTransfers: false)
            work.written = updates.map { .notAttempted($0, stoppedBy: control) }
            return
        }
        observer.phaseStarted("apply", updates.count)
        let observer = observer
        work.written = engine.write(updates, beforeSending: { index in
            try sink.beforeSending(index)
        }, onOutcome: { _, outcome in
            Self.record(outcome, sink: sink, control: control)
            observer.itemFinished(outcome.status == .failed)
        })
    }

    /// Puts the outcomes together, decides the exit status and lets the sink write its files.
    private func report(_ batch: LoadedBatch, _ work: WorkList, statistics: HTTPStatistics.Snapshot, sink: any VerdictSink,
                        directory: String, mode: Mode) -> ApplyJobResult {
        var work = work
        // The write outcomes are moved, not copied, when nothing else finished.
        var outcomes = work.finished.isEmpty ? exchange(&work.written, with: []) : work.finished + work.written
        outcomes += batch.invalid.map { invalid in
            AssessmentOutcome(assessmentId: invalid.assessmentId, sources: invalid.sources, status: .failed,
                              errorKind: .invalid, error: invalid.message)
        }
        outcomes.sort { ($0.sources.first ?? SourceLocation(input: 0, line: 0)) < ($1.sources.first ?? SourceLocation(input: 0, line: 0)) }
        var rowFailures = batch.invalidRows
        for outcome in outcomes {
            guard let failure = outcome.rowFailure else { continue }
            // An invalid row keeps its own message rather than its assessment's.
            for source in outcome.sources where rowFailures[source] == nil { rowFailures[source] = failure }
        }
        let exitStatus = work.strictStop
            ? .invalidInput : sink.exitStatus(abort: control.abortReason, outcomes: outcomes, preflightOutcomes: work.finished)
        var report = RunReport(command: mode == .plan ? "plan" : "apply", startedAt: startedAt, finishedAt: Date(),
                               baseURL: options.configuration.baseURL, inputs: batch.inputs, options: options.recordedOptions,
                               outcomes: outcomes, statistics: statistics, failuresFiles: [],
                               abortReason: control.abortReason, exitStatus: exitStatus, unrestorable: nil)
        var result = ApplyJobResult(exitStatus: exitStatus, diagnostics: batch.diagnostics, runDirectory: directory)
        sink.finish(&report, rowFailures: rowFailures, batch: batch, into: &result)
        writeRecordAndPage(&report, sink: sink, directory: directory, into: &result)
        for file in report.filesNotWritten { logger.error("\(file)") }
        result.exitStatus = report.exitStatus
        result.report = report
        return result
    }

    /// Writes `report.json` (or `plan.json`), then `report.html`, the same run for people; when
    /// the page fails after the record was written, the record is written again so that it
    /// too tells the exit status and the file that failed.
    private func writeRecordAndPage(_ report: inout RunReport, sink: any VerdictSink, directory: String,
                                    into result: inout ApplyJobResult) {
        var recordWritten = false
        do {
            try sink.writeRecord(report, into: &result)
            recordWritten = true
        } catch {
            report.noteFileNotWritten(error)
        }
        do {
            // report.html: the review page of a plan, the run page of an apply.
            try sink.writePage(report, directory: directory)
        } catch {
            report.noteFileNotWritten(error)
            if recordWritten {
                do { try sink.writeRecord(report, into: &result) } catch { report.noteFileNotWritten(error) }
            }
        }
    }

    // MARK: - Helpers

    /// Journals an outcome decided before the write phase and keeps it.
    private func finish(_ outcome: AssessmentOutcome, into work: inout WorkList, sink: any VerdictSink) {
        work.finished.append(outcome)
        Self.record(outcome, sink: sink, control: control)
    }

    /// Hands a finished outcome to the sink; a sink that cannot record stops the run.
    private static func record(_ outcome: AssessmentOutcome, sink: any VerdictSink, control: RunControl) {
        do {
            try sink.record(outcome)
        } catch {
            control.abort(.localFailure("\(error)"), abortTransfers: false)
        }
    }

    /// Creates the run directory (mode 0700); the default name never reuses an existing one.
    func makeRunDirectory(_ requested: String?, stem: String, at date: Date) throws -> String {
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
