import Foundation

/// Counts over all assessments of a run; `assessments` = applied + unchanged + failed + notAttempted.
public struct RunCounts: Sendable, Equatable {
    public var rows = 0
    public var assessments = 0
    public var applied = 0
    public var unchanged = 0
    public var failed = 0
    public var failedByKind: [ErrorKind: Int] = [:]
    public var notAttempted = 0

    public init(rows: Int, outcomes: [AssessmentOutcome]) {
        self.rows = rows
        assessments = outcomes.count
        for outcome in outcomes {
            switch outcome.status {
            case .applied: applied += 1
            case .unchanged: unchanged += 1
            case .notAttempted: notAttempted += 1
            case .failed:
                failed += 1
                failedByKind[outcome.errorKind ?? .transient, default: 0] += 1
            }
        }
    }
}

/// Everything `report.json` records about one run.
public struct RunReport: Sendable {
    public var command: String
    public var startedAt: Date
    public var finishedAt: Date
    public var baseURL: String?
    public var inputs: [InputDescription]
    /// Options as given (never the token).
    public var options: JSONObject
    public var outcomes: [AssessmentOutcome]
    public var statistics: HTTPStatistics.Snapshot
    public var failuresFiles: [FailuresFile]
    public var abortReason: AbortReason?
    public var exitStatus: ExitStatus
    /// Values the undo file cannot put back; nil when none were found.
    public var unrestorable: UnrestorableLog?
    /// Files of the run that could not be written, each as `cannot … PATH: reason`; any makes
    /// the exit status 3 (see ``noteFileNotWritten(_:)``).
    public var filesNotWritten: [String] = []

    /// What the undo file cannot put back, counted by field and reason.
    public var unrestorableSummary: UnrestorableSummary {
        unrestorable?.summary ?? UnrestorableSummary(assessments: 0, counts: [:])
    }

    public var counts: RunCounts { RunCounts(rows: inputs.reduce(0) { $0 + $1.rows }, outcomes: outcomes) }

    /// The report as JSON up to `notRestorable` and the long list `outcomes`, which follow as
    /// its last members; keys in a stable order.
    private var jsonWithoutLists: JSONValue {
        var root = JSONObject()
        root.append("tool", .string("assessment-batch"))
        root.append("version", .string(toolVersion))
        root.append("command", .string(command))
        root.append("startedAt", .string(Self.format(startedAt)))
        root.append("finishedAt", .string(Self.format(finishedAt)))
        root.append("durationSeconds", .number(String(format: "%.3f", finishedAt.timeIntervalSince(startedAt))))
        root.append("exitCode", .number(String(exitStatus.rawValue)))
        root.append("abortReason", abortReason.map { .string($0.description) } ?? .null)
        if !filesNotWritten.isEmpty { root.append("filesNotWritten", .array(filesNotWritten.map { .string($0) })) }
        if let baseURL { root.append("baseURL", .string(baseURL)) }
        root.append("inputs", inputsJSON)
        root.append("options", .object(options))
        let counts = counts
        var countObject = JSONObject()
        countObject.append("rows", .number(String(counts.rows)))
        countObject.append("assessments", .number(String(counts.assessments)))
        countObject.append("applied", .number(String(counts.applied)))
        countObject.append("unchanged", .number(String(counts.unchanged)))
        countObject.append("failed", .number(String(counts.failed)))
        var byKind = JSONObject()
        for kind in ErrorKind.allCases { if let count = counts.failedByKind[kind] { byKind.append(kind.rawValue, .number(String(count))) } }
        countObject.append("failedByKind", .object(byKind))
        countObject.append("notAttempted", .number(String(counts.notAttempted)))
        root.append("counts", .object(countObject))
        var http = JSONObject()
        http.append("requests", .number(String(statistics.requests)))
        http.append("retries", .number(String(statistics.retries)))
        var statuses = JSONObject()
        for key in statistics.statusCounts.keys.sorted() { statuses.append(key, .number(String(statistics.statusCounts[key] ?? 0))) }
        http.append("statusCounts", .object(statuses))
        http.append("newConnections", .number(String(statistics.newConnections)))
        var latency = JSONObject()
        let percentiles = statistics.latencyPercentiles([0.5, 0.95, 0.99])
        for (name, value) in zip(["p50", "p95", "p99"], percentiles) {
            latency.append(name, value.map { .number(String(format: "%.1f", $0)) } ?? .null)
        }
        http.append("latencyMs", .object(latency))
        root.append("http", .object(http))
        root.append("failuresFiles", .array(failuresFiles.map { file in
            var object = JSONObject()
            object.append("path", .string(file.path))
            object.append("input", .string(file.input))
            object.append("rows", .number(String(file.rows)))
            return .object(object)
        }))
        return .object(root)
    }

    /// The inputs with format, delimiter, SHA-256 and rows (also written into `plan.json`).
    var inputsJSON: JSONValue {
        .array(inputs.map { input in
            var object = JSONObject()
            object.append("path", .string(input.path))
            object.append("format", .string(input.format.rawValue))
            if input.format != .jsonl { object.append("delimiter", .string(String(UnicodeScalar(input.delimiter)))) }
            object.append("encoding", .string(input.encoding.name))
            object.append("sha256", .string(input.sha256))
            object.append("rows", .number(String(input.rows)))
            return .object(object)
        })
    }

    /// Writes `report.json` into `directory` atomically, mode 0600, streamed: pretty, with its
    /// outcomes one compact line each, flushed as they are written rather than built whole in
    /// memory. What the undo file cannot restore is summarised there and detailed in
    /// `not-restorable.jsonl`, which ``UnrestorableLog/write(to:keeping:)`` wrote first.
    public func write(to directory: String) throws -> String {
        let path = "\(directory)/report.json"
        let file = try OutputFile(path: path)
        var json = JSONStreamWriter(pretty: true, capacity: 1 << 16)
        json.beginObject()
        if case .object(let head) = jsonWithoutLists {
            for member in head.members {
                json.key(member.key)
                json.value(member.value)
            }
        }
        json.key("notRestorable")
        json.value(unrestorableSummary.json(file: unrestorable?.path))
        json.key("outcomes")
        json.beginArray()
        // One line per outcome, compact: a pretty outcome spends a line per source line, which
        // for 20 criteria per assessment doubles the report.
        var line = JSONStreamWriter(capacity: 256)
        let sources: OutcomeRecord.Sources = inputs.count > 1 ? .linesAndInputs(inputs.map(\.path)) : .lines
        for outcome in outcomes {
            OutcomeRecord.encode(outcome, sources: sources, into: &line)
            json.prerendered(line.bytes)
            line.bytes.removeAll(keepingCapacity: true)
            if json.bytes.count >= 1 << 16 { try file.write(json.takeBytes()) }
        }
        json.endArray()
        try file.commit(closing: &json)
        return path
    }

    /// RFC 3339 in UTC with milliseconds.
    static func format(_ date: Date) -> String {
        Timestamp(date).description
    }
}
