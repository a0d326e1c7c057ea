import CurlHTTP
import Foundation
import Logging
import Synchronization

/// Which assessments `export` writes: explicit ids, or the list endpoint's filters.
public struct ExportSelection: Sendable {
    /// Assessment states (`state` of the list endpoint); nil for all.
    public var states: [String]?
    /// The assessed user (`user`).
    public var user: Int?
    /// The scorecard's base id (`scorecardId`): every revision of it.
    public var scorecardBaseId: Int?
    /// Explicit ids; when set, the list endpoint is not asked.
    public var ids: [Int]?

    public init(states: [String]? = nil, user: Int? = nil, scorecardBaseId: Int? = nil, ids: [Int]? = nil) {
        self.states = states
        self.user = user
        self.scorecardBaseId = scorecardBaseId
        self.ids = ids
    }

    /// The states the list endpoint accepts.
    public static let listableStates = ["unprocessed", "aiInProgress", "aiReady", "reviewOngoing", "reviewedBySupervisor",
                                        "discussedWithAssessee", "error"]
}

/// Everything `export` needs besides the token's source.
public struct ExportJobOptions: Sendable {
    public var output: String
    public var format: InputFormat
    /// CSV only (TSV is tab-separated).
    public var delimiter: UInt8
    public var encoding: ExportEncoding
    /// Replace an existing output file.
    public var force: Bool
    public var selection: ExportSelection
    public var configuration: ServerConfiguration
    /// Assessments asked of the list endpoint per page.
    public var pageSize: Int

    public init(output: String, format: InputFormat, delimiter: UInt8 = UInt8(ascii: ","), encoding: ExportEncoding = .utf8,
                force: Bool = false, selection: ExportSelection = ExportSelection(), configuration: ServerConfiguration, pageSize: Int = 500) {
        self.output = output
        self.format = format
        self.delimiter = format == .tsv ? UInt8(ascii: "\t") : delimiter
        self.encoding = encoding
        self.force = force
        self.selection = selection
        self.configuration = configuration
        self.pageSize = pageSize
    }
}

/// What an `export` run produced.
public struct ExportJobResult: Sendable {
    public var exitStatus: ExitStatus
    /// The file written; nil when none was.
    public var path: String?
    /// Assessments selected, and written.
    public var selected = 0
    public var exported = 0
    public var rows = 0
    /// Each assessment that could not be read, with why, in selection order.
    public var failures: [(assessmentId: Int, message: String)] = []
    /// Why the run stopped early, or why nothing was written.
    public var problem: String?
    public var statistics: HTTPStatistics.Snapshot?
}

/// Lists, reads and writes: the whole `export` command.
public enum ExportJob {
    /// Runs `export` to its end; never throws: every problem becomes part of the result.
    public static func run(_ options: ExportJobOptions, logger: Logger, control: RunControl = RunControl(),
                           observer: JobObserver = JobObserver()) -> ExportJobResult {
        var result = ExportJobResult(exitStatus: .success)
        // Refused before any request, and again when the file is moved into place.
        if !options.force && FileManager.default.fileExists(atPath: options.output) {
            result.exitStatus = .invalidInput
            result.problem = "\(options.output) exists and may hold a reviewer's edits: choose another name or pass --force"
            return result
        }
        do {
            try CurlGlobal.initialize()
        } catch {
            result.exitStatus = .aborted
            result.problem = "\(error)"
            return result
        }
        let engine = ExportEngine(configuration: options.configuration, logger: logger, control: control)
        guard engine.checkAPIRoot() else {
            result.exitStatus = exitStatus(control.abortReason) ?? .aborted
            result.problem = control.abortReason?.description
            result.statistics = engine.statistics
            return result
        }
        result = exportAll(options, engine: engine, logger: logger, control: control, observer: observer)
        result.statistics = engine.statistics
        return result
    }

