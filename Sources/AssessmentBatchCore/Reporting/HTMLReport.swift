import Foundation

/// `report.html`: the run for people, in one self-contained page (no external resource, no
/// script, charts as inline SVG drawn here), small whatever the run's size: failures are
/// grouped by `errorKind` and message, with counts and the first rows of each group; the full
/// lists stay in the failures file, `report.json` and `not-restorable.jsonl`, which it links.
public enum HTMLReport {
    public static let fileName = "report.html"
    /// Most failure groups shown; the rest are counted.
    static let groupLimit = 40
    /// Rows shown per failure group.
    static let rowsPerGroup = 5
    /// Longest text shown for one message.
    static let messageLimit = 300
    /// Most bars of the time line; longer runs are drawn in steps of several seconds.
    static let timelineLimit = 300

    /// Writes `report.html` into `directory` atomically (mode 0600) and returns its path.
    @discardableResult
    public static func write(_ report: RunReport, to directory: String, written: String = "") throws -> String {
        let path = "\(directory)/\(fileName)"
        let file = try OutputFile(path: path)
        try file.write(render(report, directory: directory, written: written))
        try file.commit()
        return path
    }

    /// The page's text; `directory` is where the files it links to are; `written` is the
    /// section with the table of each written assessment (see ``ChangeTable``), if any.
    public static func render(_ report: RunReport, directory: String, written: String = "") -> String {
        var page = Page()
        let counts = report.counts
        let title = "assessment-batch \(report.command): \(URL(fileURLWithPath: directory).lastPathComponent)"
        page.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        page.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
        page.text(title)
        page.raw("</title>\n<style>\(style)\(written.isEmpty ? "" : ChangeTable.style)</style>\n</head>\n<body>\n<h1>")
        page.text(title)
        page.raw("</h1>\n")
        summary(report, into: &page)
        countsSection(counts, report: report, into: &page)
        preflightSection(report, into: &page)
        timelineSection(report.statistics, into: &page)
        latencySection(report.statistics, into: &page)
        failuresSection(report, into: &page)
        undoSection(report, directory: directory, into: &page)
        page.raw(written)
        page.raw("<footer>Written by assessment-batch ")
        page.text(toolVersion)
        page.raw(". The complete figures are in <a href=\"report.json\">report.json</a>.</footer>\n</body>\n</html>\n")
        return page.html
    }

    // MARK: - Sections

    private static func summary(_ report: RunReport, into page: inout Page) {
        let outcome: (String, String)
        let plan = report.command == "plan"
        switch report.exitStatus {
        case .success: outcome = ("ok", plan ? "every assessment would be written or is unchanged (exit 0)" : "every assessment applied or unchanged (exit 0)")
        case .failures: outcome = ("warn", plan ? "preflight would refuse some assessments (exit 1)" : "finished with failures (exit 1)")
        case .invalidInput: outcome = ("bad", "stopped before the first write (exit 2)")
        case .aborted: outcome = ("bad", "aborted (exit 3)")
        case .interrupted, .terminated: outcome = ("bad", "interrupted (exit \(report.exitStatus.rawValue))")
        }
        page.raw("<p class=\"status \(outcome.0)\" id=\"exit-status\" data-exit-code=\"\(report.exitStatus.rawValue)\">")
        page.text(outcome.1)
        if let reason = report.abortReason {
            page.raw("<br>")
            page.text("stopped: \(reason.description)")
        }
        for file in report.filesNotWritten {
            page.raw("<br>")
            page.text("not written: \(file)")
        }
        let counts = report.counts
        page.raw("<br><b>\(counts.assessments)</b> assessments from \(counts.rows) rows: <b>\(counts.applied)</b> applied, \(counts.unchanged) unchanged, <b>\(counts.failed)</b> failed, \(counts.notAttempted) not attempted")
        page.raw("</p>\n<dl class=\"facts\">")
        fact("started", RunReport.format(report.startedAt), into: &page)
        fact("finished", RunReport.format(report.finishedAt), into: &page)
        fact("duration", String(format: "%.1f s", report.finishedAt.timeIntervalSince(report.startedAt)), into: &page)
        if let baseURL = report.baseURL { fact("server", baseURL, into: &page) }
        if case .string(let plan)? = report.options["plan"] {
            // apply --plan: the reviewed plan this run wrote, and its seal.
            fact("plan", "\(plan)/plan.json (SHA-256 \(report.options["planSHA256"]?.stringValue ?? "?"))", into: &page)
        }
        for input in report.inputs {
            fact("input", "\(input.path) (\(input.rows) rows, SHA-256 \(input.sha256.prefix(16))…)", into: &page)
        }
        page.raw("</dl>\n")
    }

