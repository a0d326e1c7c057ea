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
    public var configuration: ApplyConfiguration
    /// Assessments asked of the list endpoint per page.
    public var pageSize: Int

    public init(output: String, format: InputFormat, delimiter: UInt8 = UInt8(ascii: ","), encoding: ExportEncoding = .utf8,
                force: Bool = false, selection: ExportSelection = ExportSelection(), configuration: ApplyConfiguration, pageSize: Int = 500) {
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
        result = exportAll(options, engine: engine, logger: logger, control: control, observer: observer)
        result.statistics = engine.statistics
        return result
    }

    /// Lists, reads and writes with `engine`.
    private static func exportAll(_ options: ExportJobOptions, engine: ExportEngine, logger: Logger, control: RunControl,
                                  observer: JobObserver) -> ExportJobResult {
        var result = ExportJobResult(exitStatus: .success)
        let ids: [Int]
        if let given = options.selection.ids {
            ids = given
        } else {
            logger.info("export: listing assessments at \(options.configuration.baseURL)")
            switch engine.list(options.selection, pageSize: options.pageSize) {
            case .success(let listed): ids = listed
            case .failure(let problem):
                result.exitStatus = exitStatus(control.abortReason) ?? .aborted
                result.problem = control.abortReason?.description ?? problem.message
                return result
            }
        }
        result.selected = ids.count
        let directory = (options.output as NSString).deletingLastPathComponent
        let spool: IndexedSpool
        do {
            spool = try IndexedSpool(directory: directory.isEmpty ? "." : directory,
                                     name: ".\((options.output as NSString).lastPathComponent).export-spool", count: ids.count)
        } catch {
            result.exitStatus = .invalidInput
            result.problem = "\(error)"
            return result
        }
        logger.info("export: reading \(ids.count) assessments with \(min(max(ids.count, 1), options.configuration.concurrency)) workers")
        observer.phaseStarted("export", ids.count)
        let fetched = engine.fetch(ids, format: options.format, delimiter: options.delimiter, spool: spool, observer: observer)
        result.failures = fetched.failures
        result.rows = fetched.rows
        result.exported = ids.count - fetched.failures.count - fetched.notReached
        if let stopped = exitStatus(control.abortReason) {
            result.exitStatus = stopped
            result.problem = control.abortReason?.description
            return result
        }
        do {
            try write(options, spool: spool, count: ids.count)
            result.path = options.output
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
        switch reason {
        case nil: nil
        case .interrupted(let signal)?: signal == SIGTERM ? .terminated : .interrupted
        case .authenticationRejected?, .serverUnreachable?, .localFailure?, .transportFailure?: .aborted
        }
    }

    /// Writes the header and every stored assessment's rows, in selection order, atomically.
    private static func write(_ options: ExportJobOptions, spool: IndexedSpool, count: Int) throws {
        let file = try OutputFile(path: options.output)
        let encode: ([UInt8]) throws -> [UInt8] = { bytes in
            guard options.format != .jsonl else { return bytes }
            return try options.encoding.encode(bytes).get()
        }
        if options.format != .jsonl {
            try file.write(options.encoding.preamble)
            try file.write(try encode(ExportSheet.header(format: options.format, delimiter: options.delimiter)))
        }
        for index in 0..<count {
            if let piece = try spool.piece(at: index) { try file.write(try encode(piece)) }
        }
        try file.commit(replacing: options.force)
    }
}

/// A list request that failed: the selection is unknown, so nothing is exported.
struct ListProblem: Error {
    var message: String
}

/// Sends `export`'s requests from a fixed pool of worker threads: the list pages, then one
/// GET per assessment and one per scorecard revision.
final class ExportEngine: Sendable {
    private let context: RunContext
    private let pool: WorkerPool

    init(configuration: ApplyConfiguration, logger: Logger, control: RunControl) {
        context = RunContext(configuration: configuration, logger: logger, control: control, statistics: HTTPStatistics())
        pool = WorkerPool(context: context)
    }

    deinit { pool.shutDown() }

    var statistics: HTTPStatistics.Snapshot { context.statistics.snapshot }

    private static func get(_ path: String, runner: RequestRunner, context: RunContext) -> SendResult {
        var attempts = 0
        var status: Int?
        return runner.send(HTTPRequest(method: "GET", url: context.configuration.url(path), headers: context.getHeaders),
                           attempts: &attempts, lastStatus: &status)
    }

