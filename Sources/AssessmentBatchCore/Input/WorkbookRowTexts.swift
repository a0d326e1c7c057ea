import XLSX

/// A workbook input's data rows as texts by header position, the way its failures files show
/// them: date cells as their local date-time, booleans as `TRUE`/`FALSE`, error cells as their
/// code, a formula without a value empty; every text exactly as the cell holds it (the failures
/// workbook writes text cells, which no spreadsheet runs as formulas).
enum WorkbookRowTexts {
    /// Calls `body` with the sheet row number and texts of every data row of `input`.
    static func forEachRow(of input: InputDescription, _ body: (Int, [String]) -> Void) throws(WorkbookReadError) {
        var sawHeader = false
        _ = try WorkbookReader.read(path: input.path, sheet: input.sheet) { row in
            guard sawHeader else {
                sawHeader = true
                return
            }
            var values = [String](repeating: "", count: input.header.count)
            for cell in row.cells where cell.column <= values.count {
                let text: String = switch cell.kind {
                case .date: WorkbookDate.localDateTime(serial: cell.string, date1904: row.date1904) ?? cell.string
                case .boolean: cell.bytes.first == UInt8(ascii: "1") ? "TRUE" : "FALSE"
                case .formulaWithoutValue: ""
                case .text, .number, .error, .isoDate: cell.string
                }
                values[cell.column - 1] = text
            }
            body(row.number, values)
        }
    }
}
