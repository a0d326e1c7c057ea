import XLSX

/// `.xlsx` workbooks as rows: the sheet's first row with a value is the header, and every cell
/// becomes the field value a CSV row would give, with each problem naming its cell
/// (`… (cell D17)`). Row numbers are the sheet's.
struct WorkbookRowSource: RowSource {
    /// The worksheet to read; nil reads the first.
    var sheet: String?

    static let noRowsMessage = "the sheet has no data rows (a header row and at least one row are required)"

    mutating func read(_ input: inout InputDescription, into rows: RowSink) {
        rows.unescapesFormulas = false  // a cell holds its text: no formula rule applies
        var header: SheetHeader?
        var headerRow: Int?
        var names: [String] = []
        do {
            let summary = try WorkbookReader.read(path: input.path, sheet: sheet) { row in
                guard let known = header else {
                    guard headerRow == nil else { return }  // the header was unusable
                    headerRow = row.number
                    names = Self.headerNames(row, rows: rows)
                    header = rows.hasFileProblems ? nil : SheetHeader(names: names, line: row.number, rows: rows, cellNames: true)
                    return
                }
                rows.row(line: row.number) { cells in
                    known.begin(&cells)
                    for cell in row.cells {
                        Self.set(cell, of: row, header: known, into: &cells)
                    }
                }
            }
            input.sheet = summary.sheetName
        } catch {
            rows.fileProblem(line: error.row ?? 1, error.message)
        }
        input.header = names
        do {
            let reader = try ChunkedFileReader(path: input.path)
            var digest = SHA256()
            try reader.forEachChunk(hashingInto: &digest) { _ in }
            input.sha256 = digest.finalizeHex()
        } catch {
            rows.fileProblem(line: 0, "\(error)")
        }
        if !rows.hasFileProblems && rows.rows == 0 {
            rows.fileProblem(line: headerRow ?? 1, "the sheet\(input.sheet.map { " \"\($0)\"" } ?? "") has no data rows (a header row and at least one row are required)")
        }
    }

    /// The header row's names by sheet column (empty where no cell is); a cell that cannot
    /// name a column is a problem of the file.
    private static func headerNames(_ row: SheetRow, rows: RowSink) -> [String] {
        var names: [String] = []
        for cell in row.cells {
            if cell.column > names.count { names += Array(repeating: "", count: cell.column - names.count) }
            switch cell.kind {
            case .error, .formulaWithoutValue:
                let what = cell.kind == .error ? "the error \(cell.string)" : "a formula without a value"
                rows.fileProblem(line: row.number, "a header cell must hold a column name, not \(what) (cell \(row.reference(cell)))")
            case .text, .number, .isoDate, .date, .boolean:
                names[cell.column - 1] = cell.string
            }
        }
        return names
    }

    /// Turns one cell into its column's value (see docs/spreadsheets.md for the table).
    private static func set(_ cell: SheetCell, of row: SheetRow, header: SheetHeader, into cells: inout RowCells) {
        let index = cell.column - 1
        let column = index < header.columns.count ? header.columns[index] : nil
        guard let column else {
            // Reports a value under no column (or ignores one under a column ignored on input).
            header.set(index, .text(cell.bytes), into: &cells, cell: row.reference(cell).description)
            return
        }
        var reference: String { row.reference(cell).description }
        switch cell.kind {
        case .error:
            if column.isCriterionColumn { cells.criterion.named.insert(column) }  // its only problem is this one
            cells.problem("\(column.rawValue): the cell holds the error \(cell.string) (cell \(reference))")
        case .formulaWithoutValue:
            if column.isCriterionColumn { cells.criterion.named.insert(column) }
            cells.problem("\(column.rawValue): the cell's formula has no saved value (open and save the file in Excel or LibreOffice so that it is calculated, or type the value) (cell \(reference))")
        case .number where isWholeNumberColumn(column):
            if parseInteger(cell.bytes) != nil {
                cells.set(column, .number(cell.bytes), cell: reference)  // digits already: as they are
            } else if let whole = wholeNumber(cell.bytes) {
                var text = String(whole)
                text.withUTF8 { cells.set(column, .number($0), cell: reference) }
            } else {
                cells.set(column, .number(cell.bytes), cell: reference)
            }
        case .number where isDateColumn(column):
            cells.problem("\(column.rawValue) must be a date-time, got the number \(cell.string) (format the cell as a date, or type the date as text like 2024-06-12T11:00:00+02:00) (cell \(reference))")
        case .date where isWholeNumberColumn(column):
            cells.set(column, .number(cell.bytes), cell: reference)
        case .date:
            guard let local = WorkbookDate.localDateTime(serial: cell.string, date1904: row.date1904) else {
                cells.problem("\(column.rawValue): the date cell's value \(cell.string) is no date between 1900 and 9999 (cell \(reference))")
                return
            }
            var text = local
            text.withUTF8 { cells.set(column, .text($0), cell: reference) }
        case .boolean:
            var text = cell.bytes.first == UInt8(ascii: "1") ? "TRUE" : "FALSE"
            text.withUTF8 { cells.set(column, .text($0), cell: reference) }
        case .text, .number, .isoDate:
            cells.set(column, .text(cell.bytes), cell: reference)
        }
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

extension Column {
    /// The four columns of a flat row that name and set a criterion.
    fileprivate var isCriterionColumn: Bool {
        switch self {
        case .categoryId, .criterionId, .score, .reason: true
        default: false
        }
    }
}
