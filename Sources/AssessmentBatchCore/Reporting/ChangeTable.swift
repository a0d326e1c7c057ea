/// One written (or to be written) assessment as HTML: its id, assessed user, ticket and
/// scorecard, then a table with every value its PATCH sets, the live value and the new value
/// side by side (texts in full, line breaks kept, changed words marked), and what the undo file
/// cannot put back. Shared by the review page of `plan` and the page of `apply`. Every text is
/// escaped.
enum ChangeTable {
    /// One line of the table.
    struct Row {
        var category: (id: Int, name: String?)?
        var criterion: (id: Int, name: String?)?
        var field: String
        /// nil: empty (unscored, no text, no date).
        var live: String?
        var new: String
        /// Texts get a word diff; numbers, dates and states do not.
        var isText: Bool
        /// A note shown under the field name (e.g. who sets the value).
        var note: String?
    }

    /// The table's rows, in PATCH order: assessment texts and dates, the state, then criteria.
    static func rows(_ write: PlannedWrite) -> [Row] {
        var rows: [Row] = []
        let fields = write.update.fields
        let saw = write.saw
        func seen(_ value: SeenValue<FieldValue>?) -> String? {
            if case .value(let value)? = value { return value.plain }
            return nil
        }
        func seenText(_ value: SeenValue<String>?) -> String? {
            if case .value(let text)? = value { return text }
            return nil
        }
        // Texts and dates first, then the state, then the criteria.
        for field in FieldDescriptor.written where field.kind != .state {
            guard let value = fields[field.column] else { continue }
            rows.append(Row(field: field.name, live: seen(saw[field.column]), new: value.plain, isText: field.kind == .text))
        }
        if let state = fields.state {
            rows.append(Row(field: "state", live: seen(saw[.state]) ?? write.liveState, new: state.name, isText: false))
        } else if write.liveState == "aiReady" {
            rows.append(Row(field: "state", live: "aiReady", new: "reviewOngoing", isText: false, note: "set by the server on any edit"))
        }
        var expectations: [CriterionKey: CriterionExpectation] = [:]
        for expectation in saw.criteria { expectations[expectation.key] = expectation }
        for criterion in write.update.criteria {
            let category = (id: criterion.categoryId, name: write.categoryNames[criterion.categoryId])
            let named = (id: criterion.criterionId, name: write.criterionNames[criterion.key])
            if let score = criterion.score {
                var live: String?
                if case .value(let value)? = expectations[criterion.key]?.score { live = String(value) }
                rows.append(Row(category: category, criterion: named, field: "score", live: live, new: String(score), isText: false))
            }
            if let reason = criterion.reason {
                rows.append(Row(category: category, criterion: named, field: "reason", live: seenText(expectations[criterion.key]?.reason),
                                new: reason, isText: true))
            }
        }
        return rows
    }

