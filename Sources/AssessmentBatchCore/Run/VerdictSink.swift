import Foundation
import Synchronization

/// What receives preflight's verdicts and the run's outcomes: the one place where `plan` and
/// `apply` differ. A plan renders each decision into `plan.json` and sends nothing; an apply
/// keeps each before-image for the undo file, journals every outcome and writes the report.
protocol VerdictSink: Sendable {
    /// Called on worker threads as each verdict is made, with what preflight read when it read
    /// the assessment; returns what the run keeps of it in memory (the changes and undo image
    /// are on disk by then).
    func receive(_ verdict: PreflightVerdict, of update: AssessmentUpdate, at index: Int,
                 seen: PreflightSeen?) throws(FileError) -> PreflightVerdict

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

    /// Writes `report.html`: the review page of a plan, the run page of an apply.
    func writePage(_ report: RunReport, directory: String) throws
}

/// `plan`: each decision rendered to disk as it is made; nothing sent; `plan.json` at the end.
final class PlanSink: VerdictSink {
    private let rendered: RenderedPlan
    private let directory: String
    /// Every assessment and its kept verdict, in input order, once preflight is done.
    private let planned = HandOver<[PlannedAssessment]>([])
    /// The batch's invalid assessments, listed in `plan.json`.
    private let invalid = HandOver<[InvalidAssessment]>([])
    /// Each write's `<article>` for the review page, by index.
    private let review: IndexedSpool
    private let inputs: [String]
    private let preflightOptions: PreflightOptions
    private let pageParts = Mutex<(writes: [Int: ReviewPage.WriteSummary], refusals: [Int: ReviewPage.Refusal], digest: String?,
                                   invalid: [ReviewPage.Refusal], counts: [(String, Int)])>(([:], [:], nil, [], []))

    init(directory: String, count: Int, inputs: [String], preflightOptions: PreflightOptions) throws(FileError) {
        rendered = try RenderedPlan(directory: directory, count: count, inputs: inputs)
        review = try IndexedSpool(directory: directory, name: ".review-spool", count: count)
        self.directory = directory
        self.inputs = inputs
        self.preflightOptions = preflightOptions
    }

    func receive(_ verdict: PreflightVerdict, of update: AssessmentUpdate, at index: Int,
                 seen: PreflightSeen?) throws(FileError) -> PreflightVerdict {
        var write: PlannedWrite?
        if case .write(_, _, let unrestorable) = verdict, let seen {
            write = PlannedWrite(update: update, seen: seen, unrestorable: unrestorable)
        }
        try rendered.store(update, verdict, write: write, at: index)
        switch verdict {
        case .write:
            if let write {
                try review.store(Array(ChangeTable.html(write, sourceNames: ReviewPage.rowsText(update.sources, inputs: inputs)).utf8), at: index)
                let summary = ReviewPage.WriteSummary(index: index, assessmentId: update.assessmentId, assessedUser: write.assessedUser,
                                                      ticketId: write.ticketId, values: ChangeTable.rows(write).count)
                pageParts.withLock { $0.writes[index] = summary }
            }
            return .write(changes: [], undo: nil, unrestorable: [])
        case .failed(let kind, let message, _):
            let refusal = ReviewPage.Refusal(assessmentId: update.assessmentId, assessedUser: seen?.live.assessedUser, kind: kind.rawValue,
                                             message: message, rows: ReviewPage.rowsText(update.sources, inputs: inputs))
            pageParts.withLock { $0.refusals[index] = refusal }
            return verdict
        case .unchanged:
            return verdict
        }
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
        let refusals = batch.invalid.map { entry in
            ReviewPage.Refusal(assessmentId: entry.assessmentId, assessedUser: nil, kind: ErrorKind.invalid.rawValue, message: entry.message,
                               rows: ReviewPage.rowsText(entry.sources, inputs: inputs))
        }
        let counts = PlanFile.summarize(result.plan, invalid: batch.invalid.count)
        pageParts.withLock {
            $0.invalid = refusals
            $0.counts = counts
        }
    }

    func writeRecord(_ report: RunReport, into result: inout ApplyJobResult) throws {
        let (path, digest) = try PlanFile.write(plan: result.plan, rendered: rendered, invalid: invalid.value,
                                                report: report, preflightOptions: preflightOptions, to: directory)
        pageParts.withLock { $0.digest = digest }
        result.reportPath = path
        result.planDigest = digest
    }

    /// The review page: what the plan writes, per assessed user, for sign-off.
    func writePage(_ report: RunReport, directory: String) throws {
        let parts = pageParts.withLock { $0 }
        let header = ReviewPage.Header(
            title: "Plan for review: \(directory.split(separator: "/").last.map(String.init) ?? directory)",
            createdAt: RunReport.format(report.finishedAt), baseURL: report.baseURL, inputs: report.inputs, planDigest: parts.digest,
            applyCommand: SavedPlan.applyCommand(for: directory), counts: parts.counts)
        let writes = parts.writes.keys.sorted().compactMap { parts.writes[$0] }
        let refusals = parts.refusals.keys.sorted().compactMap { parts.refusals[$0] } + parts.invalid
        try ReviewPage.write(to: "\(directory)/\(HTMLReport.fileName)", header: header, writes: writes, refusals: refusals) { index in
            try review.piece(at: index)
        }
    }
}

