import StrictJSON

/// Each assessment's `plan.json` entry and diff lines, rendered as preflight decides and held
/// on disk until the run ends: a plan of a big file lists every change of every criterion
/// (hundreds of megabytes for a million rows), which memory should not have to hold.
public final class RenderedPlan: Sendable {
    private let elements: IndexedSpool
    private let diffs: IndexedSpool
    private let inputs: [String]

    /// - Parameters:
    ///   - count: how many assessments the plan has.
    ///   - inputs: the input paths, which name rows when there are several.
    init(directory: String, count: Int, inputs: [String]) throws(FileError) {
        elements = try IndexedSpool(directory: directory, name: ".plan-spool", count: count)
        diffs = try IndexedSpool(directory: directory, name: ".plan-diff-spool", count: count)
        self.inputs = inputs
    }

    /// Renders and stores the entry of the assessment with index `index`.
    func store(_ update: AssessmentUpdate, _ verdict: PreflightVerdict, write: PlannedWrite?, at index: Int) throws(FileError) {
        try elements.store(PlanFile.rendered(PlanFile.element(update, verdict, write: write)), at: index)
        try diffs.store(Array(PlanFile.diffText(update, verdict, inputs: inputs).utf8), at: index)
    }

    /// The stored entry at `index`, or one rendered now (an assessment the run never reached).
    fileprivate func element(at index: Int, of entry: PlannedAssessment) throws -> [UInt8] {
        try elements.piece(at: index) ?? PlanFile.rendered(PlanFile.element(entry.update, entry.verdict))
    }

    fileprivate func diff(at index: Int, of entry: PlannedAssessment) throws -> [UInt8] {
        try diffs.piece(at: index) ?? Array(PlanFile.diffText(entry.update, entry.verdict, inputs: inputs).utf8)
    }
}

/// `plan.json` and the human-readable diff of a `plan` run.
public enum PlanFile {
    /// Writes `plan-rows.jsonl` (the input rows `apply --plan` may need for its failures file)
    /// and `plan.json` into `directory`, its entries streamed from `rendered`, sealed with its
    /// SHA-256 (see ``PlanDigest``); returns its path and digest.
    static func write(plan: [PlannedAssessment], rendered: RenderedPlan, invalid: [InvalidAssessment], report: RunReport,
                      preflightOptions: PreflightOptions, to directory: String) throws -> (path: String, digest: String) {
        var root = JSONObject()
        root.append("tool", .string("assessment-batch"))
        root.append("version", .string(toolVersion))
        root.append("command", .string("plan"))
        root.append("createdAt", .string(RunReport.format(report.finishedAt)))
        if let baseURL = report.baseURL { root.append("baseURL", .string(baseURL)) }
        root.append("inputs", SavedPlan.inputsJSON(report.inputs))
        var preflight = JSONObject()
        preflight.append("force", .bool(preflightOptions.force))
        preflight.append("allowStateRegression", .bool(preflightOptions.allowStateRegression))
        root.append("preflightOptions", .object(preflight))
        let summary = summarize(plan, invalid: invalid.count)
        var summaryObject = JSONObject()
        for (key, value) in summary { summaryObject.append(key, .number(String(value))) }
        root.append("summary", .object(summaryObject))
        // Rows of every assessment but the unchanged ones: any of them may end in a failures file.
        var locations = Set<SourceLocation>()
        for entry in plan {
            if case .unchanged? = entry.verdict { continue }
            locations.formUnion(entry.update.sources)
        }
        for entry in invalid { locations.formUnion(entry.sources) }
        let rows = try PlanSourceRows.write(inputs: report.inputs, locations: locations, directory: directory)
        var rowsObject = JSONObject()
        rowsObject.append("file", .string(PlanSourceRows.fileName))
        rowsObject.append("sha256", .string(rows.sha256))
        rowsObject.append("rows", .number(String(rows.rows)))
        root.append("sourceRows", .object(rowsObject))
        root.append("invalid", .array(invalid.map { entry in
            var object = JSONObject()
            object.append("assessmentId", entry.assessmentId.map { .number(String($0)) } ?? .null)
            object.append("sourceLines", .array(entry.sources.map { .number(String($0.line)) }))
            object.append("sources", .array(entry.sources.map { .array([.number(String($0.input)), .number(String($0.line))]) }))
            object.append("error", .string(entry.message))
            return .object(object)
        }))
        let path = "\(directory)/plan.json"
        let file = try SealedOutputFile(path: path)
        var json = JSONStreamWriter(pretty: true, capacity: 1 << 16)
        json.beginObject()
        for member in root.members {
            json.key(member.key)
            json.value(member.value)
        }
        json.key("assessments")
        json.beginArray()
        for (index, entry) in plan.enumerated() {
            json.prerendered(try rendered.element(at: index, of: entry))
            if json.bytes.count >= 1 << 16 { try file.write(json.takeBytes()) }
        }
        json.endArray()
        return (path, try file.commit(closing: &json))
    }

