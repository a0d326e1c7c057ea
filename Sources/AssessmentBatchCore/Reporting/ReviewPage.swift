import Foundation

/// `report.html` of a `plan` run: the page a team lead reads and signs before `apply --plan`
/// writes the plan. A header says what was planned (inputs, server, time, the plan's SHA-256,
/// counts); then, grouped by assessed user with a table of contents, every assessment to write
/// with its table of changes (``ChangeTable``); then the refused and invalid assessments with
/// their reasons. Self-contained (no external resource, no script), every text escaped, with
/// print styles so that a browser's print-to-PDF gives a clean sign-off document.
///
/// Size bound: a plan of up to ``fullLimit`` assessments to write is shown in full. A larger
/// one shares the ``fullLimit`` evenly among the assessed users (each user's first ones in input
/// order, at least ``minimumPerGroup`` each while the limit lasts); every further assessment to
/// write is listed by id with its ticket and number of values (at most ``listedLimit`` of
/// them), and the page says that their changes are in `plan.json`. Refused and invalid
/// assessments are listed up to ``refusedLimit``; unchanged ones are counted.
enum ReviewPage {
    static let minimumPerGroup = 5
    static let fullLimit = 2_000
    static let listedLimit = 20_000
    static let refusedLimit = 5_000

    /// One assessment to write, as the page's grouping and listings need it.
    struct WriteSummary: Sendable {
        var index: Int
        var assessmentId: Int
        var assessedUser: Int?
        var ticketId: Int?
        var values: Int
    }

    /// One assessment the plan does not write, with why.
    struct Refusal: Sendable {
        var assessmentId: Int?
        var assessedUser: Int?
        var kind: String
        var message: String
        var rows: String
    }

    /// What the page shows besides the assessments' tables.
    struct Header {
        var title: String
        var createdAt: String
        var baseURL: String?
        var inputs: [InputDescription]
        var planDigest: String?
        var applyCommand: String
        /// `toWrite`, `unchanged`, `rejected`, … as ``PlanFile/summarize(_:invalid:)`` counts them.
        var counts: [(String, Int)]
    }

