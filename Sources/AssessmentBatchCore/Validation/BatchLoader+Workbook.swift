import XLSX

/// `.xlsx` inputs: the sheet's rows become the same field values a CSV row gives, cell by cell,
/// and every problem a cell causes names it (`cell D17`). Row numbers are the sheet's.
extension BatchLoader {
    /// Reads the workbook at `path` (the sheet `options.sheet`, else the first) into the batch.
    func readWorkbook(_ path: String, inputIndex: Int) {
        decoder.unescapesFormulas = false  // a cell holds its text: no formula rule applies
        var header: WorkbookHeader?
        var headerRow = 0
        do {
            let summary = try WorkbookReader.read(path: path, sheet: options.sheet) { row in
                guard let known = header else {
                    headerRow = row.number
                    header = readWorkbookHeader(row, inputIndex: inputIndex)
                    return
                }
                guard known.isUsable else { return }
                inputs[inputIndex].rows += 1
                decodeRow(at: SourceLocation(input: inputIndex, line: row.number)) { decoded in
                    decodeWorkbookRow(row, header: known, into: &decoded)
                }
            }
            inputs[inputIndex].sheet = summary.sheetName
        } catch {
            fileError(inputIndex, error.row ?? 1, error.message)
        }
        do {
            let reader = try ChunkedFileReader(path: path)
            var digest = SHA256()
            try reader.forEachChunk(hashingInto: &digest) { _ in }
            inputs[inputIndex].sha256 = digest.finalizeHex()
        } catch {
            fileError(inputIndex, 0, "\(error)")
        }
        if !hasFileErrors(inputIndex) && inputs[inputIndex].rows == 0 {
            let sheet = inputs[inputIndex].sheet.map { " \"\($0)\"" } ?? ""
            fileError(inputIndex, header == nil ? 1 : headerRow,
                      "the sheet\(sheet) has no data rows (a header row and at least one row are required)")
        }
    }

    /// The columns of the header row (the sheet's first row with a value), by sheet column.
    private func readWorkbookHeader(_ row: SheetRow, inputIndex: Int) -> WorkbookHeader {
        var header = WorkbookHeader()
        var seen: [Column: CellReference] = [:]
        var names: [String] = []
        var problems = false
        for cell in row.cells {
            let reference = row.reference(cell)
            let name: String
            switch cell.kind {
            case .text, .number, .isoDate, .date, .boolean: name = cell.string
            case .error, .formulaWithoutValue:
                fileError(inputIndex, row.number, "a header cell must hold a column name, not \(cell.kind == .error ? "the error \(cell.string)" : "a formula without a value") (cell \(reference))")
                problems = true
                continue
            }
            if cell.column > names.count { names += Array(repeating: "", count: cell.column - names.count) }
            names[cell.column - 1] = name
            if name.trimmingWhitespace().isEmpty { continue }
            guard let column = Column(header: name) else {
                fileError(inputIndex, row.number, "unknown column \"\(name)\" (did you mean \"\(Column.closest(to: name).rawValue)\"?) (cell \(reference))")
                problems = true
                continue
            }
            if let first = seen[column] {
                fileError(inputIndex, row.number, "column \"\(name)\" appears twice (cells \(first) and \(reference))")
                problems = true
            }
            seen[column] = reference
            header.set(column.isIgnoredOnInput ? nil : column, named: true, at: cell.column)
        }
        inputs[inputIndex].header = names
        if seen[.assessmentId] == nil && !problems {
            fileError(inputIndex, row.number, "the header has no assessmentId column (the header is the sheet's first row with a value: row \(row.number))")
            problems = true
        }
        header.isUsable = !problems
        headerBefore = ColumnSet()
        for column in Column.before where seen[column] != nil { headerBefore.insert(column) }
        return header
    }

