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
            result.exported = try write(options, spool: spool, slots: slots)
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

    /// Writes the header and every stored assessment's rows, in selection order (an assessment
    /// a shifting list showed twice, once), atomically; returns how many assessments it wrote.
    private static func write(_ options: ExportJobOptions, spool: IndexedSpool, slots: AssessmentSlots) throws -> Int {
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

/// A list request that failed: the selection is unknown, so nothing is exported.
struct ListProblem: Error, Sendable {
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

    /// The list endpoint's query for `selection`, without paging.
    private static func filters(_ selection: ExportSelection) -> String {
        var query = ""
        if let states = selection.states { query += "&state=" + states.joined(separator: ",") }
        if let user = selection.user { query += "&user=\(user)" }
        if let base = selection.scorecardBaseId { query += "&scorecardId=\(base)" }
        return query
    }

    /// GETs one page of the list.
    private static func page(offset: Int, pageSize: Int, query: String, runner: RequestRunner, context: RunContext) -> Result<ListPage, ListProblem> {
        switch get("/quality/assessment?limit=\(pageSize)&offset=\(offset)\(query)", runner: runner, context: context) {
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

    /// Runs `body` on one worker and returns its value (nil when the run stopped first).
    private func once<Value: Sendable>(_ body: @escaping @Sendable (RequestRunner) -> Value) -> Value? {
        let value = Mutex<Value?>(nil)
        pool.run(count: 1) { _, runner in
            let computed = body(runner)
            value.withLock { $0 = computed }
        }
        return value.withLock { $0 }
    }

    /// The first page of the list: with a `total`, the other pages are fetched by `fetch`
    /// alongside the assessments they name; without one, page after page here.
    func firstPage(_ selection: ExportSelection, pageSize: Int) -> Result<AssessmentSlots, ListProblem> {
        let query = Self.filters(selection)
        let context = context
        let fetchPage: @Sendable (Int, RequestRunner) -> Result<ListPage, ListProblem> = { offset, runner in
            Self.page(offset: offset, pageSize: pageSize, query: query, runner: runner, context: context)
        }
        guard let first = once({ fetchPage(0, $0) }) else { return .failure(ListProblem(message: "the run stopped")) }
        let firstPage: ListPage
        switch first {
        case .failure(let problem): return .failure(problem)
        case .success(let page): firstPage = page
        }
        if let total = firstPage.total {
            return .success(AssessmentSlots(first: firstPage.ids, total: total, fetchPage: fetchPage))
        }
        // No total: page on until an empty page, or one that repeats (a server ignoring `offset`).
        var ids = firstPage.ids
        var known = Set(ids)
        var last = firstPage.ids
        while !last.isEmpty {
            let offset = ids.count
            switch once({ fetchPage(offset, $0) }) {
            case .success(let page)?:
                if page.ids.allSatisfy({ !known.insert($0).inserted }) { last = [] } else { ids += page.ids; last = page.ids }
            case .failure(let problem)?: return .failure(problem)
            case nil: return .failure(ListProblem(message: "the run stopped"))
            }
        }
        var seen = Set<Int>()
        return .success(AssessmentSlots(ids: ids.filter { seen.insert($0).inserted }))
    }

    /// GETs the remaining list pages and every assessment with its scorecard revision (once per
    /// revision) in one phase, and stores each assessment's rendered rows in `spool` at its
    /// slot. The pages come first in the pool's order, so reading starts with the first page
    /// and no worker waits for a page nobody fetches.
    func fetch(_ slots: AssessmentSlots, format: InputFormat, delimiter: UInt8, spool: IndexedSpool,
               observer: JobObserver) -> (failures: [(assessmentId: Int, message: String)], rows: Int, read: Int) {
        let failures = Mutex([(slot: Int, id: Int, message: String)]())
        let rows = Atomic<Int>(0)
        let read = Atomic<Int>(0)
        let scorecards = ScorecardCache()
        let context = context
        let pages = slots.pagesToFetch
        pool.run(count: pages + slots.count) { index, runner in
            if index < pages {
                // A page that cannot be read leaves the selection unknown: nothing is exported.
                if slots.fetchPage(index, runner: runner) != nil { context.control.stop.cancel() }
                return
            }
            let slot = index - pages
            guard let id = slots.id(at: slot) else { return }
            switch Self.read(id, runner: runner, context: context, scorecards: scorecards) {
            case .rows(let sheetRows):
                var bytes: [UInt8] = []
                ExportSheet.render(sheetRows, format: format, delimiter: delimiter, into: &bytes)
                do {
                    try spool.store(bytes, at: slot)
                    _ = rows.wrappingAdd(sheetRows.count, ordering: .relaxed)
                    _ = read.wrappingAdd(1, ordering: .relaxed)
                } catch {
                    context.control.abort(.localFailure("\(error)"), abortTransfers: false)
                }
                observer.itemFinished(false)
            case .failed(let message):
                failures.withLock { $0.append((slot, id, message)) }
                observer.itemFinished(true)
            case .stopped:
                return
            }
        }
        let failed = failures.withLock { $0 }.sorted { $0.slot < $1.slot }.map { (assessmentId: $0.id, message: $0.message) }
        return (failed, rows.load(ordering: .relaxed), read.load(ordering: .relaxed))
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

/// The assessments an export reads, by slot (their place in the sheet): explicit ids, or the
/// list's pages, which workers fetch while others already read the assessments of earlier
/// pages. A slot's id is known once its page arrived; `id(at:)` waits for it.
final class AssessmentSlots: Sendable {
    /// Slots, at least as many as the assessments.
    let count: Int
    /// List pages still to fetch (after the first).
    let pagesToFetch: Int
    /// Assessments the list announced (or ids given), for progress.
    let expected: Int
    private let firstCount: Int
    private let step: Int
    private let first: [Int]
    private let pages: Mutex<[[Int]?]>
    private let arrived: [DispatchGroup]
    /// Which pages' groups were left (a group freed while entered crashes libdispatch).
    private let left: Mutex<[Bool]>
    private let failure = Mutex<ListProblem?>(nil)
    private let fetch: (@Sendable (Int, RequestRunner) -> Result<ListPage, ListProblem>)?

    /// Explicit ids: every slot known at once.
    init(ids: [Int]) {
        count = ids.count
        expected = ids.count
        pagesToFetch = 0
        firstCount = ids.count
        step = 1
        first = ids
        pages = Mutex([])
        arrived = []
        left = Mutex([])
        fetch = nil
    }

    /// The list's first page and `total`: the other pages are fetched by offset, in steps of
    /// what the first page held (a server may cap `limit` below what was asked).
    init(first: [Int], total: Int, fetchPage: @escaping @Sendable (Int, RequestRunner) -> Result<ListPage, ListProblem>) {
        self.first = first
        firstCount = first.count
        step = max(1, first.count)
        let more = first.isEmpty ? 0 : max(0, (total - first.count + step - 1) / step)
        pagesToFetch = more
        count = first.count + more * step
        expected = max(total, first.count)
        pages = Mutex([[Int]?](repeating: nil, count: more))
        arrived = (0..<more).map { _ in
            let group = DispatchGroup()
            group.enter()
            return group
        }
        left = Mutex([Bool](repeating: false, count: more))
        fetch = fetchPage
    }

    deinit {
        // Pages a stopped run never fetched.
        for (index, done) in left.withLock({ $0 }).enumerated() where !done { arrived[index].leave() }
    }

    /// Fetches page `index` + 1 (the first one is in hand); returns its problem, if any. Its
    /// waiters are released either way.
    func fetchPage(_ index: Int, runner: RequestRunner) -> ListProblem? {
        guard let fetch else { return nil }
        let result = fetch((index + 1) * step, runner)
        var problem: ListProblem?
        switch result {
        case .success(let page): pages.withLock { $0[index] = page.ids }
        case .failure(let failed):
            problem = failed
            failure.withLock { if $0 == nil { $0 = failed } }
        }
        left.withLock { $0[index] = true }
        arrived[index].leave()
        return problem
    }

    /// The assessment at `slot`; nil when its page held fewer, failed or (without `waiting`)
    /// has not come. Waiting is for workers: every page is taken before any slot.
    func id(at slot: Int, waiting: Bool = true) -> Int? {
        if slot < firstCount { return first[slot] }
        let page = (slot - firstCount) / step
        guard page < arrived.count else { return nil }
        if waiting {
            arrived[page].wait()
        } else if arrived[page].wait(timeout: .now()) == .timedOut {
            return nil
        }
        let position = (slot - firstCount) % step
        return pages.withLock { $0[page].flatMap { position < $0.count ? $0[position] : nil } }
    }

    /// Why listing failed; nil when every page came.
    var problem: ListProblem? { failure.withLock { $0 } }

    /// Distinct assessments selected (once every page came).
    var selected: Int {
        var seen = Set<Int>()
        for slot in 0..<count { if let id = id(at: slot, waiting: false) { seen.insert(id) } }
        return seen.count
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
