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

/// Reads input files, decodes and checks every row, and groups rows by assessment.
///
/// Single-threaded; the properties touched per row opt out of run-time exclusivity checks,
/// which cost more than the work on a typical row (the compiler still checks them statically).
public final class BatchLoader {
    private let options: LoadOptions
    @exclusivity(unchecked) private var inputs: [InputDescription] = []
    /// Problems with where they were found, sorted when loading finishes.
    private var located: [(SourceLocation, Diagnostic)] = []
    private var filesWithErrors: Set<Int> = []
    /// Header positions without a name in the CSV being read (Excel's trailing delimiters).
    private var unnamedColumns: Set<Int> = []
    /// The `…Before` columns of the CSV being read: every row carries them.
    private var headerBefore = ColumnSet()
    /// One update per assessment, in order of first appearance, merged as rows arrive; kept
    /// apart from what only the checks need, so a valid batch is handed on without a copy.
    @exclusivity(unchecked) private var updates: [AssessmentUpdate] = []
    /// Which row first set each assessment-level value of each of `updates`.
    @exclusivity(unchecked) private var fieldSources: [FieldSources] = []
    /// The first problem of each assessment that has one, by index into `updates` (few have one).
    private var firstProblems: [Int: (SourceLocation, String)] = [:]
    @exclusivity(unchecked) private var indexById: [Int: Int] = [:]
    /// The assessment of the previous row: files usually keep an assessment's rows together.
    @exclusivity(unchecked) private var lastAssessment: (id: Int, index: Int)?
    /// Criteria of the last assessment created: new ones reserve that much room up front, so
    /// their arrays do not end up with doubling slack.
    private var criteriaHint = 0
    /// Rows whose assessment id is unknown, kept apart.
    private var orphanRows: [(SourceLocation, String)] = []
    @exclusivity(unchecked) private var decoder: RowDecoder
    /// The last row's storage, reused by `decodeRow`.
    @exclusivity(unchecked) private var spareRow = DecodedRow(location: SourceLocation(input: 0, line: 0))

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
            fileError(inputIndex, 1, "cannot tell the format from the file name: use .csv, .tsv, .txt, .jsonl or .ndjson, or pass --format")
            return
        }
        inputs.append(InputDescription(path: path, format: format))
        let reader: ChunkedFileReader
        let prefix: [UInt8]
        do {
            reader = try ChunkedFileReader(path: path)
            prefix = try readPrefix(path: path, count: 64 << 10)
        } catch {
            fileError(inputIndex, 0, "\(error)")
            return
        }
        switch EncodingDetection.resolve(prefix: prefix, option: options.encoding) {
        case .success(let (encoding, byteOrderMark)):
            inputs[inputIndex].encoding = encoding
            inputs[inputIndex].hasByteOrderMark = byteOrderMark
        case .failure(let problem):
            fileError(inputIndex, 1, problem.text)
            return
        }
        let text = Transcoder.decodedPrefix(prefix, encoding: inputs[inputIndex].encoding, byteOrderMark: inputs[inputIndex].hasByteOrderMark)
        describeStart(of: text, inputIndex: inputIndex)
        var digest = SHA256()
        do {
            switch format {
            case .csv, .tsv:
                try readCSV(reader, text: text, inputIndex: inputIndex, digest: &digest)
            case .jsonl:
                try readJSONL(reader, inputIndex: inputIndex, digest: &digest)
            case .xlsx:
                fileError(inputIndex, 1, "reading .xlsx needs the workbook reader")  // replaced by the reader (issue 20)
            }
        } catch is StopReading {
            // the header's problems are already recorded
        } catch let error as InputSyntaxError {
            fileError(inputIndex, error.line, message(for: error, inputIndex: inputIndex))
        } catch {
            fileError(inputIndex, 0, "\(error)")
        }
        inputs[inputIndex].sha256 = digest.finalizeHex()
        if !hasFileErrors(inputIndex) && inputs[inputIndex].rows == 0 {
            fileError(inputIndex, 1, format == .jsonl ? "the file has no rows" : "the file has no data rows (a header and at least one row are required)")
        }
    }

    /// What Excel's plain "CSV" on Windows writes, as a hint for bytes that are not UTF-8.
    static let windows1252Hint = "looks like Windows-1252 (Excel's \"CSV\" on Windows): save as \"CSV UTF-8\" or pass --encoding windows-1252"

    /// A reader's message, naming the column rather than the field number, and for bytes
    /// that are not UTF-8 in a file that reads as Windows-1252, saying so and what to do.
    private func message(for error: InputSyntaxError, inputIndex: Int) -> String {
        let input = inputs[inputIndex]
        var text = error.messageNaming(header: input.header)
        if error.isInvalidUTF8 && options.encoding == nil && EncodingDetection.looksLikeWindows1252(path: input.path) {
            text += "; the file \(Self.windows1252Hint)"
        }
        return text
    }

    private func readCSV(_ reader: ChunkedFileReader, text prefix: [UInt8], inputIndex: Int, digest: inout SHA256) throws {
        let delimiter = options.delimiter
            ?? (inputs[inputIndex].format == .tsv ? UInt8(ascii: "\t") : prefix.withUnsafeBytes { CSVParser.detectDelimiter(in: $0) })
        inputs[inputIndex].delimiter = delimiter
        var parser = CSVParser(delimiter: delimiter, limits: options.limits)
        var columns: [Column?]? = nil
        let input = inputs[inputIndex]
        do {
            try reader.forEachUTF8Chunk(encoding: input.encoding, byteOrderMark: input.hasByteOrderMark, hashingInto: &digest) { chunk in
                try parser.consume(chunk) { record in
                    try handleCSVRecord(record, columns: &columns, inputIndex: inputIndex)
                }
            }
        } catch let error as UndecodableText {
            throw InputSyntaxError(line: parser.currentLine, message: error.message)
        }
        try parser.finish { record in
            try handleCSVRecord(record, columns: &columns, inputIndex: inputIndex)
        }
    }

    /// Notes the line ending from the start of the file's text (a UTF-8 BOM is noted there too).
    private func describeStart(of text: [UInt8], inputIndex: Int) {
        if inputs[inputIndex].encoding == .utf8 {
            inputs[inputIndex].hasByteOrderMark = text.starts(with: [0xEF, 0xBB, 0xBF])
        }
        if let newline = text.firstIndex(of: UInt8(ascii: "\n")), newline > 0, text[newline - 1] == UInt8(ascii: "\r") {
            inputs[inputIndex].lineEnding = "\r\n"
        }
    }

    private func handleCSVRecord(_ record: borrowing CSVRecord, columns: inout [Column?]?, inputIndex: Int) throws {
        guard let known = columns else {
            columns = try readHeader(record, inputIndex: inputIndex)
            return
        }
        inputs[inputIndex].rows += 1
        decodeRow(at: SourceLocation(input: inputIndex, line: record.line)) { row in
            decodeCSVRecord(record, columns: known, into: &row)
        }
    }

    private func decodeCSVRecord(_ record: borrowing CSVRecord, columns known: [Column?], into row: inout DecodedRow) {
        var criterion = RowDecoder.PendingCriterion()
        var assessmentIdGiven = false
        row.carriedBefore = headerBefore
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
            decoder.set(column, .text(record.bytes(index)), row: &row, criterion: &criterion)
        }
        decoder.finishCriterion(criterion, row: &row)
        decoder.finish(&row, assessmentIdGiven: assessmentIdGiven)
    }

    /// Hands `decode` a cleared row for `location`, then groups it. The row's arrays are kept
    /// from one row to the next, so a typical row allocates nothing.
    private func decodeRow(at location: SourceLocation, _ decode: (inout DecodedRow) -> Void) {
        var row = DecodedRow(location: location)
        swap(&row, &spareRow)
        row.reset(location: location)
        decode(&row)
        add(row)
        spareRow = row
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
        headerBefore = ColumnSet()
        for column in Column.before where seen[column] != nil { headerBefore.insert(column) }
        // An exported sheet (it has Before columns) has its texts under the formula rule.
        decoder.unescapesFormulas = !headerBefore.isEmpty
        return columns.map { $0.map { $0.isIgnoredOnInput ? nil : $0 } ?? nil }
    }

    private func readJSONL(_ reader: ChunkedFileReader, inputIndex: Int, digest: inout SHA256) throws {
        decoder.unescapesFormulas = false
        var splitter = LineSplitter(limits: options.limits)
        let input = inputs[inputIndex]
        do {
            try reader.forEachUTF8Chunk(encoding: input.encoding, byteOrderMark: input.hasByteOrderMark, hashingInto: &digest) { chunk in
                try splitter.consume(chunk) { line, number in handleJSONLine(line, number: number, inputIndex: inputIndex) }
            }
        } catch let error as UndecodableText {
            throw InputSyntaxError(line: splitter.currentLine, message: error.message)
        }
        try splitter.finish { line, number in handleJSONLine(line, number: number, inputIndex: inputIndex) }
    }

    private func handleJSONLine(_ line: UnsafeRawBufferPointer, number: Int, inputIndex: Int) {
        inputs[inputIndex].rows += 1
        decodeRow(at: SourceLocation(input: inputIndex, line: number)) { row in
            decodeJSONLine(line, into: &row)
        }
    }

    private func decodeJSONLine(_ line: UnsafeRawBufferPointer, into row: inout DecodedRow) {
        var members = JSONLineMembers()
        do {
            let isObject = try JSONParser.forEachMember(
                of: line, maxDepth: options.limits.maxJSONDepth, maxStringBytes: options.limits.maxFieldBytes
            ) { key, value in
                decodeMember(key, value, into: &row, members: &members)
            }
            guard isObject else {
                row.problems.append("each line must be a JSON object")
                return
            }
        } catch {
            // What was decoded before the syntax error does not count.
            row.reset(location: row.location)
            row.problems.append("invalid JSON: \(error.message) at column \(error.column)")
            return
        }
        finishJSONLine(members, into: &row)
    }

    /// What a JSONL line's members leave to check once the whole line is read.
    private struct JSONLineMembers {
        var criterion = RowDecoder.PendingCriterion()
        var assessmentIdGiven = false
        var nestedCriteria: JSONValue?
    }

    /// Decodes one member of a flat row or of a PATCH-shaped update with `criteria`.
    private func decodeMember(_ key: UnsafeBufferPointer<UInt8>, _ value: JSONMemberValue, into row: inout DecodedRow, members: inout JSONLineMembers) {
        guard let column = Column(header: key) else {
            let name = String(decoding: key, as: UTF8.self)
            if name.lowercased() == "criteria" {
                switch value {
                case .container(let criteria): members.nestedCriteria = criteria
                case .null: members.nestedCriteria = JSONValue.null
                default: members.nestedCriteria = .string("")  // reported as not an array
                }
            } else {
                row.problems.append("unknown key \"\(name)\" (did you mean \"\(Column.closest(to: name).rawValue)\"?)")
            }
            return
        }
        // A Before key counts even when null or empty: the value was empty when the file was made.
        if column.isBefore { row.carriedBefore.insert(column) }
        let raw: RawValue
        switch value {
        case .null: return  // the key is treated as absent
        case .string(let text): raw = .text(text)
        case .number(let text): raw = .number(text)
        case .bool(let flag): raw = .other(flag ? "true" : "false")
        case .container(let container): raw = .other(container.arrayValue != nil ? "an array" : "an object")
        }
        if column == .assessmentId { members.assessmentIdGiven = true }
        decoder.set(column, raw, row: &row, criterion: &members.criterion)
    }

    private func finishJSONLine(_ members: JSONLineMembers, into row: inout DecodedRow) {
        if let nestedCriteria = members.nestedCriteria {
            if !members.criterion.named.isEmpty {
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
            decoder.finishCriterion(members.criterion, row: &row)
        }
        decoder.finish(&row, assessmentIdGiven: members.assessmentIdGiven)
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
                let closest = Column.closest(to: key, among: [.categoryId, .criterionId, .score, .reason]) ?? .score
                row.problems.append("\(context)unknown key \"\(key)\" (did you mean \"\(closest.rawValue)\"?)")
                continue
            }
            var scratch = DecodedRow(location: row.location)
            switch value {
            case .null: continue
            case .string(var text): text.withUTF8 { decoder.set(column, .text($0), row: &scratch, criterion: &criterion) }
            case .number(var text): text.withUTF8 { decoder.set(column, .number($0), row: &scratch, criterion: &criterion) }
            case .bool(let flag): decoder.set(column, .other(flag ? "true" : "false"), row: &scratch, criterion: &criterion)
            case .array: decoder.set(column, .other("an array"), row: &scratch, criterion: &criterion)
            case .object: decoder.set(column, .other("an object"), row: &scratch, criterion: &criterion)
            }
            row.problems.append(contentsOf: scratch.problems.map { context + $0 })
        }
        if criterion.named.isEmpty {
            row.problems.append("\(context)a criterion needs categoryId, criterionId and a score or a reason")
            return
        }
        decoder.finishCriterion(criterion, row: &row, context: context)
    }

    // MARK: - Grouping

    private func add(_ row: DecodedRow) {
        var problems = row.problems
        guard let assessmentId = row.assessmentId else {
            record(problems, at: row.location)
            orphanRows.append((row.location, problems.first ?? "assessmentId is missing"))
            return
        }
        let index: Int
        if let last = lastAssessment, last.id == assessmentId {
            index = last.index
        } else if let existing = indexById[assessmentId] {
            index = existing
        } else {
            index = updates.count
            indexById[assessmentId] = index
            if let last = updates.last { criteriaHint = last.criteria.count }
            var update = AssessmentUpdate(assessmentId: assessmentId)
            update.criteria.reserveCapacity(criteriaHint)
            updates.append(update)
            fieldSources.append(FieldSources())
        }
        lastAssessment = (assessmentId, index)
        if problems.isEmpty {
            merge(row, into: &updates[index], fieldSources: &fieldSources[index], problems: &problems)
        }
        updates[index].sources.append(row.location)
        if !problems.isEmpty {
            record(problems, at: row.location)
            if firstProblems[index] == nil { firstProblems[index] = (row.location, problems[0]) }
        }
    }

    /// Adds a row's values to its assessment, or only reports why they do not fit: a row with
    /// a problem changes nothing. Everything is checked first and then written in place (a
    /// copy of the assessment's values per row would cost retains and releases per row).
    private func merge(_ row: DecodedRow, into update: inout AssessmentUpdate, fieldSources: inout FieldSources, problems: inout [String]) {
        let id = update.assessmentId
        for column in row.setColumns where !update.fields.agrees(with: row.fields, on: column) {
            let earlier = fieldSources[column].map { describe(update.sources[$0]) } ?? "an earlier row"
            problems.append("\(column.rawValue) for assessment \(id) differs from \(earlier)")
        }
        // One search per criterion: the first 64 of a row remember whether they are new.
        var isNew: UInt64 = 0
        for (offset, criterion) in row.criteria.enumerated() {
            if let earlier = update.criteria.entries.first(where: { $0.hasSameKey(as: criterion) }) {
                if !decoder.hasSameValues(earlier, criterion) {
                    let line = describe(update.sources[Int(earlier.sourceIndex)])
                    problems.append("\(criterion.key) of assessment \(id) is already set differently on \(line)")
                }
            } else if offset < 64 {
                isNew |= 1 << UInt64(offset)
            }
        }
        guard problems.isEmpty else { return }
        var expected: ExpectedValues? = row.hasExpectations ? (update.expected ?? ExpectedValues()) : nil
        for column in row.setColumns where fieldSources[column] == nil {
            update.fields.take(column, from: row.fields)
            expected?.take(column, from: row.expected)
            fieldSources[column] = update.sources.count  // this row is appended next
        }
        if var kept = expected {
            for criterion in row.expected.criteria where !kept.criteria.contains(where: { $0.key == criterion.key }) {
                kept.criteria.append(criterion)
            }
            update.expected = kept
        }
        for (offset, var criterion) in row.criteria.enumerated()
        where offset < 64 ? isNew & (1 << UInt64(offset)) != 0 : !update.criteria.entries.contains(where: { $0.hasSameKey(as: criterion) }) {
            criterion.sourceIndex = Int32(update.sources.count)  // this row is appended next
            update.criteria.append(criterion)
        }
    }

    private func describe(_ location: SourceLocation) -> String {
        location.input == inputs.count - 1 || inputs.count == 1 ? "line \(location.line)" : "\(inputs[location.input].path):\(location.line)"
    }

    // MARK: - Finishing

    private func finish() -> LoadedBatch {
        // Every reason is in the pool now: the updates read theirs from one shared table.
        let reasons = decoder.texts.table()
        for index in updates.indices { updates[index].criteria.texts = reasons }
        if let catalog = options.scorecards { checkScorecards(catalog) }
        var invalid: [InvalidAssessment] = []
        // Invalid assessments leave `updates` in place, without copying the valid ones.
        var kept = 0
        for index in updates.indices {
            if let (location, problem) = firstProblems[index] {
                let update = updates[index]
                let message = update.sources.count > 1
                    ? "assessment \(update.assessmentId) not sent: \(describe(location)): \(problem)"
                    : problem
                invalid.append(InvalidAssessment(assessmentId: update.assessmentId, sources: update.sources, message: message))
            } else {
                if kept != index { updates.swapAt(kept, index) }
                kept += 1
            }
        }
        updates.removeLast(updates.count - kept)
        fieldSources = []
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
        for index in updates.indices where firstProblems[index] == nil {
            let update = updates[index]
            guard let scorecardId = update.fields.scorecardId else { continue }
            guard let scorecard = catalog.scorecards[scorecardId] else {
                let location = update.sources[fieldSources[index][.scorecardId] ?? 0]
                let problem = "scorecard \(scorecardId) is not in the scorecards file"
                record([problem], at: location)
                firstProblems[index] = (location, problem)
                continue
            }
            for criterion in update.criteria {
                guard let problem = scorecard.problem(with: criterion) else { continue }
                let location = update.sources[Int(criterion.sourceIndex)]
                record([problem], at: location)
                if firstProblems[index] == nil { firstProblems[index] = (location, problem) }
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

/// Which row first set each assessment-level value of an assessment, as an index into its
/// `sources`: seven 32-bit slots in place (a collection per assessment would be an allocation).
private struct FieldSources {
    private var slots: (Int32, Int32, Int32, Int32, Int32, Int32, Int32) = (-1, -1, -1, -1, -1, -1, -1)

    private static func offset(_ column: Column) -> Int? {
        switch column {
        case .aiSummary: 0
        case .supervisorAssessment: 1
        case .assessmentDate: 2
        case .discussionDate: 3
        case .state: 4
        case .scorecardId: 5
        case .expectedModifiedAt: 6
        default: nil
        }
    }

    /// The index into `sources` of the row that first set `column`.
    subscript(column: Column) -> Int? {
        get {
            guard let offset = Self.offset(column) else { return nil }
            let index = withUnsafeBytes(of: slots) { $0.load(fromByteOffset: offset * 4, as: Int32.self) }
            return index < 0 ? nil : Int(index)
        }
        set {
            guard let offset = Self.offset(column) else { return }
            let index = Int32(clamping: newValue ?? -1)
            withUnsafeMutableBytes(of: &slots) { $0.storeBytes(of: index, toByteOffset: offset * 4, as: Int32.self) }
        }
    }
}

extension AssessmentFields {
    /// Whether `other`'s value for `column` is unset here or the same as here.
    fileprivate func agrees(with other: AssessmentFields, on column: Column) -> Bool {
        switch column {
        case .aiSummary: return aiSummary == nil || aiSummary == other.aiSummary
        case .supervisorAssessment: return supervisorAssessment == nil || supervisorAssessment == other.supervisorAssessment
        case .assessmentDate: return assessmentDate == nil || assessmentDate == other.assessmentDate
        case .discussionDate: return discussionDate == nil || discussionDate == other.discussionDate
        case .state: return state == nil || state == other.state
        case .scorecardId: return scorecardId == nil || scorecardId == other.scorecardId
        case .expectedModifiedAt: return expectedModifiedAt == nil || expectedModifiedAt == other.expectedModifiedAt
        default: return true
        }
    }

    /// Sets `column`'s value to `other`'s.
    fileprivate mutating func take(_ column: Column, from other: AssessmentFields) {
        switch column {
        case .aiSummary: aiSummary = other.aiSummary
        case .supervisorAssessment: supervisorAssessment = other.supervisorAssessment
        case .assessmentDate: assessmentDate = other.assessmentDate
        case .discussionDate: discussionDate = other.discussionDate
        case .state: state = other.state
        case .scorecardId: scorecardId = other.scorecardId
        case .expectedModifiedAt: expectedModifiedAt = other.expectedModifiedAt
        default: break
        }
    }
}

/// Ends reading a file whose header is unusable; its problems are already recorded.
private struct StopReading: Error {}
