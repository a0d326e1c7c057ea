import Foundation
import Synchronization

/// What receives preflight's verdicts and the run's outcomes: the one place where `plan` and
/// `apply` differ. A plan renders each decision into `plan.json` and sends nothing; an apply
/// keeps each before-image for the undo file, journals every outcome and writes the report.
protocol VerdictSink: Sendable {
    /// Called on worker threads as each verdict is made; returns what the run keeps of it in
    /// memory (the changes and undo image are on disk by then).
    func receive(_ verdict: PreflightVerdict, of update: AssessmentUpdate, at index: Int) throws(FileError) -> PreflightVerdict

    /// All of preflight's verdicts, in input order, before the run filters them.
    func preflightFinished(_ updates: [AssessmentUpdate], _ verdicts: [PreflightVerdict?])

    /// Why the assessments to write are not sent, or nil when they are.
    var withholdsWrites: String? { get }

    /// The write phase is about to send the pending updates; `preflightIndices` maps each to
    /// its index in preflight (nil without preflight).
    func writeWillStart(preflightIndices: [Int]?, concurrency: Int) throws

    /// Called on the worker thread right before the first PATCH of pending update `index`; when
    /// it throws, the update is not sent.
    func beforeSending(_ index: Int) throws

    /// One assessment is finished (called from worker threads).
    func record(_ outcome: AssessmentOutcome) throws(FileError)

    /// The exit status of a run that ended with `outcomes`.
    func exitStatus(abort: AbortReason?, outcomes: [AssessmentOutcome], preflightOutcomes: [AssessmentOutcome]) -> ExitStatus

    /// Writes the run's files but its main record into the run directory and fills in the
    /// result; a file that cannot be written is noted in `report` (exit 3) and the others are
    /// still written.
    func finish(_ report: inout RunReport, rowFailures: [SourceLocation: RowFailure], batch: LoadedBatch,
                into result: inout ApplyJobResult)

    /// Writes the run's main record (`report.json`, `plan.json`) from `report`, which may be
    /// called again when a file written after it failed, and sets `result.reportPath`.
    func writeRecord(_ report: RunReport, into result: inout ApplyJobResult) throws
}

/// `plan`: each decision rendered to disk as it is made; nothing sent; `plan.json` at the end.
final class PlanSink: VerdictSink {
    private let rendered: RenderedPlan
    private let directory: String
    /// Every assessment and its kept verdict, in input order, once preflight is done.
    private let planned = HandOver<[PlannedAssessment]>([])
    /// The batch's invalid assessments, listed in `plan.json`.
    private let invalid = HandOver<[InvalidAssessment]>([])

    init(directory: String, count: Int, inputs: [String]) throws(FileError) {
        rendered = try RenderedPlan(directory: directory, count: count, inputs: inputs)
        self.directory = directory
    }

    func receive(_ verdict: PreflightVerdict, of update: AssessmentUpdate, at index: Int) throws(FileError) -> PreflightVerdict {
        try rendered.store(update, verdict, at: index)
        guard case .write = verdict else { return verdict }
        return .write(changes: [], undo: nil, unrestorable: [])
    }

    func preflightFinished(_ updates: [AssessmentUpdate], _ verdicts: [PreflightVerdict?]) {
        planned.set(zip(updates, verdicts).map { PlannedAssessment(update: $0, verdict: $1) })
    }

    var withholdsWrites: String? { "plan only: not sent" }

    func writeWillStart(preflightIndices: [Int]?, concurrency: Int) throws {}

    func beforeSending(_ index: Int) throws {}

    func record(_ outcome: AssessmentOutcome) throws(FileError) {}

    /// A plan fails (1) when some assessment would not be written as the file asks.
    func exitStatus(abort: AbortReason?, outcomes: [AssessmentOutcome], preflightOutcomes: [AssessmentOutcome]) -> ExitStatus {
        ExitStatus(abort: abort, outcomes: preflightOutcomes + outcomes.filter { $0.errorKind == .invalid })
    }

    func finish(_ report: inout RunReport, rowFailures: [SourceLocation: RowFailure], batch: LoadedBatch,
                into result: inout ApplyJobResult) {
        result.plan = planned.take(leaving: [])
        // plan.json lists the invalid assessments too.
        result.renderedPlan = rendered
        invalid.set(batch.invalid)
    }