    /// The ids of every assessment the filters select, in the server's order without repeats:
    /// the first page tells the total, the other pages are fetched at once.
    func list(_ selection: ExportSelection, pageSize: Int) -> Result<[Int], ListProblem> {
        var filters = ""
        if let states = selection.states { filters += "&state=" + states.joined(separator: ",") }
        if let user = selection.user { filters += "&user=\(user)" }
        if let base = selection.scorecardBaseId { filters += "&scorecardId=\(base)" }
        let query = filters
        let context = context
        let fetchPage: @Sendable (Int, RequestRunner) -> Result<ListPage, ListProblem> = { offset, runner in
            switch Self.get("/quality/assessment?limit=\(pageSize)&offset=\(offset)\(query)", runner: runner, context: context) {
            case .answered(let response) where (200..<300).contains(response.status):
                var reader = ListPageReader()
                let parsed: Void? = response.body.withUnsafeBytes { try? JSONParser.read($0, maxDepth: 64, maxStringBytes: 16 << 20, into: &reader) }
                guard parsed != nil, reader.isListObject else {
                    return .failure(ListProblem(message: "GET /quality/assessment did not return {\"assessments\": [...]}"))
                }
                return .success(ListPage(ids: reader.ids, total: reader.total))
            case .answered(let response):
                return .failure(ListProblem(message: "cannot list assessments (HTTP \(response.status)\(serverMessage(response).map { ": \($0)" } ?? ""))"))
            case .exhausted(let message, _):
                return .failure(ListProblem(message: "cannot list assessments: \(message)"))
            case .unauthorized, .stopped:
                return .failure(ListProblem(message: "the run stopped"))
            }
        }
        let first = Mutex<Result<ListPage, ListProblem>?>(nil)
        pool.run(count: 1) { _, runner in
            let page = fetchPage(0, runner)
            first.withLock { $0 = page }
        }
        guard let firstPage = first.withLock({ $0 }) else { return .failure(ListProblem(message: "the run stopped")) }
        var pages: [ListPage]
        switch firstPage {
        case .failure(let problem): return .failure(problem)
        case .success(let page): pages = [page]
        }
        if let total = pages[0].total {
            // A server that caps `limit` below the size asked for pages by what it returned.
            let step = max(1, min(pageSize, pages[0].ids.count))
            let more = pages[0].ids.isEmpty ? 0 : max(0, (total - pages[0].ids.count + step - 1) / step)
            let results = Mutex([Result<ListPage, ListProblem>?](repeating: nil, count: more))
            pool.run(count: more) { index, runner in
                let page = fetchPage((index + 1) * step, runner)
                results.withLock { $0[index] = page }
            }
            for result in results.withLock({ $0 }) {
                switch result {
                case .success(let page)?: pages.append(page)
                case .failure(let problem)?: return .failure(problem)
                case nil: return .failure(ListProblem(message: "the run stopped"))
                }
            }
        } else {
            // No total: page on until an empty page, or one that repeats (a server ignoring `offset`).
            var offset = 0
            var known = Set(pages[0].ids)
            paging: while !pages[pages.count - 1].ids.isEmpty {
                offset += pages[pages.count - 1].ids.count
                let pageOffset = offset
                let next = Mutex<Result<ListPage, ListProblem>?>(nil)
                pool.run(count: 1) { _, runner in
                    let page = fetchPage(pageOffset, runner)
                    next.withLock { $0 = page }
                }
                switch next.withLock({ $0 }) {
                case .success(let page)?:
                    if page.ids.allSatisfy({ !known.insert($0).inserted }) { break paging }
                    pages.append(page)
                case .failure(let problem)?: return .failure(problem)
                case nil: return .failure(ListProblem(message: "the run stopped"))
                }
            }
        }
        var seen = Set<Int>()
        return .success(pages.flatMap(\.ids).filter { seen.insert($0).inserted })
    }