    /// Lists, reads and writes with `engine`.
    private static func exportAll(_ options: ExportJobOptions, engine: ExportEngine, logger: Logger, control: RunControl,
                                  observer: JobObserver) -> ExportJobResult {
        var result = ExportJobResult(exitStatus: .success)
        let slots: AssessmentSlots
        if let given = options.selection.ids {
            slots = AssessmentSlots(ids: given)
        } else {
            logger.info("export: listing assessments at \(options.configuration.baseURL)")
            switch engine.firstPage(options.selection, pageSize: options.pageSize) {
            case .success(let listed): slots = listed
            case .failure(let problem):
                result.exitStatus = exitStatus(control.abortReason) ?? .aborted
                result.problem = control.abortReason?.description ?? problem.message
                return result
            }
        }
        let directory = (options.output as NSString).deletingLastPathComponent
        let spool: IndexedSpool
        do {
            spool = try IndexedSpool(directory: directory.isEmpty ? "." : directory,
                                     name: ".\((options.output as NSString).lastPathComponent).export-spool", count: slots.count)
        } catch {
            result.exitStatus = .invalidInput
            result.problem = "\(error)"
            return result
        }
        logger.info("export: reading \(slots.expected) assessments with \(min(max(slots.expected, 1), options.configuration.concurrency)) workers")
        observer.phaseStarted("export", slots.expected)
        let fetched = engine.fetch(slots, format: options.format, delimiter: options.delimiter, spool: spool, observer: observer)
        result.failures = fetched.failures
        result.rows = fetched.rows
        result.selected = slots.selected
        result.exported = fetched.read
        if let problem = slots.problem {
            result.exitStatus = exitStatus(control.abortReason) ?? .aborted
            result.problem = control.abortReason?.description ?? problem.message
            return result
        }
        if let stopped = exitStatus(control.abortReason) {
            result.exitStatus = stopped
            result.problem = control.abortReason?.description
            return result
        }
        do {
            let writing = ContinuousClock.now
            result.exported = try write(options, spool: spool, slots: slots)
            result.path = options.output
            let elapsed = ContinuousClock.now - writing
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            logger.debug("export: wrote \(result.rows) rows to \(options.output) in \(String(format: "%.3f", seconds)) s")
        } catch let error as UnencodableCharacter {
            result.exitStatus = .invalidInput
            result.problem = "the sheet holds \"\(error.scalar)\" (U+\(String(error.scalar.value, radix: 16, uppercase: true))), which \(options.encoding.rawValue) cannot hold: export with --encoding utf-8"
            return result
        } catch {
            result.exitStatus = .invalidInput
            result.problem = "\(error)"
            return result
        }
        result.exitStatus = result.failures.isEmpty ? .success : .failures
        return result
    }

    /// The exit status of a run that stopped early; nil when it did not.
    private static func exitStatus(_ reason: AbortReason?) -> ExitStatus? {
        reason.map { ExitStatus(abort: $0, outcomes: []) }
    }

    /// Writes the header and every stored assessment's rows, in selection order (an assessment
    /// a shifting list showed twice, once), atomically; returns how many assessments it wrote.
    private static func write(_ options: ExportJobOptions, spool: IndexedSpool, slots: AssessmentSlots) throws -> Int {
        if options.format == .xlsx { return try ExportWorkbook.write(options, spool: spool, slots: slots) }
        let file = try OutputFile(path: options.output)
        let encode: ([UInt8]) throws -> [UInt8] = { bytes in
            guard options.format != .jsonl else { return bytes }
            return try options.encoding.encode(bytes).get()
        }
        if options.format != .jsonl {
            try file.write(options.encoding.preamble)
            try file.write(try encode(ExportSheet.header(format: options.format, delimiter: options.delimiter)))
        }
        var written = Set<Int>()
        for slot in 0..<slots.count {
            guard let piece = try spool.piece(at: slot), let id = slots.id(at: slot, waiting: false), written.insert(id).inserted else { continue }
            try file.write(try encode(piece))
        }
        try file.commit(replacing: options.force)
        return written.count
    }
}
