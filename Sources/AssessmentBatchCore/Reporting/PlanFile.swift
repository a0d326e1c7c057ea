/// `plan.json` and the human-readable diff of a `plan` run.
public enum PlanFile {
    /// Writes `plan.json` into `directory`; returns its path.
    static func write(plan: [PlannedAssessment], invalid: [InvalidAssessment], report: RunReport, to directory: String) throws -> String {
        var root = JSONObject()
        root.append("tool", .string("assessment-batch"))
        root.append("version", .string(toolVersion))
        root.append("command", .string("plan"))
        root.append("createdAt", .string(RunReport.format(report.finishedAt)))
        if let baseURL = report.baseURL { root.append("baseURL", .string(baseURL)) }
        root.append("inputs", report.inputsJSON)
        let summary = summarize(plan, invalid: invalid.count)
        var summaryObject = JSONObject()
        for (key, value) in summary { summaryObject.append(key, .number(String(value))) }
        root.append("summary", .object(summaryObject))
        root.append("assessments", .array(plan.map { entry in
            var object = JSONObject()
            object.append("assessmentId", .number(String(entry.update.assessmentId)))
            object.append("sourceLines", .array(entry.update.sources.map { .number(String($0.line)) }))
            switch entry.verdict {
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
        }))
        root.append("invalid", .array(invalid.map { entry in
            var object = JSONObject()
            object.append("assessmentId", entry.assessmentId.map { .number(String($0)) } ?? .null)
            object.append("sourceLines", .array(entry.sources.map { .number(String($0.line)) }))
            object.append("error", .string(entry.message))
            return .object(object)
        }))
        let path = "\(directory)/plan.json"
        var bytes: [UInt8] = []
        JSONWriter.write(.object(root), pretty: true, into: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        try writeFileAtomically(path, bytes)
        return path
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

    /// The per-assessment diff printed on stdout; rows are named by line, or by `file:line`
    /// when several inputs were read.
    public static func diff(_ plan: [PlannedAssessment], inputs: [String] = []) -> String {
        var text = ""
        for entry in plan {
            let head: String
            // "line 3", "lines 2, 4", or with several inputs "a.csv lines 2, 4; b.jsonl line 1".
            var places: [String] = []
            for input in Set(entry.update.sources.map(\.input)).sorted() {
                let lines = entry.update.sources.filter { $0.input == input }.map { String($0.line) }
                let name = inputs.count > 1 ? "\(inputs[input].split(separator: "/").last ?? "") " : ""
                places.append("\(name)line\(lines.count == 1 ? "" : "s") \(lines.joined(separator: ", "))")
            }
            head = "assessment \(entry.update.assessmentId) (\(places.joined(separator: "; ")))"
            switch entry.verdict {
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
        }
        return text
    }
}