    /// GETs every assessment and its scorecard revision (once per revision) and stores each
    /// assessment's rendered rows in `spool` at its index.
    func fetch(_ ids: [Int], format: InputFormat, delimiter: UInt8, spool: IndexedSpool,
               observer: JobObserver) -> (failures: [(assessmentId: Int, message: String)], rows: Int, notReached: Int) {
        let failures = Mutex([(index: Int, message: String)]())
        let rows = Atomic<Int>(0)
        let reached = Atomic<Int>(0)
        let scorecards = ScorecardCache()
        let context = context
        pool.run(count: ids.count) { index, runner in
            let id = ids[index]
            let outcome = Self.read(id, runner: runner, context: context, scorecards: scorecards)
            switch outcome {
            case .rows(let sheetRows):
                var bytes: [UInt8] = []
                ExportSheet.render(sheetRows, format: format, delimiter: delimiter, into: &bytes)
                do {
                    try spool.store(bytes, at: index)
                    _ = rows.wrappingAdd(sheetRows.count, ordering: .relaxed)
                } catch {
                    context.control.abort(.localFailure("\(error)"), abortTransfers: false)
                }
                observer.itemFinished(false)
            case .failed(let message):
                failures.withLock { $0.append((index, message)) }
                observer.itemFinished(true)
            case .stopped:
                return
            }
            _ = reached.wrappingAdd(1, ordering: .relaxed)
        }
        let failed = failures.withLock { $0 }.sorted { $0.index < $1.index }.map { (assessmentId: ids[$0.index], message: $0.message) }
        return (failed, rows.load(ordering: .relaxed), ids.count - reached.load(ordering: .relaxed))
    }

    private enum ReadOutcome {
        case rows([[ExportSheet.Cell]])
        case failed(String)
        case stopped
    }

    private static func read(_ id: Int, runner: RequestRunner, context: RunContext, scorecards: ScorecardCache) -> ReadOutcome {
        let live: LiveAssessment
        switch get("/quality/assessment/\(id)", runner: runner, context: context) {
        case .answered(let response) where (200..<300).contains(response.status):
            guard let parsed = response.body.withUnsafeBytes(LiveAssessment.init(answer:)) else {
                return .failed("GET assessment \(id) did not return an assessment object")
            }
            live = parsed
        case .answered(let response):
            let detail = response.status == 404 ? "assessment \(id) does not exist or was deleted" : "cannot read assessment \(id)"
            return .failed("\(detail) (HTTP \(response.status)\(serverMessage(response).map { ": \($0)" } ?? ""))")
        case .exhausted(let message, _):
            return .failed("GET assessment \(id): \(message)")
        case .unauthorized, .stopped:
            return .stopped
        }
        guard let scorecardId = live.scorecardId else { return .failed("assessment \(id) names no scorecardId") }
        switch scorecards.scorecard(scorecardId, fetch: { get("/quality/scorecard/\(scorecardId)", runner: runner, context: context) }) {
        case .found(let scorecard): return .rows(ExportSheet.rows(live, id: id, scorecard: scorecard))
        case .failed(_, let message): return .failed("assessment \(id): \(message)")
        case .stopped: return .stopped
        }
    }
}

/// One page of the list endpoint.
struct ListPage: Sendable {
    var ids: [Int]
    var total: Int?
}

/// Keeps `assessments[].id` and `total` of a list answer while `JSONParser` reads it, without
/// building the tree of hundreds of summaries.
private struct ListPageReader: JSONVisitor {
    var ids: [Int] = []
    var total: Int?
    /// Whether the root is an object with an `assessments` array.
    var isListObject = false
    private var depth = 0
    /// The key whose value comes next at depth 1 (root members) and depth 3 (item members).
    private var rootKey = ""
    private var itemKeyIsId = false
    private var inAssessments = false

    mutating func beginObject() {
        depth += 1
    }

    mutating func endObject() {
        depth -= 1
    }

    mutating func beginArray() {
        depth += 1
        if depth == 2 && rootKey == "assessments" {
            inAssessments = true
            isListObject = true
        }
    }

    mutating func endArray() {
        if depth == 2 { inAssessments = false }
        depth -= 1
    }

    mutating func key(_ bytes: UnsafeBufferPointer<UInt8>) {
        if depth == 1 {
            rootKey = String(decoding: bytes, as: UTF8.self)
        } else if depth == 3 && inAssessments {
            itemKeyIsId = bytes.elementsEqual("id".utf8)
        }
    }

    mutating func number(_ text: UnsafeBufferPointer<UInt8>) {
        if depth == 1 && rootKey == "total" {
            total = Int(String(decoding: text, as: UTF8.self))
        } else if depth == 3 && inAssessments && itemKeyIsId, let id = Int(String(decoding: text, as: UTF8.self)) {
            ids.append(id)
            itemKeyIsId = false
        }
    }

    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) { itemKeyIsId = false }
    mutating func bool(_ value: Bool) { itemKeyIsId = false }
    mutating func null() { itemKeyIsId = false }
}
