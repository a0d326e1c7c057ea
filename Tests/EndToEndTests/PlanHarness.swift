import AssessmentBatchCore
import AssessmentSimulator
import CurlHTTP
import Foundation
import Logging
import StrictJSON
import Testing

/// Runs `apply --plan DIR` in-process against `simulator`, with fast retries.
func runPlanApply(_ planDirectory: String, simulator: RunningSimulator, out: String, concurrency: Int = 4) async throws -> ApplyJobResult {
    try? CurlGlobal.initialize()
    let plan = try SavedPlan.load(directory: planDirectory)
    let configuration = ServerConfiguration(
        baseURL: simulator.baseURL, token: simulator.token, concurrency: concurrency,
        retry: RetryPolicy(maxAttempts: 6, baseDelay: 0.01, maxDelay: 0.2, maxRetryAfter: 1), giveUpAfterSeconds: 30,
        transport: TransportOptions(connectTimeoutMilliseconds: 2000, totalTimeoutMilliseconds: 10_000))
    let options = ApplyJobOptions(paths: [], outDirectory: out, configuration: configuration, preflight: true,
                                  preflightOptions: plan.preflightOptions, savedPlan: plan)
    var logger = Logger(label: "e2e")
    logger.logLevel = .critical
    let quietLogger = logger
    return await runBlocking { ApplyJob.apply(options, logger: quietLogger) }
}

/// `plan.json`'s entries by assessment id.
func planEntries(_ planDirectory: String) throws -> [Int: JSONObject] {
    let text = try #require(read("\(planDirectory)/plan.json"))
    let root = try #require(try Array(text.utf8).withUnsafeBytes { try JSONParser.parse($0, maxStringBytes: 1 << 26) }.objectValue)
    var entries: [Int: JSONObject] = [:]
    for item in root["assessments"]?.arrayValue ?? [] {
        if let object = item.objectValue, let id = object["assessmentId"]?.intValue { entries[id] = object }
    }
    return entries
}

/// The compact text of an entry's `patch`: what `apply --plan` must send byte for byte.
func plannedBody(_ entry: JSONObject?) -> String? {
    guard let patch = entry?["patch"] else { return nil }
    return JSONWriter.string(patch)
}

/// Parses a page with html5lib in strict mode (any parse error fails) and returns, as JSON, its
/// assessments' change rows, its refusals, its counts, and what would load from outside.
func parseReviewPage(_ path: String) throws -> JSONObject {
    let script = #"""
        import json, sys, html5lib
        with open(sys.argv[1], "rb") as f:
            doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(f.read())
        def text(e): return "".join(e.itertext())
        out = {"articles": {}, "refusals": [], "counts": {}, "scripts": 0, "external": [], "listed": [], "toc": [], "bytes": 0}
        out["scripts"] = len(doc.findall(".//script"))
        for e in doc.iter():
            for name in ("src", "href"):
                v = e.get(name)
                if v and (v.startswith("http") or v.startswith("//")): out["external"].append(v)
        for td in doc.iter("td"):
            if td.get("data-count") is not None: out["counts"][td.get("data-count")] = int(text(td))
        for article in doc.iter("article"):
            rows = []
            for tr in article.iter("tr"):
                if tr.get("data-field") is None: continue
                cells = {td.get("class").split()[0]: text(td) for td in tr.findall("td")}
                rows.append({"field": tr.get("data-field"), "categoryId": tr.get("data-category-id"), "criterionId": tr.get("data-criterion-id"),
                             "category": cells.get("category"), "criterion": cells.get("criterion"), "live": cells.get("live"), "new": cells.get("new"),
                             "deleted": ["".join(d.itertext()) for d in tr.iter("del")], "inserted": ["".join(i.itertext()) for i in tr.iter("ins")]})
            notes = [text(p) for p in article.iter("p") if "undo-note" in (p.get("class") or "")]
            out["articles"][article.get("data-assessment-id")] = {"user": article.get("data-assessed-user"), "meta": text(article.find("p")),
                                                                 "rows": rows, "undo": notes}
        table = doc.find(".//table[@id='refusals']")
        if table is not None:
            for tr in table.iter("tr"):
                tds = tr.findall("td")
                if tds: out["refusals"].append({"id": tr.get("data-assessment-id"), "kind": tr.get("data-kind"), "reason": text(tds[3])})
        for li in doc.iter("li"):
            if li.get("data-assessment-id"): out["listed"].append(li.get("data-assessment-id"))
        nav = doc.find(".//nav")
        if nav is not None: out["toc"] = [a.get("href") for a in nav.iter("a")]
        print(json.dumps(out))
        """#
    let result = runCommand("python3", ["-c", script, path])
    try #require(result.status == 0, "html5lib (strict) rejected the page: \(result.stderr)")
    let value = try Array(result.stdout.utf8).withUnsafeBytes { try JSONParser.parse($0, maxStringBytes: 1 << 26) }
    return try #require(value.objectValue)
}