    /// The assessment's `<article>`; `sourceNames` names its input rows.
    static func html(_ write: PlannedWrite, sourceNames: String) -> String {
        var html = "<article class=\"assessment\" id=\"a-\(write.assessmentId)\" data-assessment-id=\"\(write.assessmentId)\""
        if let user = write.assessedUser { html += " data-assessed-user=\"\(user)\"" }
        html += ">\n<h3>Assessment \(write.assessmentId)</h3>\n<p class=\"meta\">"
        var facts: [String] = []
        func fact(_ name: String, _ value: String?) {
            facts.append("\(name) <b>\(value.map(HTMLReport.escape) ?? "unknown")</b>")
        }
        fact("assessed user", write.assessedUser.map(String.init))
        fact("ticket", write.ticketId.map(String.init))
        fact("scorecard", write.scorecardId.map(String.init))
        fact("state", write.liveState)
        html += facts.joined(separator: " · ")
        html += " · input " + HTMLReport.escape(sourceNames) + "</p>\n"
        html += "<table class=\"changes\"><thead><tr><th>Category</th><th>Criterion</th><th>Field</th><th>Live value</th><th>New value</th></tr></thead><tbody>\n"
        for row in rows(write) {
            let same = row.live == row.new
            html += "<tr class=\"change\(same ? " same" : "")\" data-field=\"\(row.field)\""
            if let category = row.category { html += " data-category-id=\"\(category.id)\"" }
            if let criterion = row.criterion { html += " data-criterion-id=\"\(criterion.id)\"" }
            html += "><td class=\"category\">"
            if let category = row.category {
                html += HTMLReport.escape(category.name ?? "category \(category.id)")
            } else {
                html += "<span class=\"none\">assessment</span>"
            }
            html += "</td><td class=\"criterion\">"
            if let criterion = row.criterion { html += HTMLReport.escape(criterion.name ?? "criterion \(criterion.id)") }
            // A possible line break before each capital: "supervisor·Assessment" fits a narrow column.
            html += "</td><td class=\"field\">" + row.field.map { $0.isUppercase ? "<wbr>\($0)" : String($0) }.joined()
            if let note = row.note { html += "<br><small>\(HTMLReport.escape(note))</small>" }
            if same { html += "<br><small>same value, sent again</small>" }
            html += "</td>"
            if row.isText, let live = row.live, !same {
                let diff = WordDiff(old: live, new: row.new)
                html += "<td class=\"live text\">" + marked(diff.old, tag: "del") + "</td><td class=\"new text\">" + marked(diff.new, tag: "ins") + "</td>"
            } else {
                html += "<td class=\"live\(row.isText ? " text" : "")\">"
                html += row.live.map { $0.isEmpty ? "" : HTMLReport.escape($0) } ?? ""
                if row.live == nil { html += "<span class=\"none\">\(row.field == "score" ? "(unscored)" : "(empty)")</span>" }
                html += "</td><td class=\"new\(row.isText ? " text" : "")\">"
                html += row.isText && !same && row.live == nil && !row.new.isEmpty ? "<ins>\(HTMLReport.escape(row.new))</ins>" : HTMLReport.escape(row.new)
                html += "</td>"
            }
            html += "</tr>\n"
        }
        html += "</tbody></table>\n"
        if !write.notRestorable.isEmpty {
            html += "<p class=\"undo-note\"><b>The undo file cannot put back:</b> "
            html += write.notRestorable.map { value in
                let was = value.was == "(empty)" ? "empty" : value.was == "(unscored)" ? "unscored" : value.was
                return HTMLReport.escape("\(value.label) (was \(was))")
            }.joined(separator: "; ")
            html += "</p>\n"
        }
        html += "</article>\n"
        return html
    }

    /// The pieces of one side, the changed ones in `<del>` or `<ins>`.
    private static func marked(_ pieces: [WordDiff.Piece], tag: String) -> String {
        var html = ""
        for piece in pieces {
            let text = HTMLReport.escape(String(piece.text))
            html += piece.changed ? "<\(tag)>\(text)</\(tag)>" : text
        }
        return html
    }

    /// The table's styles, on screen and in print (highlights kept when printed).
    static let style = """
        table.changes{width:100%;table-layout:fixed;border-collapse:collapse}table.changes th{background:#f0f0f0;border-bottom:1px solid #bbb;text-align:left}\
        table.changes th:nth-child(1){width:16%}table.changes th:nth-child(2){width:18%}table.changes th:nth-child(3){width:14%}\
        table.changes td{border-bottom:1px solid #e4e4e4;overflow-wrap:break-word;padding:3px 8px;vertical-align:top}td.text{white-space:pre-wrap}\
        tr.same td{color:#777}del{background:#fdd;color:#900;text-decoration:line-through}ins{background:#dfd;color:#060;text-decoration:none}\
        .none{color:#888;font-style:italic}small{color:#666}.meta{margin:0;color:#444;font-size:13px}\
        article.assessment{margin:10px 0 18px;break-inside:avoid-page}.undo-note{font-size:13px;background:#fff3dc;padding:4px 8px;margin:4px 0}\
        @media print{table.changes{font-size:9.5pt}table.changes th:nth-child(1){width:12%}table.changes th:nth-child(2){width:14%}\
        table.changes th:nth-child(3){width:12%}table.changes tr{break-inside:avoid}table.changes thead{display:table-header-group}\
        del,ins,.undo-note{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
        """
}