    /// Writes the page to `path`; `fragment` gives the stored `<article>` of a write by its index.
    static func write(to path: String, header: Header, writes: [WriteSummary], refusals: [Refusal],
                      fragment: (Int) throws -> [UInt8]?) throws {
        let file = try OutputFile(path: path)
        var page = ""
        func flush() throws {
            if page.utf8.count >= 1 << 16 {
                try file.write(page)
                page = ""
            }
        }
        page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
        page += HTMLReport.escape(header.title) + "</title>\n<style>\(style)</style>\n</head>\n<body>\n"
        page += "<h1>" + HTMLReport.escape(header.title) + "</h1>\n"
        page += "<p class=\"lede\">What <code>assessment-batch apply --plan</code> will write, for review before it is written. "
        page += "Each table shows the value the server held when the plan was made and the value the plan writes. "
        page += "When applied, an assessment whose planned values changed on the server since is not written (a <code>conflict</code>).</p>\n"
        page += "<dl class=\"facts\">"
        func fact(_ name: String, _ value: String, id: String? = nil) {
            page += "<dt>\(HTMLReport.escape(name))</dt><dd\(id.map { " id=\"\($0)\"" } ?? "")>\(HTMLReport.escape(value))</dd>"
        }
        fact("planned at", header.createdAt)
        if let baseURL = header.baseURL { fact("server", baseURL, id: "server") }
        for input in header.inputs {
            fact("input", "\(input.path) (\(input.rows) rows, SHA-256 \(input.sha256))")
        }
        if let digest = header.planDigest { fact("plan.json SHA-256", digest, id: "plan-digest") }
        fact("to apply", header.applyCommand, id: "apply-command")
        page += "</dl>\n<table id=\"counts\">\n"
        let labels = ["toWrite": "to write", "unchanged": "unchanged (not sent)", "rejected": "refused: rejected",
                      "conflicts": "refused: conflict", "invalid": "invalid", "transient": "refused: could not be read",
                      "notInspected": "not inspected (the plan stopped)"]
        for (key, value) in header.counts where value > 0 || ["toWrite", "unchanged", "invalid"].contains(key) {
            page += "<tr><th>\(HTMLReport.escape(labels[key] ?? key))</th><td class=\"num\" data-count=\"\(key)\">\(value)</td></tr>\n"
        }
        page += "</table>\n"
        page += "<div class=\"signoff\"><p>Reviewed and approved for writing:</p><p>Name ______________________ &nbsp; Date ____________ &nbsp; Signature ______________________</p></div>\n"

        // Grouped by assessed user (unknown last), each group in input order.
        var groups: [Int?: [WriteSummary]] = [:]
        for write in writes { groups[write.assessedUser, default: []].append(write) }
        let users = groups.keys.sorted { ($0 ?? Int.max, $0 == nil ? 1 : 0) < ($1 ?? Int.max, $1 == nil ? 1 : 0) }
        let perGroup = writes.count <= fullLimit ? fullLimit : max(minimumPerGroup, fullLimit / max(1, users.count))
        page += "<h2 id=\"to-write\">To write: \(writes.count) assessment\(writes.count == 1 ? "" : "s")</h2>\n"
        if writes.isEmpty {
            page += "<p>Nothing to write.</p>\n"
        } else {
            if writes.count > fullLimit {
                page += "<p class=\"bound\">This plan has more than \(fullLimit) assessments to write: this page shows the first \(perGroup) of each assessed user in full (\(fullLimit) at most); "
                page += "the others are listed by id, and their changes are in <a href=\"plan.json\">plan.json</a>, which is what <code>apply --plan</code> writes.</p>\n"
            }
            page += "<nav id=\"toc\"><h3>Assessed users</h3><ul>\n"
            for user in users {
                let count = groups[user]?.count ?? 0
                page += "<li><a href=\"#\(anchor(user))\">\(userName(user))</a>: \(count) assessment\(count == 1 ? "" : "s")</li>\n"
                try flush()
            }
            page += "</ul></nav>\n"
        }
        var shown = 0
        var listed = 0
        var unlisted = 0
        for user in users {
            let members = groups[user] ?? []
            page += "<section class=\"user\" id=\"\(anchor(user))\" data-assessed-user=\"\(user.map(String.init) ?? "")\">\n"
            page += "<h2>\(userName(user)) <small>(\(members.count) to write)</small></h2>\n"
            var rest: [WriteSummary] = []
            for (position, write) in members.enumerated() {
                if position < perGroup && shown < fullLimit, let bytes = try fragment(write.index) {
                    try file.write(page)
                    page = ""
                    try file.write(bytes)
                    shown += 1
                } else {
                    rest.append(write)
                }
            }
            if !rest.isEmpty {
                page += "<p class=\"more\">\(rest.count) more assessment\(rest.count == 1 ? "" : "s") of \(userName(user)), their changes in <a href=\"plan.json\">plan.json</a>:</p>\n<ul class=\"listed\">"
                for write in rest {
                    if listed >= listedLimit {
                        unlisted += 1
                        continue
                    }
                    page += "<li data-assessment-id=\"\(write.assessmentId)\">assessment \(write.assessmentId)"
                    page += write.ticketId.map { ", ticket \($0)" } ?? ""
                    page += ": \(write.values) value\(write.values == 1 ? "" : "s")</li>"
                    listed += 1
                    try flush()
                }
                page += "</ul>\n"
            }
            page += "</section>\n"
            try flush()
        }
        if unlisted > 0 { page += "<p class=\"more\">\(unlisted) further assessments to write are not listed here; all are in <a href=\"plan.json\">plan.json</a>.</p>\n" }

        page += "<h2 id=\"refused\">Not written: \(refusals.count) assessment\(refusals.count == 1 ? "" : "s") refused or invalid</h2>\n"
        if refusals.isEmpty {
            page += "<p>None.</p>\n"
        } else {
            page += "<table id=\"refusals\"><thead><tr><th>Assessment</th><th>Assessed user</th><th>Kind</th><th>Reason</th><th>Rows</th></tr></thead><tbody>\n"
            for refusal in refusals.prefix(refusedLimit) {
                page += "<tr data-assessment-id=\"\(refusal.assessmentId.map(String.init) ?? "")\" data-kind=\"\(HTMLReport.escape(refusal.kind))\"><td>"
                page += refusal.assessmentId.map(String.init) ?? "?"
                page += "</td><td>\(refusal.assessedUser.map(String.init) ?? "")</td><td>\(HTMLReport.escape(refusal.kind))</td><td class=\"text\">"
                page += HTMLReport.escape(refusal.message) + "</td><td>" + HTMLReport.escape(refusal.rows) + "</td></tr>\n"
                try flush()
            }
            page += "</tbody></table>\n"
            if refusals.count > refusedLimit {
                page += "<p class=\"more\">\(refusals.count - refusedLimit) more are listed in <a href=\"plan.json\">plan.json</a>.</p>\n"
            }
        }
        let unchanged = header.counts.first { $0.0 == "unchanged" }?.1 ?? 0
        page += "<h2 id=\"unchanged\">Unchanged</h2>\n<p>\(unchanged) assessment\(unchanged == 1 ? "" : "s") already hold every value the input sets; they are not sent.</p>\n"
        page += "<footer>Written by assessment-batch \(HTMLReport.escape(toolVersion)). The plan itself is <a href=\"plan.json\">plan.json</a>; "
        page += "<code>\(HTMLReport.escape(header.applyCommand))</code> writes it and refuses it if it was altered.</footer>\n</body>\n</html>\n"
        try file.write(page)
        try file.commit()
    }

    /// "in.csv lines 2, 3" (file names only when there are several inputs: "line 2").
    static func rowsText(_ sources: SourceList, inputs: [String]) -> String {
        var places: [String] = []
        for input in Set(sources.map(\.input)).sorted() {
            let lines = sources.filter { $0.input == input }.map { String($0.line) }
            let name = inputs.count > 1 && inputs.indices.contains(input) ? "\(inputs[input].split(separator: "/").last ?? "") " : ""
            places.append("\(name)line\(lines.count == 1 ? "" : "s") \(lines.joined(separator: ", "))")
        }
        return places.joined(separator: "; ")
    }

    private static func anchor(_ user: Int?) -> String { user.map { "user-\($0)" } ?? "user-unknown" }

    private static func userName(_ user: Int?) -> String { user.map { "Assessed user \($0)" } ?? "Assessed user unknown" }

    static let style = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;max-width:1100px;margin:24px auto;padding:0 16px}\
        h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}h3{font-size:15px;margin:18px 0 4px}\
        .lede{color:#444}dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{color:#666}dd{margin:0;overflow-wrap:anywhere}\
        table{border-collapse:collapse;margin:8px 0}th,td{text-align:left;padding:3px 8px;vertical-align:top}td.num{text-align:right}\
        #refusals td{border-top:1px solid #eee}#refusals td.text{white-space:pre-wrap;overflow-wrap:anywhere}\
        nav#toc ul{columns:3;font-size:13px}ul.listed{columns:2;font-size:13px}.more,.bound{color:#555}\
        .signoff{border:1px solid #bbb;padding:6px 12px;margin:12px 0}footer{margin-top:32px;font-size:12px;color:#777}code{font-size:13px}\
        @media print{body{max-width:none;margin:0;font-size:11pt}a{color:inherit;text-decoration:none}nav#toc{break-after:page}\
        h2{break-after:avoid}h3{break-after:avoid}@page{margin:15mm}}
        """ + ChangeTable.style
}