    private func decodeWorkbookRow(_ row: SheetRow, header: WorkbookHeader, into decoded: inout DecodedRow) {
        var criterion = RowDecoder.PendingCriterion()
        var assessmentIdGiven = false
        decoded.carriedBefore = headerBefore
        for cell in row.cells {
            let reference = row.reference(cell)
            guard header.isNamed(cell.column) else {
                decoded.problems.append("cell \(reference) has a value but its column has no name in the header")
                continue
            }
            guard let column = header.column(at: cell.column) else { continue }
            if column == .assessmentId { assessmentIdGiven = true }
            let problemsBefore = decoded.problems.count
            let heldBefore = decoded.heldDates.count
            if cell.kind == .error || cell.kind == .formulaWithoutValue,
               [.categoryId, .criterionId, .score, .reason].contains(column) {
                criterion.named.insert(column)  // the cell is there: its problem is the only one
            }
            switch cell.kind {
            case .error:
                decoded.problems.append("\(column.rawValue): the cell holds the error \(cell.string)")
            case .formulaWithoutValue:
                decoded.problems.append("\(column.rawValue): the cell's formula has no saved value (open and save the file in Excel or LibreOffice so that it is calculated, or type the value)")
            case .number where Self.isWholeNumberColumn(column):
                if let whole = Self.wholeNumber(cell.bytes) {
                    var text = String(whole)
                    text.withUTF8 { decoder.set(column, .number($0), row: &decoded, criterion: &criterion) }
                } else {
                    decoder.set(column, .number(cell.bytes), row: &decoded, criterion: &criterion)
                }
            case .number where Self.isDateColumn(column):
                decoded.problems.append("\(column.rawValue) must be a date-time, got the number \(cell.string) (format the cell as a date, or type the date as text like 2024-06-12T11:00:00+02:00)")
            case .date where Self.isWholeNumberColumn(column):
                decoder.set(column, .number(cell.bytes), row: &decoded, criterion: &criterion)
            case .date:
                guard let local = WorkbookDate.localDateTime(serial: cell.string, date1904: row.date1904) else {
                    decoded.problems.append("\(column.rawValue): the date cell's value \(cell.string) is no date between 1900 and 9999")
                    break
                }
                var text = local
                text.withUTF8 { decoder.set(column, .text($0), row: &decoded, criterion: &criterion) }
            case .boolean:
                var text = cell.bytes.first == UInt8(ascii: "1") ? "TRUE" : "FALSE"
                text.withUTF8 { decoder.set(column, .text($0), row: &decoded, criterion: &criterion) }
            case .text, .number, .isoDate:
                decoder.set(column, .text(cell.bytes), row: &decoded, criterion: &criterion)
            }
            for index in problemsBefore..<decoded.problems.count { decoded.problems[index] += " (cell \(reference))" }
            for index in heldBefore..<decoded.heldDates.count {
                decoded.heldDates[index].problems = decoded.heldDates[index].problems.map { $0 + " (cell \(reference))" }
            }
        }
        decoder.finishCriterion(criterion, row: &decoded)
        decoder.finish(&decoded, assessmentIdGiven: assessmentIdGiven)
    }

    /// Columns whose values are whole numbers: a number cell there must be one (`5.0` is 5).
    private static func isWholeNumberColumn(_ column: Column) -> Bool {
        switch column {
        case .assessmentId, .categoryId, .criterionId, .score, .scoreBefore, .scorecardId: true
        default: false
        }
    }

    /// Columns of date-times: a number there must be date-formatted to be read as one.
    private static func isDateColumn(_ column: Column) -> Bool {
        switch column {
        case .assessmentDate, .discussionDate, .expectedModifiedAt, .assessmentDateBefore, .discussionDateBefore: true
        default: false
        }
    }

    /// A number cell's value as a whole number (`5`, `5.0`, `1.2E3`); nil when it has a fraction
    /// or is beyond what a double holds exactly.
    static func wholeNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        if let plain = parseInteger(bytes) { return plain }
        guard let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite, value == value.rounded(),
              abs(value) <= 9_007_199_254_740_992 else { return nil }
        return Int(value)
    }
}