/// `apply`: before-images wait on disk until their PATCH leaves, every outcome is journaled,
/// and the report and failures files are written at the end.
final class ApplySink: VerdictSink {
    /// How many written assessments the apply page shows as tables: the run's record, not its
    /// sign-off (that is the plan's page), so a big run pays for a few hundred tables, no more.
    static let writtenTablesShown = 200

    private let directory: String
    private let journal: Journal
    /// Each before-image by its assessment's index in preflight.
    private let undoImages: IndexedSpool?
    private let unrestorable: UnrestorableLog?
    /// Writes `undo.jsonl` durably ahead of the workers; set when the write phase starts.
    private let undoWriter = Mutex<UndoWriter?>(nil)
    /// `apply --plan`: the file of the input rows the plan kept, for the failures file.
    private let storedRowsPath: String?
    /// The page's table of each assessment to write, by index in preflight, and that index by id.
    private let writtenTables: IndexedSpool?
    private let tableIndex = Mutex<[Int: Int]>([:])
    private let inputNames: [String]

    init(directory: String, journal: Journal, preflightCount: Int?, storedRowsPath: String? = nil,
         inputs: [String] = []) throws(FileError) {
        self.directory = directory
        self.journal = journal
        self.storedRowsPath = storedRowsPath
        inputNames = inputs
        writtenTables = try preflightCount.map { count throws(FileError) in try IndexedSpool(directory: directory, name: ".page-spool", count: count) }
        if let preflightCount {
            undoImages = try IndexedSpool(directory: directory, name: ".undo-spool", count: preflightCount)
            unrestorable = try UnrestorableLog(directory: directory, count: preflightCount)
        } else {
            undoImages = nil
            unrestorable = nil
        }
    }

    func receive(_ verdict: PreflightVerdict, of update: AssessmentUpdate, at index: Int,
                 seen: PreflightSeen?) throws(FileError) -> PreflightVerdict {
        guard case .write(_, let undo, let notRestorable) = verdict else { return verdict }
        // Only as many tables as the page shows are rendered: a big apply pays for no more.
        if let seen, let writtenTables, tableIndex.withLock({ $0.count < Self.writtenTablesShown }) {
            let write = PlannedWrite(update: update, seen: seen, unrestorable: notRestorable)
            try writtenTables.store(Array(ChangeTable.html(write, sourceNames: ReviewPage.rowsText(update.sources, inputs: inputNames)).utf8), at: index)
            tableIndex.withLock { $0[update.assessmentId] = index }
        }
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
            if let storedRowsPath {
                // apply --plan: the rows come from the plan; the inputs may have changed since.
                let rows = try PlanSourceRows.read(path: storedRowsPath, wanted: Set(rowFailures.keys))
                report.failuresFiles = try StoredRowsFailuresWriter.write(inputs: batch.inputs, rows: rows, failures: rowFailures,
                                                                          directory: directory)
            } else {
                report.failuresFiles = try FailuresWriter.write(inputs: batch.inputs, failures: rowFailures, directory: directory)
            }
        } catch {
            report.noteFileNotWritten(error)
        }
        report.finishedAt = Date()
    }

    func writeRecord(_ report: RunReport, into result: inout ApplyJobResult) throws {
        result.reportPath = try report.write(to: directory)
    }

    func writePage(_ report: RunReport, directory: String) throws {
        try HTMLReport.write(report, to: directory, written: try writtenSection(report))
    }

    /// The page's "Written" section: each applied assessment's table, the value it held before
    /// and the value written (at most ``writtenTablesShown``; the rest are counted).
    private func writtenSection(_ report: RunReport) throws -> String {
        guard let writtenTables else { return "" }
        let indices = tableIndex.withLock { $0 }
        let applied = report.outcomes.filter { $0.status == .applied }
        guard !applied.isEmpty else { return "" }
        var html = "<h2 id=\"written\">Written</h2>\n<p>Each assessment written by this run, with the value it held before and the value written.</p>\n"
        var shown = 0
        for outcome in applied where shown < Self.writtenTablesShown {
            guard let id = outcome.assessmentId, let index = indices[id], let table = try writtenTables.piece(at: index) else { continue }
            html += String(decoding: table, as: UTF8.self)
            shown += 1
        }
        if shown < applied.count {
            html += "<p class=\"more\">\(applied.count - shown) more written assessment\(applied.count - shown == 1 ? " is" : "s are") not shown here"
            html += " (the page shows at most \(Self.writtenTablesShown), and not those of an earlier, interrupted part of a resumed run); report.json lists every outcome.</p>\n"
        }
        return html
    }
}
