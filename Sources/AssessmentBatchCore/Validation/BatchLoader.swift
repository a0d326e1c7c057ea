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

    public init(format: InputFormat? = nil, delimiter: UInt8? = nil, zone: Timestamp.Zone? = nil,
                scorecards: ScorecardCatalog? = nil, limits: InputLimits = InputLimits()) {
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
    public var sources: [SourceLocation]
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

/// Reads input files, decodes and checks every row, and groups rows by assessment.
public final class BatchLoader {
    private let options: LoadOptions
    private var inputs: [InputDescription] = []
    /// Problems with where they were found, sorted when loading finishes.
    private var located: [(SourceLocation, Diagnostic)] = []
    private var filesWithErrors: Set<Int> = []
    /// Header positions without a name in the CSV being read (Excel's trailing delimiters).
    private var unnamedColumns: Set<Int> = []
    private var accumulators: [Accumulator] = []
    private var indexById: [Int: Int] = [:]
    /// Criterion texts seen so far: identical reasons share one string (calibration files
    /// repeat them a lot). Bounded, so a file of unique texts does not pay for a huge pool.
    private var textPool = Set<String>()
    private static let textPoolLimit = 100_000
    /// Criteria of the last assessment created: new ones reserve that much room up front, so
    /// their arrays do not end up with doubling slack.
    private var criteriaHint = 0
    /// Rows whose assessment id is unknown, kept apart.
    private var orphanRows: [(SourceLocation, String)] = []
    private let decoder: RowDecoder

    public init(options: LoadOptions = LoadOptions()) {
        self.options = options
        self.decoder = RowDecoder(zone: options.zone)
    }

    /// Reads and checks `paths`; all problems end up in the result, none are thrown.
    public static func load(_ paths: [String], options: LoadOptions = LoadOptions()) -> LoadedBatch {
        let loader = BatchLoader(options: options)
        for path in paths { loader.read(path) }
        return loader.finish()
    }

    // MARK: - Reading

    private func read(_ path: String) {
        let inputIndex = inputs.count
        guard let format = options.format ?? InputFormat(path: path) else {
            inputs.append(InputDescription(path: path, format: .csv))
            fileError(inputIndex, 0, "cannot tell the format from the file name: use .csv, .tsv, .jsonl or .ndjson, or pass --format")
            return
        }
        inputs.append(InputDescription(path: path, format: format))
        let reader: ChunkedFileReader
        do {
            reader = try ChunkedFileReader(path: path)
        } catch {
            fileError(inputIndex, 0, "\(error)")
            return
        }
        var digest = SHA256()
        do {
            switch format {
            case .csv, .tsv:
                try readCSV(reader, inputIndex: inputIndex, digest: &digest)
            case .jsonl:
                try readJSONL(reader, inputIndex: inputIndex, digest: &digest)
            }
        } catch is StopReading {
            // the header's problems are already recorded
        } catch let error as InputSyntaxError {
            fileError(inputIndex, error.line, error.message)
        } catch {
            fileError(inputIndex, 0, "\(error)")
        }
        inputs[inputIndex].sha256 = digest.finalizeHex()
        if !hasFileErrors(inputIndex) && inputs[inputIndex].rows == 0 {
            fileError(inputIndex, 0, format == .jsonl ? "the file has no rows" : "the file has no data rows (a header and at least one row are required)")
        }
    }

    private func readCSV(_ reader: ChunkedFileReader, inputIndex: Int, digest: inout SHA256) throws {
        let path = inputs[inputIndex].path
        let prefix = try readPrefix(path: path, count: 64 << 10)
        prefix.withUnsafeBytes { describeStart(of: $0, inputIndex: inputIndex) }
        let delimiter = options.delimiter
            ?? (inputs[inputIndex].format == .tsv ? UInt8(ascii: "\t") : prefix.withUnsafeBytes { CSVParser.detectDelimiter(in: $0) })
        inputs[inputIndex].delimiter = delimiter
        var parser = CSVParser(delimiter: delimiter, limits: options.limits)
        var columns: [Column?]? = nil
        try reader.forEachChunk { chunk in
            digest.update(chunk)
            try parser.consume(chunk) { record in
                try handleCSVRecord(record, columns: &columns, inputIndex: inputIndex)
            }
        }
        try parser.finish { record in
            try handleCSVRecord(record, columns: &columns, inputIndex: inputIndex)
        }
    }

    /// Notes the byte order mark and the line ending from the file's first bytes.
    private func describeStart(of chunk: UnsafeRawBufferPointer, inputIndex: Int) {
        inputs[inputIndex].hasByteOrderMark = chunk.count >= 3 && chunk[0] == 0xEF && chunk[1] == 0xBB && chunk[2] == 0xBF
        if let newline = chunk.firstIndex(of: UInt8(ascii: "\n")), newline > 0, chunk[newline - 1] == UInt8(ascii: "\r") {
            inputs[inputIndex].lineEnding = "\r\n"
        }
    }

    private func handleCSVRecord(_ record: borrowing CSVRecord, columns: inout [Column?]?, inputIndex: Int) throws {
        guard let known = columns else {
            columns = try readHeader(record, inputIndex: inputIndex)
            return
        }
        inputs[inputIndex].rows += 1
        var row = DecodedRow(location: SourceLocation(input: inputIndex, line: record.line))
        var criterion = RowDecoder.PendingCriterion()
        var assessmentIdGiven = false
        for index in 0..<record.count {
            if index >= known.count {
                if !record.isEmpty(index) {
                    row.problems.append("field \(index + 1) has a value but the header has only \(known.count) columns")
                }
                continue
            }
            guard !record.isEmpty(index) else { continue }
            guard let column = known[index] else {
                if unnamedColumns.contains(index) {
                    row.problems.append("field \(index + 1) has a value but its column has no name in the header")
                }
                continue
            }
            if column == .assessmentId { assessmentIdGiven = true }
            decoder.set(column, .text(record.string(index)), row: &row, criterion: &criterion)
        }
        decoder.finishCriterion(criterion, row: &row)
        decoder.finish(&row, assessmentIdGiven: assessmentIdGiven)
        add(row)
    }

    /// Maps header fields to columns; any problem makes the whole file unusable.
    private func readHeader(_ record: borrowing CSVRecord, inputIndex: Int) throws -> [Column?] {
        var columns: [Column?] = []
        var header: [String] = []
        unnamedColumns = []
        var seen: [Column: Int] = [:]
        for index in 0..<record.count {
            let name = record.string(index)
            header.append(name)
            if name.trimmingWhitespace().isEmpty {
                columns.append(nil)  // an unnamed column; a value under it is reported per row
                unnamedColumns.insert(index)
                continue
            }
            guard let column = Column(header: name) else {
                fileError(inputIndex, record.line, "unknown column \"\(name)\" (did you mean \"\(Column.closest(to: name).rawValue)\"?)")
                columns.append(nil)
                continue
            }
            if let first = seen[column] {
                fileError(inputIndex, record.line, "column \"\(name)\" appears twice (columns \(first + 1) and \(index + 1))")
            }
            seen[column] = index
            columns.append(column)
        }
        inputs[inputIndex].header = header
        if seen[.assessmentId] == nil {
            fileError(inputIndex, record.line, "the header has no assessmentId column")
        }
        if hasFileErrors(inputIndex) { throw StopReading() }
        return columns.map { $0.map { Column.written.contains($0) ? nil : $0 } ?? nil }
    }

    private func readJSONL(_ reader: ChunkedFileReader, inputIndex: Int, digest: inout SHA256) throws {
        var splitter = LineSplitter(limits: options.limits)
        var startDescribed = false
        try reader.forEachChunk { chunk in
            digest.update(chunk)
            if inputs[inputIndex].rows == 0 && !startDescribed {
                describeStart(of: chunk, inputIndex: inputIndex)
                startDescribed = true
            }
            try splitter.consume(chunk) { line, number in handleJSONLine(line, number: number, inputIndex: inputIndex) }
        }
        try splitter.finish { line, number in handleJSONLine(line, number: number, inputIndex: inputIndex) }
    }

    private func handleJSONLine(_ line: UnsafeRawBufferPointer, number: Int, inputIndex: Int) {
        inputs[inputIndex].rows += 1
        var row = DecodedRow(location: SourceLocation(input: inputIndex, line: number))
        let value: JSONValue
        do {
            value = try JSONParser.parse(line, maxDepth: options.limits.maxJSONDepth, maxStringBytes: options.limits.maxFieldBytes)
        } catch {
            row.problems.append("invalid JSON: \(error.message) at column \(error.column)")
            add(row)
            return
        }
        guard let object = value.objectValue else {
            row.problems.append("each line must be a JSON object")
            add(row)
            return
        }
        decodeJSONObject(object, into: &row)
        add(row)
    }

    /// Decodes a flat row or a PATCH-shaped update with `criteria`.
    private func decodeJSONObject(_ object: JSONObject, into row: inout DecodedRow) {
        var criterion = RowDecoder.PendingCriterion()
        var assessmentIdGiven = false
        var nestedCriteria: JSONValue?
        for (key, value) in object.members {
            if key.lowercased() == "criteria" {
                nestedCriteria = value
                continue
            }
            guard let column = Column(header: key) else {
                row.problems.append("unknown key \"\(key)\" (did you mean \"\(Column.closest(to: key).rawValue)\"?)")
                continue
            }
            guard let raw = rawValue(value) else { continue }
            if column == .assessmentId { assessmentIdGiven = true }
            decoder.set(column, raw, row: &row, criterion: &criterion)
        }
        if let nestedCriteria {
            if !criterion.named.isEmpty {
                row.problems.append("a line holds either flat criterion keys (categoryId, criterionId, score, reason) or a criteria array, not both")
            } else if case .null = nestedCriteria {
            } else if let items = nestedCriteria.arrayValue {
                for (position, item) in items.enumerated() {
                    decodeCriterionItem(item, position: position, into: &row)
                }
            } else {
                row.problems.append("criteria must be an array of objects")
            }
        } else {
            decoder.finishCriterion(criterion, row: &row)
        }
        decoder.finish(&row, assessmentIdGiven: assessmentIdGiven)
    }

    private func decodeCriterionItem(_ item: JSONValue, position: Int, into row: inout DecodedRow) {
        let context = "criteria[\(position)]: "
        guard let object = item.objectValue else {
            row.problems.append("\(context)must be an object with categoryId, criterionId, score and/or reason")
            return
        }
        var criterion = RowDecoder.PendingCriterion()
        for (key, value) in object.members {
            guard let column = Column(header: key), [.categoryId, .criterionId, .score, .reason].contains(column) else {
                let closest = ["categoryId", "criterionId", "score", "reason"].min {
                    editDistance(Array(key.lowercased().utf8), Array($0.lowercased().utf8))
                        < editDistance(Array(key.lowercased().utf8), Array($1.lowercased().utf8))
                } ?? "score"
                row.problems.append("\(context)unknown key \"\(key)\" (did you mean \"\(closest)\"?)")
                continue
            }
            guard let raw = rawValue(value) else { continue }
            var scratch = row
            scratch.problems = []
            decoder.set(column, raw, row: &scratch, criterion: &criterion)
            row.problems.append(contentsOf: scratch.problems.map { context + $0 })
        }
        if criterion.named.isEmpty {
            row.problems.append("\(context)a criterion needs categoryId, criterionId and a score or a reason")
            return
        }
        decoder.finishCriterion(criterion, row: &row, context: context)
    }

    /// nil for JSON null (the key is treated as absent).
    private func rawValue(_ value: JSONValue) -> RawValue? {
        switch value {
        case .null: return nil
        case .string(let text): return .text(text)
        case .number(let text): return .number(text)
        case .bool(let flag): return .other(flag ? "true" : "false")
        case .array: return .other("an array")
        case .object: return .other("an object")
        }
    }

    // MARK: - Grouping

    /// One assessment's rows, merged as they arrive.
    private struct Accumulator {
        var update: AssessmentUpdate
        /// Where each assessment-level value was first set.
        var fieldSources: [Column: SourceLocation] = [:]
        /// Where each criterion of `update.criteria` was first set.
        var criterionSources: [SourceLocation] = []
        /// The first row problem of this assessment.
        var firstProblem: (SourceLocation, String)?
    }

    private func add(_ row: DecodedRow) {
        var problems = row.problems
        guard let assessmentId = row.assessmentId else {
            record(problems, at: row.location)
            orphanRows.append((row.location, problems.first ?? "assessmentId is missing"))
            return
        }
        let index: Int
        if let existing = indexById[assessmentId] {
            index = existing
        } else {
            index = accumulators.count
            indexById[assessmentId] = index
            if let last = accumulators.last { criteriaHint = last.update.criteria.count }
            var accumulator = Accumulator(update: AssessmentUpdate(assessmentId: assessmentId))
            accumulator.update.criteria.reserveCapacity(criteriaHint)
            accumulator.update.sources.reserveCapacity(max(1, criteriaHint))
            accumulator.criterionSources.reserveCapacity(criteriaHint)
            accumulators.append(accumulator)
        }
        if problems.isEmpty {
            merge(row, into: &accumulators[index], problems: &problems)
        }
        accumulators[index].update.sources.append(row.location)
        if !problems.isEmpty {
            record(problems, at: row.location)
            if accumulators[index].firstProblem == nil { accumulators[index].firstProblem = (row.location, problems[0]) }
        }
    }

    /// Adds a row's values to its assessment, or only reports why they do not fit: a row with
    /// a problem changes nothing. The arrays are appended in place (a copy per row would cost
    /// an allocation per row).
    private func merge(_ row: DecodedRow, into accumulator: inout Accumulator, problems: inout [String]) {
        let id = accumulator.update.assessmentId
        var fields = accumulator.update.fields
        var firstSet: [Column] = []
        for column in row.setColumns {
            let agrees: Bool
            switch column {
            case .aiSummary: agrees = mergeValue(&fields.aiSummary, row.fields.aiSummary)
            case .supervisorAssessment: agrees = mergeValue(&fields.supervisorAssessment, row.fields.supervisorAssessment)
            case .assessmentDate: agrees = mergeValue(&fields.assessmentDate, row.fields.assessmentDate)
            case .discussionDate: agrees = mergeValue(&fields.discussionDate, row.fields.discussionDate)
            case .state: agrees = mergeValue(&fields.state, row.fields.state)
            case .scorecardId: agrees = mergeValue(&fields.scorecardId, row.fields.scorecardId)
            case .expectedModifiedAt: agrees = mergeValue(&fields.expectedModifiedAt, row.fields.expectedModifiedAt)
            default: agrees = true
            }
            if let earlier = accumulator.fieldSources[column] {
                if !agrees { problems.append("\(column.rawValue) for assessment \(id) differs from \(describe(earlier))") }
            } else {
                firstSet.append(column)
            }
        }
        for criterion in row.criteria {
            if let position = accumulator.update.criteria.firstIndex(where: { $0.key == criterion.key }),
               accumulator.update.criteria[position] != criterion {
                let earlier = describe(accumulator.criterionSources[position])
                problems.append("\(criterion.key) of assessment \(id) is already set differently on \(earlier)")
            }
        }
        guard problems.isEmpty else { return }
        accumulator.update.fields = fields
        for column in firstSet { accumulator.fieldSources[column] = row.location }
        for criterion in row.criteria where !accumulator.update.criteria.contains(where: { $0.key == criterion.key }) {
            var stored = criterion
            if let reason = criterion.reason { stored.reason = intern(reason) }
            accumulator.update.criteria.append(stored)
            accumulator.criterionSources.append(row.location)
        }
    }

    private func intern(_ text: String) -> String {
        if let shared = textPool.firstIndex(of: text) { return textPool[shared] }
        if textPool.count < Self.textPoolLimit { textPool.insert(text) }
        return text
    }

    private func mergeValue<Value: Equatable>(_ current: inout Value?, _ new: Value?) -> Bool {
        guard let new else { return true }
        if let current { return current == new }
        current = new
        return true
    }

    private func describe(_ location: SourceLocation) -> String {
        location.input == inputs.count - 1 || inputs.count == 1 ? "line \(location.line)" : "\(inputs[location.input].path):\(location.line)"
    }

    // MARK: - Finishing

    private func finish() -> LoadedBatch {
        if let catalog = options.scorecards { checkScorecards(catalog) }
        var updates: [AssessmentUpdate] = []
        var invalid: [InvalidAssessment] = []
        for accumulator in accumulators {
            if let (location, problem) = accumulator.firstProblem {
                let message = accumulator.update.sources.count > 1
                    ? "assessment \(accumulator.update.assessmentId) not sent: \(describe(location)): \(problem)"
                    : problem
                invalid.append(InvalidAssessment(assessmentId: accumulator.update.assessmentId, sources: accumulator.update.sources, message: message))
            } else {
                updates.append(accumulator.update)
            }
        }
        for (location, problem) in orphanRows {
            invalid.append(InvalidAssessment(assessmentId: nil, sources: [location], message: problem))
        }
        var rowProblems: [SourceLocation: String] = [:]
        for (location, diagnostic) in located where location.line > 0 && rowProblems[location] == nil {
            rowProblems[location] = diagnostic.message
        }
        let diagnostics = located.enumerated()
            .sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
            .map { $0.element.1 }
        return LoadedBatch(inputs: inputs, updates: updates, invalid: invalid, diagnostics: diagnostics, hasFileErrors: !filesWithErrors.isEmpty,
                           rowProblems: rowProblems)
    }

    private func checkScorecards(_ catalog: ScorecardCatalog) {
        for index in accumulators.indices where accumulators[index].firstProblem == nil {
            let update = accumulators[index].update
            guard let scorecardId = update.fields.scorecardId else { continue }
            guard let scorecard = catalog.scorecards[scorecardId] else {
                let location = accumulators[index].fieldSources[.scorecardId] ?? update.sources[0]
                let problem = "scorecard \(scorecardId) is not in the scorecards file"
                record([problem], at: location)
                accumulators[index].firstProblem = (location, problem)
                continue
            }
            for (position, criterion) in update.criteria.enumerated() {
                guard let problem = scorecard.problem(with: criterion) else { continue }
                let location = accumulators[index].criterionSources[position]
                record([problem], at: location)
                if accumulators[index].firstProblem == nil { accumulators[index].firstProblem = (location, problem) }
            }
        }
    }

    private func record(_ problems: [String], at location: SourceLocation) {
        for problem in problems {
            located.append((location, Diagnostic(file: inputs[location.input].path, line: location.line, message: problem)))
        }
    }

    private func fileError(_ inputIndex: Int, _ line: Int, _ message: String) {
        filesWithErrors.insert(inputIndex)
        located.append((SourceLocation(input: inputIndex, line: line), Diagnostic(file: inputs[inputIndex].path, line: line, message: message)))
    }

    private func hasFileErrors(_ inputIndex: Int) -> Bool {
        filesWithErrors.contains(inputIndex)
    }
}

/// Ends reading a file whose header is unusable; its problems are already recorded.
private struct StopReading: Error {}