    private static func fact(_ name: String, _ value: String, into page: inout Page) {
        page.raw("<dt>")
        page.text(name)
        page.raw("</dt><dd>")
        page.text(value)
        page.raw("</dd>")
    }

    private static func countsSection(_ counts: RunCounts, report: RunReport, into page: inout Page) {
        page.raw("<h2>Counts</h2>\n<table id=\"counts\">\n")
        let rows: [(String, Int)] = [("rows", counts.rows), ("assessments", counts.assessments), ("applied", counts.applied),
                                     ("unchanged", counts.unchanged), ("failed", counts.failed), ("notAttempted", counts.notAttempted)]
        for (name, value) in rows {
            page.raw("<tr><th>\(name)</th><td class=\"num\" data-count=\"\(name)\">\(value)</td></tr>\n")
        }
        for kind in ErrorKind.allCases {
            guard let value = counts.failedByKind[kind] else { continue }
            page.raw("<tr><th class=\"sub\">failed: \(kind.rawValue)</th><td class=\"num\" data-failed-kind=\"\(kind.rawValue)\">\(value)</td></tr>\n")
        }
        page.raw("</table>\n")
        let statistics = report.statistics
        page.raw("<h3>HTTP</h3>\n<table id=\"http\"><tr><th>requests</th><td class=\"num\" data-http=\"requests\">\(statistics.requests)</td></tr>")
        page.raw("<tr><th>retries</th><td class=\"num\" data-http=\"retries\">\(statistics.retries)</td></tr>")
        for key in statistics.statusCounts.keys.sorted() {
            page.raw("<tr><th class=\"sub\">status ")
            page.text(key)
            page.raw("</th><td class=\"num\">\(statistics.statusCounts[key] ?? 0)</td></tr>")
        }
        page.raw("</table>\n")
        if !report.failuresFiles.isEmpty {
            page.raw("<p>Rows not applied, in the input's own format, ready to run again: ")
            for (index, file) in report.failuresFiles.enumerated() {
                if index > 0 { page.raw(", ") }
                link(file.path, label: "\(URL(fileURLWithPath: file.path).lastPathComponent) (\(file.rows) rows)", into: &page)
            }
            page.raw(".</p>\n")
        }
    }

    private static func preflightSection(_ report: RunReport, into page: inout Page) {
        page.raw("<h2>Preflight</h2>\n")
        if report.options["preflight"] == .bool(false) {
            page.raw("<p>Skipped (<code>--no-preflight</code>): every valid assessment was sent as the file says.</p>\n")
            return
        }
        var unchanged = 0, refused = 0, invalid = 0, toWrite = 0
        for outcome in report.outcomes {
            switch outcome.status {
            case .unchanged: unchanged += 1
            case .failed where outcome.errorKind == .invalid: invalid += 1
            case .failed where outcome.attempts == 0 && outcome.errorKind != .notAttempted: refused += 1
            default: toWrite += 1
            }
        }
        let parts: [(String, Int, String)] = [
            (report.command == "plan" ? "to write" : "written or to write", toWrite, "#3b7dd8"), ("unchanged (not sent)", unchanged, "#7fb77e"),
            ("refused or failed at preflight", refused, "#d8873b"), ("invalid rows", invalid, "#c44e52"),
        ]
        page.raw("<p>What preflight decided for each assessment (from the outcomes).</p>\n")
        stackedBar(parts, into: &page)
    }

