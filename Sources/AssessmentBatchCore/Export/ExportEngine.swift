import CurlHTTP
import Foundation
import Logging
import Synchronization

/// A list request that failed: the selection is unknown, so nothing is exported.
struct ListProblem: Error, Sendable {
    var message: String
}

/// Sends `export`'s requests from a fixed pool of worker threads: the first list page, then the
/// other pages, one GET per assessment and one per scorecard revision.
final class ExportEngine: Sendable {
    private let client: EnneoClient

    init(configuration: ServerConfiguration, logger: Logger, control: RunControl) {
        client = EnneoClient(configuration: configuration, logger: logger, control: control)
    }

    var statistics: HTTPStatistics.Snapshot { client.statistics }

    /// Reads the API root once before anything else (see ``APIRootCheck``).
    func checkAPIRoot() -> Bool {
        client.checkAPIRootBeforeRun()
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
    private static func page(offset: Int, pageSize: Int, query: String, runner: RequestRunner, client: EnneoClient) -> Result<ListPage, ListProblem> {
        switch client.get(EnneoClient.listPath(limit: pageSize, offset: offset, query: query), on: runner) {
        case .answered(let response) where (200..<300).contains(response.status):
            var reader = ListPageReader()
            let parsed: Void? = response.body.withUnsafeBytes { try? JSONParser.read($0, maxDepth: 64, maxStringBytes: 16 << 20, into: &reader) }
            guard parsed != nil, reader.isListObject else {
                return .failure(ListProblem(message: "GET /quality/assessment did not return {\"assessments\": [...]}"))
            }
            return .success(ListPage(ids: reader.ids, total: reader.total))
        case .answered(let response):
            return .failure(ListProblem(message: "cannot list assessments (\(response.statusAndMessage))"))
        case .exhausted(let message, _):
            return .failure(ListProblem(message: "cannot list assessments: \(message)"))
        case .unauthorized, .stopped:
            return .failure(ListProblem(message: "the run stopped"))
        }
    }

    /// The first page of the list: with a `total`, the other pages are fetched by `fetch`
    /// alongside the assessments they name; without one, page after page here.
    func firstPage(_ selection: ExportSelection, pageSize: Int) -> Result<AssessmentSlots, ListProblem> {
        let query = Self.filters(selection)
        let client = client
        let fetchPage: @Sendable (Int, RequestRunner) -> Result<ListPage, ListProblem> = { offset, runner in
            Self.page(offset: offset, pageSize: pageSize, query: query, runner: runner, client: client)
        }
        guard let first = client.once({ fetchPage(0, $0) }) else { return .failure(ListProblem(message: "the run stopped")) }
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
            switch client.once({ fetchPage(offset, $0) }) {
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
        let client = client
        let control = client.control
        let pages = slots.pagesToFetch
        client.run(count: pages + slots.count) { index, runner in
            if index < pages {
                // A page that cannot be read leaves the selection unknown: nothing is exported.
                if slots.fetchPage(index, runner: runner) != nil { control.stop.cancel() }
                return
            }
            let slot = index - pages
            guard let id = slots.id(at: slot) else { return }
            switch Self.read(id, runner: runner, client: client, scorecards: scorecards) {
            case .rows(let sheetRows):
                var bytes: [UInt8] = []
                ExportSheet.render(sheetRows, format: format, delimiter: delimiter, into: &bytes)
                do {
                    try spool.store(bytes, at: slot)
                    _ = rows.wrappingAdd(sheetRows.count, ordering: .relaxed)
                    _ = read.wrappingAdd(1, ordering: .relaxed)
                } catch {
                    control.abort(.localFailure("\(error)"), abortTransfers: false)
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

    private static func read(_ id: Int, runner: RequestRunner, client: EnneoClient, scorecards: ScorecardCache) -> ReadOutcome {
        let live: LiveAssessment
        switch client.get(EnneoClient.assessmentPath(id), on: runner) {
        case .answered(let response) where (200..<300).contains(response.status):
            guard let parsed = response.body.withUnsafeBytes(LiveAssessment.init(answer:)) else {
                return .failed("GET assessment \(id) did not return an assessment object")
            }
            live = parsed
        case .answered(let response):
            let detail = response.status == 404 ? "assessment \(id) does not exist or was deleted" : "cannot read assessment \(id)"
            return .failed("\(detail) (\(response.statusAndMessage))")
        case .exhausted(let message, _):
            return .failed("GET assessment \(id): \(message)")
        case .unauthorized, .stopped:
            return .stopped
        }
        guard let scorecardId = live.scorecardId else { return .failed("assessment \(id) names no scorecardId") }
        switch scorecards.scorecard(scorecardId, fetch: { client.get(EnneoClient.scorecardPath(scorecardId), on: runner) }) {
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
