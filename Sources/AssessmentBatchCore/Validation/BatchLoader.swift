/// How input files are read and checked.
public struct LoadOptions: Sendable {
    /// Overrides detection by extension.
    public var format: InputFormat?
    /// Overrides delimiter detection for CSV.
    public var delimiter: UInt8?
    /// Zone for date-times written without an offset; without one they are rejected.
    public var zone: Timestamp.Zone?
    /// Scorecard revisions to check criteria and scores against, for rows with `scorecardId`.
    public var scorecards: ScorecardCatalog?
    public var limits: InputLimits
    /// The encoding of files without a byte order mark; nil reads UTF-8 (and says so when the
    /// bytes are not).
    public var encoding: EncodingOption?

    public init(format: InputFormat? = nil, delimiter: UInt8? = nil, zone: Timestamp.Zone? = nil,
                scorecards: ScorecardCatalog? = nil, limits: InputLimits = InputLimits(), encoding: EncodingOption? = nil) {
        self.encoding = encoding
        self.format = format
        self.delimiter = delimiter
        self.zone = zone
        self.scorecards = scorecards
        self.limits = limits
    }
}

/// An assessment that will not be sent because some of its rows are invalid.
public struct InvalidAssessment: Sendable {
    /// Nil when the rows did not name a usable assessment id.
    public var assessmentId: Int?
    public var sources: SourceList
    public var message: String
}

/// Every input read, checked and grouped into one update per assessment.
public struct LoadedBatch: Sendable {
    public var inputs: [InputDescription]
    /// Valid assessments, in order of first appearance.
    public var updates: [AssessmentUpdate]
    /// Assessments held back by invalid rows.
    public var invalid: [InvalidAssessment]
    /// Every problem, in file and line order.
    public var diagnostics: [Diagnostic]
    /// True when a file could not be read as a whole (unreadable, bad header, broken
    /// CSV quoting): such files cannot be partly applied, even with `--skip-invalid`.
    public var hasFileErrors: Bool
    /// Data rows read over all inputs.
    public var rows: Int { inputs.reduce(0) { $0 + $1.rows } }
    /// The first problem of each invalid row.
    public var rowProblems: [SourceLocation: String]
    /// The reason each row of an invalid assessment is not sent: its own first problem, or
    /// the problem of the row that holds its assessment back.
    public var invalidRows: [SourceLocation: RowFailure] {
        var failures: [SourceLocation: RowFailure] = [:]
        for assessment in invalid {
            for source in assessment.sources {
                failures[source] = RowFailure(kind: .invalid, message: rowProblems[source] ?? assessment.message)
            }
        }
        return failures
    }
    /// True when no row or file has a problem.
    public var isValid: Bool { diagnostics.isEmpty }
}

/// Loads input files: each file's format picks its row source (reading), every row is
/// decoded and checked on its own (`RowDecoder`), and the rows are grouped into one update per
/// assessment (`AssessmentGrouping`).
public enum BatchLoader {
    /// Reads and checks `paths`; all problems end up in the result, none are thrown.
    public static func load(_ paths: [String], options: LoadOptions = LoadOptions()) -> LoadedBatch {
        load(paths, options: options) { rowSource(for: $0, options: options) }
    }

    /// The row source that reads `format`: where a new format is plugged in.
    static func rowSource(for format: InputFormat, options: LoadOptions) -> any RowSource {
        switch format {
        case .csv, .tsv: CSVRowSource(delimiter: options.delimiter, encoding: options.encoding, limits: options.limits)
        case .jsonl: JSONLRowSource(encoding: options.encoding, limits: options.limits)
        case .xlsx: PendingWorkbookRowSource()  // replaced by the workbook reader (issue 20)
        }
    }

    /// Reads and checks `paths`, each with the row source `rowSource` gives for its format.
    static func load(_ paths: [String], options: LoadOptions, rowSource: (InputFormat) -> any RowSource) -> LoadedBatch {
        let log = DiagnosticLog()
        let grouping = AssessmentGrouping(log: log)
        let rows = RowSink(decoder: RowDecoder(zone: options.zone), grouping: grouping, log: log)
        var inputs: [InputDescription] = []
        for path in paths {
            rows.begin(input: log.open(path))
            guard let format = options.format ?? InputFormat(path: path) else {
                inputs.append(InputDescription(path: path, format: .csv))
                rows.fileProblem(line: 1, "cannot tell the format from the file name: use .csv, .tsv, .txt, .jsonl or .ndjson, or pass --format")
                continue
            }
            var input = InputDescription(path: path, format: format)
            read(&input, with: rowSource(format), into: rows)
            inputs.append(input)
        }
        // Every reason is in the pool now: the updates read theirs from one shared table.
        let (updates, invalid) = grouping.finish(reasons: rows.reasons(), scorecards: options.scorecards)
        return LoadedBatch(inputs: inputs, updates: updates, invalid: invalid, diagnostics: log.sorted(), hasFileErrors: log.hasAnyFileProblems,
                           rowProblems: log.rowProblems())
    }

    /// Reads one input with `source`; a readable file without data rows is a problem.
    private static func read(_ input: inout InputDescription, with source: any RowSource, into rows: RowSink) {
        var source = source
        source.read(&input, into: rows)
        input.rows = rows.rows
        if !rows.hasFileProblems && input.rows == 0 {
            rows.fileProblem(line: 1, type(of: source).noRowsMessage)
        }
    }
}