    /// An entry's pretty text as it stands in `plan.json`'s `assessments` array (two levels
    /// deep), to be spliced there by ``JSONStreamWriter/prerendered(_:)``.
    static func rendered(_ entry: JSONValue) -> [UInt8] {
        var json = JSONStreamWriter(pretty: true, baseDepth: 2)
        json.value(entry)
        return json.bytes
    }

    /// Hands the per-assessment diff to `write` piece by piece, in input order.
    public static func writeDiff(_ plan: [PlannedAssessment], rendered: RenderedPlan, to write: ([UInt8]) throws -> Void) throws {
        for (index, entry) in plan.enumerated() {
            try write(try rendered.diff(at: index, of: entry))
        }
    }

    /// One assessment's entry in `plan.json`.
    static func element(_ update: AssessmentUpdate, _ verdict: PreflightVerdict?, write: PlannedWrite? = nil) -> JSONValue {
        var object = JSONObject()
        object.append("assessmentId", .number(String(update.assessmentId)))
        object.append("sourceLines", .array(update.sources.map { .number(String($0.line)) }))
        // [input, line]: which input each row is in, for `apply --plan` (sourceLines predates it).
        object.append("sources", .array(update.sources.map { .array([.number(String($0.input)), .number(String($0.line))]) }))
        switch verdict {
        case .write(let changes, _, let unrestorable)?:
            object.append("action", .string("write"))
            object.append("changes", .array(changes.map { change in
                var item = JSONObject()
                item.append("field", .string(change.field))
                item.append("old", .string(change.old))
                item.append("new", .string(change.new))
                return .object(item)
            }))
            object.append("notRestorable", .array(unrestorable.map { .string($0.field) }))
            write?.appendMembers(to: &object)
        case .unchanged?:
            object.append("action", .string("unchanged"))
        case .failed(let kind, let message, _)?:
            object.append("action", .string("skip"))
            object.append("errorKind", .string(kind.rawValue))
            object.append("error", .string(message))
        case nil:
            object.append("action", .string("notInspected"))
        }
        return .object(object)
    }

    /// Counts per decision: `toWrite`, `unchanged`, `rejected`, `conflicts`, `invalid`, `transient`, `notInspected`.
    public static func summarize(_ plan: [PlannedAssessment], invalid: Int) -> [(String, Int)] {
        var toWrite = 0, unchanged = 0, rejected = 0, conflicts = 0, invalidCount = invalid, transient = 0, notInspected = 0
        for entry in plan {
            switch entry.verdict {
            case .write?: toWrite += 1
            case .unchanged?: unchanged += 1
            case .failed(.conflict, _, _)?: conflicts += 1
            case .failed(.invalid, _, _)?: invalidCount += 1
            case .failed(.transient, _, _)?: transient += 1
            case .failed?: rejected += 1
            case nil: notInspected += 1
            }
        }
        return [("toWrite", toWrite), ("unchanged", unchanged), ("rejected", rejected), ("conflicts", conflicts),
                ("invalid", invalidCount), ("transient", transient), ("notInspected", notInspected)]
    }

    /// One assessment's lines of the diff printed on stdout; rows are named by line, or by
    /// `file:line` when several inputs were read.
    static func diffText(_ update: AssessmentUpdate, _ verdict: PreflightVerdict?, inputs: [String]) -> String {
        // "line 3", "lines 2, 4", or with several inputs "a.csv lines 2, 4; b.jsonl line 1".
        var places: [String] = []
        for input in Set(update.sources.map(\.input)).sorted() {
            let lines = update.sources.filter { $0.input == input }.map { String($0.line) }
            let name = inputs.count > 1 ? "\(inputs[input].split(separator: "/").last ?? "") " : ""
            places.append("\(name)line\(lines.count == 1 ? "" : "s") \(lines.joined(separator: ", "))")
        }
        let head = "assessment \(update.assessmentId) (\(places.joined(separator: "; ")))"
        var text = ""
        switch verdict {
        case .write(let changes, _, let unrestorable)?:
            text += "\(head): write\n"
            for change in changes { text += "  \(change.field): \(change.old) → \(change.new)\n" }
            if changes.isEmpty { text += "  (values already hold; --force re-sends them)\n" }
            for value in unrestorable { text += "  note: \(value.field) cannot be restored by the undo file (was \(value.value))\n" }
        case .unchanged?:
            text += "\(head): unchanged\n"
        case .failed(let kind, let message, _)?:
            text += "\(head): \(kind.rawValue): \(message)\n"
        case nil:
            text += "\(head): not inspected (the run stopped)\n"
        }
        return text
    }
}
