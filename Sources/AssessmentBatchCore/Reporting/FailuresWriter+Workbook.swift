extension FailuresWriter {
    /// The failed rows of an `.xlsx` input as a UTF-8 CSV (BOM, CRLF, as Excel opens it): the
    /// input's header and its cells' texts (see `WorkbookRowTexts`), then `error`, `errorKind`
    /// and `sourceLine`, where the source line is the sheet row.
    static func writeWorkbookRowsAsCSV(_ input: InputDescription, failures: [Int: RowFailure], to file: OutputFile) throws -> Int {
        let writtenNames = Set(Column.written.map { $0.rawValue.lowercased() })
        let kept = input.header.indices.filter { !writtenNames.contains(input.header[$0].trimmingWhitespace().lowercased()) }
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        appendCSVRecord(kept.map { input.header[$0] } + Column.written.map(\.rawValue), delimiter: UInt8(ascii: ","), lineEnding: "\r\n", into: &out)
        var rows = 0
        try WorkbookRowTexts.forEachRow(of: input) { number, values in
            guard let failure = failures[number] else { return }
            let fields = kept.map { values[$0] } + [failure.message, failure.kind.rawValue, String(number)]
            appendCSVRecord(fields, delimiter: UInt8(ascii: ","), lineEnding: "\r\n", into: &out)
            rows += 1
        }
        try file.write(out)
        return rows
    }
}