    func writeRecord(_ report: RunReport, into result: inout ApplyJobResult) throws {
        result.reportPath = try PlanFile.write(plan: result.plan, rendered: rendered, invalid: invalid.value,
                                               report: report, to: directory)
    }
}

/// `apply`: before-images wait on disk until their PATCH leaves, every outcome is journaled,
/// and the report and failures files are written at the end.
final class ApplySink: VerdictSink {
    private let directory: String
    private let journal: Journal
    /// Each before-image by its assessment's index in preflight.
    private let undoImages: IndexedSpool?
    private let unrestorable: UnrestorableLog?
    /// Writes `undo.jsonl` durably ahead of the workers; set when the write phase starts.
    private let undoWriter = Mutex<UndoWriter?>(nil)

    init(directory: String, journal: Journal, preflightCount: Int?) throws(FileError) {
        self.directory = directory
        self.journal = journal
        if let preflightCount {
            undoImages = try IndexedSpool(directory: directory, name: ".undo-spool", count: preflightCount)
            unrestorable = try UnrestorableLog(directory: directory, count: preflightCount)
        } else {
            undoImages = nil
            unrestorable = nil
        }
    }

    func receive(_ verdict: PreflightVerdict, of update: AssessmentUpdate, at index: Int) throws(FileError) -> PreflightVerdict {
        guard case .write(_, let undo, let notRestorable) = verdict else { return verdict }
        if let undo, let undoImages {
            var bytes: [UInt8] = []
            JSONWriter.write(.object(undo), into: &bytes)
            bytes.append(UInt8(ascii: "\n"))
            try undoImages.store(bytes, at: index)
        }
        try unrestorable?.store(notRestorable, at: index)
        return .write(changes: [], undo: nil, unrestorable: [])
    }

    func preflightFinished(_ updates: [AssessmentUpdate], _ verdicts: [PreflightVerdict?]) {}

    var withholdsWrites: String? { nil }

    /// Opens `undo.jsonl` when there are before-images to write.
    func writeWillStart(preflightIndices: [Int]?, concurrency: Int) throws {
        guard let preflightIndices, !preflightIndices.isEmpty, let undoImages, !undoImages.isEmpty else { return }
        // Synced as soon as lines are written (flushInterval 0): a PATCH waits for its line.
        let log = try DurableLog(path: "\(directory)/undo.jsonl", flushInterval: 0)
        let writer = UndoWriter(log: log, images: undoImages, indices: preflightIndices, window: 16 * concurrency)
        undoWriter.withLock { $0 = writer }
    }

    /// The before-image is on disk (fdatasync, shared by many lines) before the PATCH leaves.
    func beforeSending(_ index: Int) throws {
        try undoWriter.withLock { $0 }?.beforeSending(index)
    }

    func record(_ outcome: AssessmentOutcome) throws(FileError) {
        try journal.record(outcome)
    }

    func exitStatus(abort: AbortReason?, outcomes: [AssessmentOutcome], preflightOutcomes: [AssessmentOutcome]) -> ExitStatus {
        ExitStatus(abort: abort, outcomes: outcomes)
    }

    func finish(_ report: inout RunReport, rowFailures: [SourceLocation: RowFailure], batch: LoadedBatch,
                into result: inout ApplyJobResult) {
        // Outcomes count from here on (report, summary, exit status): their journal lines reach
        // the disk first.
        do { try journal.sync() } catch { report.noteFileNotWritten(error) }
        if let unrestorable {
            // Only what was written needs restoring: a run stopped before its PATCHes lists nothing.
            let written = Set(report.outcomes.lazy.filter(\.mayHaveWritten).compactMap(\.assessmentId))
            do {
                try unrestorable.write(to: directory, keeping: written)
            } catch {
                report.noteFileNotWritten(error)
            }
            report.unrestorable = unrestorable
        }
        do {
            report.failuresFiles = try FailuresWriter.write(inputs: batch.inputs, failures: rowFailures, directory: directory)
        } catch {
            report.noteFileNotWritten(error)
        }
        report.finishedAt = Date()
    }

    func writeRecord(_ report: RunReport, into result: inout ApplyJobResult) throws {
        result.reportPath = try report.write(to: directory)
    }
}
