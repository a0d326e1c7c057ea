/// A header row mapped to columns: what CSV/TSV files (and any other format with a header
/// row, such as a workbook's sheet) read their cells by.
///
/// A class: a data row holds one reference to it, where a struct would retain its arrays.
final class SheetHeader {
    /// The column of each header position; nil for an unnamed column or one ignored on input.
    let columns: [Column?]
    /// Positions without a name (Excel's trailing delimiters): a value under one is a problem.
    private let unnamed: Set<Int>
    /// The `…Before` columns of the sheet: every row carries them.
    let before: ColumnSet

    /// Thrown by a row source when the header is unusable; its problems are already recorded.
    struct Unusable: Error {}

    /// Maps header `names` (at `line`); nil, with every problem recorded as a problem of the
    /// whole file, when a name is unknown or repeated or `assessmentId` is missing.
    init?(names: [String], line: Int, rows: RowSink) {
        var columns: [Column?] = []
        var unnamed: Set<Int> = []
        var seen: [Column: Int] = [:]
        var usable = true
        for (index, name) in names.enumerated() {
            if name.trimmingWhitespace().isEmpty {
                columns.append(nil)  // an unnamed column; a value under it is reported per row
                unnamed.insert(index)
                continue
            }
            guard let column = Column(header: name) else {
                rows.fileProblem(line: line, "unknown column \"\(name)\" (did you mean \"\(Column.closest(to: name).rawValue)\"?)")
                usable = false
                columns.append(nil)
                continue
            }
            if let first = seen[column] {
                rows.fileProblem(line: line, "column \"\(name)\" appears twice (columns \(first + 1) and \(index + 1))")
                usable = false
            }
            seen[column] = index
            columns.append(column)
        }
        if seen[.assessmentId] == nil {
            rows.fileProblem(line: line, "the header has no assessmentId column")
            usable = false
        }
        guard usable else { return nil }
        var before = ColumnSet()
        for column in Column.before where seen[column] != nil { before.insert(column) }
        self.columns = columns.map { $0.map { $0.isIgnoredOnInput ? nil : $0 } ?? nil }
        self.unnamed = unnamed
        self.before = before
    }

    /// Whether the sheet's texts are under the formula rule: an exported sheet (it has Before
    /// columns) escaped them, see `FormulaGuard`.
    var unescapesFormulas: Bool { !before.isEmpty }

    /// Starts a data row: it carries the sheet's Before columns, empty or not.
    func begin(_ cells: inout RowCells) {
        cells.row.carriedBefore = before
    }

    /// Sets the non-empty value at header position `index` of a data row; `cell` names the
    /// cell in messages when the format has cell references.
    func set(_ index: Int, _ value: RawValue, into cells: inout RowCells, cell: String? = nil) {
        guard index < columns.count else {
            cells.problem(Self.cell("field \(index + 1) has a value but the header has only \(columns.count) columns", cell))
            return
        }
        guard let column = columns[index] else {
            if unnamed.contains(index) {
                cells.problem(Self.cell("field \(index + 1) has a value but its column has no name in the header", cell))
            }
            return
        }
        if let cell {
            cells.set(column, value, cell: cell)
        } else {
            cells.set(column, value)
        }
    }

    private static func cell(_ message: String, _ cell: String?) -> String {
        cell.map { "\(message) (cell \($0))" } ?? message
    }
}