    private static func timelineSection(_ statistics: HTTPStatistics.Snapshot, into page: inout Page) {
        page.raw("<h2>Requests over time</h2>\n")
        guard !statistics.timeline.isEmpty else {
            page.raw("<p>No request was sent.</p>\n")
            return
        }
        let step = max(1, (statistics.timeline.count + timelineLimit - 1) / timelineLimit)
        var buckets: [HTTPStatistics.Second] = []
        for start in stride(from: 0, to: statistics.timeline.count, by: step) {
            var sum = HTTPStatistics.Second()
            for second in statistics.timeline[start..<min(statistics.timeline.count, start + step)] {
                sum.requests += second.requests
                sum.retries += second.retries
                sum.rateLimited += second.rateLimited
            }
            buckets.append(sum)
        }
        let perSecond = { (value: Int) in Double(value) / Double(step) }
        page.raw("<p>Requests per second\(step > 1 ? " (averaged over \(step) s)" : ""); retries and 429 answers drawn over them.</p>\n")
        let width = 760.0, height = 180.0, left = 48.0, bottom = 24.0
        let peak = max(1, buckets.map { perSecond($0.requests) }.max() ?? 1)
        let barWidth = (width - left) / Double(buckets.count)
        page.raw("<svg class=\"chart\" role=\"img\" aria-label=\"requests per second\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\">")
        axes(width: width, height: height, left: left, bottom: bottom, peak: peak, into: &page)
        for (index, bucket) in buckets.enumerated() {
            let value = perSecond(bucket.requests)
            let barHeight = value / peak * (height - bottom - 8)
            page.raw(String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#3b7dd8\"><title>%d s: %.1f/s</title></rect>",
                            left + Double(index) * barWidth, height - bottom - barHeight, max(0.5, barWidth - 0.5), barHeight,
                            index * step, value))
        }
        for (series, color) in [(\HTTPStatistics.Second.retries, "#d8873b"), (\HTTPStatistics.Second.rateLimited, "#c44e52")]
        where buckets.contains(where: { $0[keyPath: series] > 0 }) {
            let points = buckets.enumerated().map { index, bucket in
                String(format: "%.1f,%.1f", left + (Double(index) + 0.5) * barWidth,
                       height - bottom - perSecond(bucket[keyPath: series]) / peak * (height - bottom - 8))
            }
            page.raw("<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>")
        }
        page.raw(String(format: "<text x=\"%.0f\" y=\"%.0f\" class=\"axis\" text-anchor=\"end\">%d s</text>", width - 2, height - 6,
                        statistics.timeline.count))
        page.raw("</svg>\n<p class=\"legend\"><span style=\"color:#3b7dd8\">■</span> requests <span style=\"color:#d8873b\">■</span> retries <span style=\"color:#c44e52\">■</span> 429 answers</p>\n")
    }

    private static func latencySection(_ statistics: HTTPStatistics.Snapshot, into page: inout Page) {
        page.raw("<h2>Latency</h2>\n")
        guard statistics.requests > 0 else {
            page.raw("<p>No request was sent.</p>\n")
            return
        }
        let percentiles = statistics.latencyPercentiles([0.5, 0.95, 0.99])
        page.raw("<p>")
        for (name, value) in zip(["p50", "p95", "p99"], percentiles) {
            page.raw("\(name) <b>\(value.map { String(format: "%.1f", $0) } ?? "–") ms</b> ")
        }
        page.raw("over \(statistics.requests) requests.</p>\n")
        let labels = HTTPStatistics.latencyBucketBounds.map { "≤\(Self.milliseconds($0))" } + [">\(Self.milliseconds(HTTPStatistics.latencyBucketBounds.last ?? 0))"]
        let width = 760.0, height = 180.0, left = 48.0, bottom = 24.0
        let peak = Double(max(1, statistics.latencyHistogram.max() ?? 1))
        let barWidth = (width - left) / Double(labels.count)
        page.raw("<svg class=\"chart\" role=\"img\" aria-label=\"latency distribution\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\">")
        axes(width: width, height: height, left: left, bottom: bottom, peak: peak, into: &page)
        for (index, count) in statistics.latencyHistogram.enumerated() {
            let barHeight = Double(count) / peak * (height - bottom - 8)
            let x = left + Double(index) * barWidth
            page.raw(String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#6a5acd\"><title>%@ ms: %d</title></rect>",
                            x + 2, height - bottom - barHeight, barWidth - 4, barHeight, labels[index], count))
            page.raw(String(format: "<text x=\"%.1f\" y=\"%.0f\" class=\"axis\" text-anchor=\"middle\">%@</text>", x + barWidth / 2, height - 8, labels[index]))
        }
        page.raw("</svg>\n<p class=\"legend\">Requests by latency in milliseconds.</p>\n")
    }

    private static func failuresSection(_ report: RunReport, into page: inout Page) {
        page.raw("<h2>Failures</h2>\n")
        struct Group {
            var kind: String
            var pattern: String
            var count = 0
            var examples: [AssessmentOutcome] = []
        }
        var groups: [String: Group] = [:]
        for outcome in report.outcomes where outcome.status == .failed || (outcome.status == .notAttempted && report.command != "plan") {
            let kind = (outcome.errorKind ?? (outcome.status == .failed ? .transient : .notAttempted)).rawValue
            let pattern = Self.pattern(of: outcome.error ?? outcome.status.rawValue)
            let key = kind + "\u{0}" + pattern
            var group = groups[key] ?? Group(kind: kind, pattern: pattern)
            group.count += 1
            if group.examples.count < rowsPerGroup { group.examples.append(outcome) }
            groups[key] = group
        }
        guard !groups.isEmpty else {
            page.raw("<p>None.</p>\n")
            return
        }
        let sorted = groups.values.sorted { ($0.count, $1.kind, $1.pattern) > ($1.count, $0.kind, $0.pattern) }
        page.raw("<p>\(sorted.count) group\(sorted.count == 1 ? "" : "s") by errorKind and message (numbers in messages shown as #), largest first")
        if sorted.count > groupLimit { page.raw("; the first \(groupLimit) are shown") }
        page.raw(". Every row is in the failures file.</p>\n<table id=\"failures\">\n<tr><th>errorKind</th><th>message</th><th class=\"num\">assessments</th><th>first rows</th></tr>\n")
        for group in sorted.prefix(groupLimit) {
            page.raw("<tr data-kind=\"")
            page.text(group.kind)
            page.raw("\" data-count=\"\(group.count)\"><td>")
            page.text(group.kind)
            page.raw("</td><td>")
            page.text(clipped(group.pattern))
            page.raw("</td><td class=\"num\">\(group.count)</td><td><ul>")
            for example in group.examples {
                page.raw("<li>")
                let lines = example.sources.prefix(3).map { "\(report.inputs.indices.contains($0.input) ? URL(fileURLWithPath: report.inputs[$0.input].path).lastPathComponent : "?"):\($0.line)" }
                page.text("assessment \(example.assessmentId.map(String.init) ?? "?") (\(lines.joined(separator: ", "))\(example.sources.count > 3 ? ", …" : "")): ")
                page.text(clipped(example.error ?? ""))
                page.raw("</li>")
            }
            if group.count > group.examples.count { page.raw("<li class=\"more\">and \(group.count - group.examples.count) more</li>") }
            page.raw("</ul></td></tr>\n")
        }
        page.raw("</table>\n")
        if sorted.count > groupLimit {
            page.raw("<p>\(sorted.count - groupLimit) smaller groups with \(sorted.dropFirst(groupLimit).reduce(0) { $0 + $1.count }) assessments are not shown.</p>\n")
        }
    }

    private static func undoSection(_ report: RunReport, directory: String, into page: inout Page) {
        guard report.command == "apply" else { return }
        page.raw("<h2>Undo</h2>\n")
        if FileManager.default.fileExists(atPath: "\(directory)/undo.jsonl") {
            page.raw("<p>")
            link("\(directory)/undo.jsonl", label: "undo.jsonl", into: &page)
            page.raw(" holds the values each written assessment had before; applying it puts back scores, reasons and texts: <code>assessment-batch apply ")
            page.text("\(directory)/undo.jsonl")
            page.raw("</code>.</p>\n")
        } else {
            page.raw("<p>No undo file: nothing was written after preflight, or preflight was skipped.</p>\n")
        }
        let summary = report.unrestorableSummary
        guard summary.assessments > 0 else {
            page.raw("<p>Every value written can be put back by the undo file.</p>\n")
            return
        }
        page.raw("<p>What the undo file cannot put back (a PATCH cannot unscore a criterion, empty a text or move a state backwards): \(summary.values) values of \(summary.assessments) assessments, listed per assessment in ")
        link("\(directory)/\(UnrestorableLog.fileName)", label: UnrestorableLog.fileName, into: &page)
        page.raw(".</p>\n<table id=\"not-restorable\"><tr><th>field</th><th>reason</th><th class=\"num\">values</th></tr>\n")
        for key in summary.counts.keys.sorted() {
            page.raw("<tr><td>")
            page.text(key.field)
            page.raw("</td><td>")
            page.text(key.reason)
            page.raw("</td><td class=\"num\">\(summary.counts[key] ?? 0)</td></tr>\n")
        }
        page.raw("</table>\n")
    }

    // MARK: - Pieces

    /// A link to a file of the run directory, by its name (the page sits next to it).
    private static func link(_ path: String, label: String, into page: inout Page) {
        let name = URL(fileURLWithPath: path).lastPathComponent
        page.raw("<a href=\"")
        page.text(name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: ":"))) ?? name)
        page.raw("\">")
        page.text(label)
        page.raw("</a>")
    }

    private static func stackedBar(_ parts: [(String, Int, String)], into page: inout Page) {
        let total = max(1, parts.reduce(0) { $0 + $1.1 })
        let width = 760.0
        var x = 0.0
        page.raw("<svg class=\"chart\" role=\"img\" aria-label=\"preflight verdicts\" viewBox=\"0 0 \(Int(width)) 28\" width=\"\(Int(width))\" height=\"28\">")
        for (label, value, color) in parts where value > 0 {
            let w = Double(value) / Double(total) * width
            page.raw(String(format: "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"28\" fill=\"%@\"><title>", x, w, color))
            page.text("\(label): \(value)")
            page.raw("</title></rect>")
            x += w
        }
        page.raw("</svg>\n<p class=\"legend\">")
        for (label, value, color) in parts {
            page.raw("<span style=\"color:\(color)\">■</span> ")
            page.text(label)
            page.raw(" <b data-verdict=\"")
            page.text(label)
            page.raw("\">\(value)</b> &nbsp; ")
        }
        page.raw("</p>\n")
    }

    private static func axes(width: Double, height: Double, left: Double, bottom: Double, peak: Double, into page: inout Page) {
        page.raw(String(format: "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#888\"/>", left, height - bottom, width, height - bottom))
        page.raw(String(format: "<line x1=\"%.0f\" y1=\"8\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#888\"/>", left, left, height - bottom))
        page.raw(String(format: "<text x=\"%.0f\" y=\"14\" class=\"axis\" text-anchor=\"end\">%@</text>", left - 4, peak >= 10 ? String(Int(peak)) : String(format: "%.1f", peak)))
        page.raw(String(format: "<text x=\"%.0f\" y=\"%.0f\" class=\"axis\" text-anchor=\"end\">0</text>", left - 4, height - bottom))
    }

    private static func milliseconds(_ value: Double) -> String {
        value >= 1000 ? "\(Int(value / 1000)) s" : "\(Int(value))"
    }

    /// A message with every run of digits as `#`, so messages that differ only by an id group together.
    static func pattern(of message: String) -> String {
        var result = ""
        var inDigits = false
        for character in message {
            if character.isASCII && character.isNumber {
                if !inDigits { result.append("#") }
                inDigits = true
            } else {
                result.append(character)
                inDigits = false
            }
        }
        return result
    }

    private static func clipped(_ text: String) -> String {
        text.count <= messageLimit ? text : String(text.prefix(messageLimit)) + "…"
    }

    /// HTML text with every character that could open markup escaped.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// The page being built: markup the tool wrote, and text that is always escaped.
    private struct Page {
        var html = ""
        mutating func raw(_ markup: String) { html += markup }
        mutating func text(_ text: String) { html += HTMLReport.escape(text) }
    }

    private static let style = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;max-width:800px;margin:24px auto;padding:0 16px}\
        h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}h3{font-size:15px}\
        table{border-collapse:collapse;margin:8px 0}th,td{text-align:left;padding:3px 10px 3px 0;vertical-align:top}\
        th.sub{font-weight:normal;padding-left:16px}td.num,th.num{text-align:right}#failures td{border-top:1px solid #eee}\
        #failures ul{margin:0;padding-left:16px;font-size:13px}li.more{color:#666;list-style:none}\
        .status{padding:8px 12px;border-radius:4px}.ok{background:#e6f4e6}.warn{background:#fff3dc}.bad{background:#fde4e4}\
        dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{color:#666}dd{margin:0;word-break:break-all}\
        svg.chart{max-width:100%;height:auto;background:#fafafa}text.axis{font-size:10px;fill:#555}.legend{font-size:13px;color:#444}\
        footer{margin-top:32px;font-size:12px;color:#777}code{font-size:13px}
        """
}
