import XLSX

extension FailuresWriter {
    /// The failed rows of an `.xlsx` input as a UTF-8 CSV (BOM, CRLF, as Excel opens it): the
    /// input's header and cell values as read (date cells as their local date-time), then
    /// `error`, `errorKind` and `sourceLine`, where the source line is the sheet row. A sheet with
    /// `…Before` columns (an exported one) gets its texts under the formula rule, as `export`
    /// writes CSV, so that the file opens safely and reads back as the same texts; other sheets'
    /// values are written as they were, like a CSV input's.
    static func writeWorkbookRowsAsCSV(_ input: InputDescription, failures: [Int: RowFailure], to file: OutputFile) throws -> Int {
        let writtenNames = Set(Column.written.map { $0.rawValue.lowercased() })
        let kept = input.header.indices.filter { !writtenNames.contains(input.header[$0].trimmingWhitespace().lowercased()) }
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        appendCSVRecord(kept.map { input.header[$0] } + Column.written.map(\.rawValue), delimiter: UInt8(ascii: ","), lineEnding: "\r\n", into: &out)
        let hasBefore = input.header.contains { Column(header: $0)?.isBefore == true }
        var rows = 0
        var sawHeader = false
        _ = try WorkbookReader.read(path: input.path, sheet: input.sheet) { row in
            guard sawHeader else {
                sawHeader = true
                return
            }
            guard let failure = failures[row.number] else { return }
            var values = [String](repeating: "", count: input.header.count)
            for cell in row.cells where cell.column <= values.count {
                switch cell.kind {
                case .date: values[cell.column - 1] = WorkbookDate.localDateTime(serial: cell.string, date1904: row.date1904) ?? cell.string
                case .boolean: values[cell.column - 1] = cell.bytes.first == UInt8(ascii: "1") ? "TRUE" : "FALSE"
                case .formulaWithoutValue: values[cell.column - 1] = ""
                case .text, .number, .error, .isoDate: values[cell.column - 1] = cell.string
                }
            }
            let cells = kept.map { values[$0] }
            let fields = (hasBefore ? cells.map(FormulaGuard.escaped) : cells) + [failure.message, failure.kind.rawValue, String(row.number)]
            appendCSVRecord(fields, delimiter: UInt8(ascii: ","), lineEnding: "\r\n", into: &out)
            rows += 1
        }
        try file.write(out)
        return rows
    }
}
