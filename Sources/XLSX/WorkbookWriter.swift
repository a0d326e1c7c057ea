/// Writes an `.xlsx` workbook: one data sheet streamed row by row (memory stays flat whatever
/// the row count), optionally a two-column `about` sheet after it.
///
/// Every text goes into an inline-string cell (`t="inlineStr"`) rather than a shared-string
/// table: the table would have to hold every distinct text until the end, and inline strings
/// are what Excel's own streaming writers and XlsxWriter's constant-memory mode use; Excel and
/// LibreOffice read both alike. The parts follow ECMA-376 Part 1: `[Content_Types].xml`,
/// `_rels/.rels`, `xl/workbook.xml`, `xl/_rels/workbook.xml.rels`, `xl/styles.xml`,
/// `xl/worksheets/sheetN.xml`.
public final class WorkbookWriter {
    private let path: String
    private let sheet: WriteSheet

    /// - Parameters:
    ///   - path: the file to write (created or truncated with mode 0600; the caller moves it
    ///     into place); a scratch file beside it holds the rows meanwhile.
    ///   - sheetName: the data sheet's name.
    ///   - columns: the header row, widths and number formats.
    ///   - protected: sheet protection without a password, so only the cells rows mark
    ///     unlocked can be changed.
    public init(path: String, sheetName: String, columns: [WriteColumn], protected: Bool) throws(WriteError) {
        self.path = path
        sheet = try WriteSheet(name: sheetName, columns: columns, protected: protected, header: true, scratchNear: path)
    }

    /// Data rows written so far.
    public var rowCount: Int { sheet.lastRow - 1 }

    /// Appends one data row below the last.
    public func append(_ row: WriteRow) throws(WriteError) {
        guard sheet.lastRow < Self.maximumRows else {
            throw WriteError(path: path, message: "more than \(Self.maximumRows - 1) data rows: an Excel sheet holds \(Self.maximumRows) rows, header included")
        }
        try sheet.append(row)
    }

    /// The rows of a sheet in Excel and LibreOffice (ECMA-376's limit).
    public static let maximumRows = 1_048_576

    /// Writes the workbook to `path`; `about` (label, value) pairs become a second sheet named
    /// `about` when given.
    public func finish(about: [(label: String, value: String)]? = nil) throws(WriteError) {
        let main = try sheet.finish(selected: true)
        var sheets: [(name: String, pieces: [WriteZip.Piece])] = []
        var pieces: [WriteZip.Piece] = [.bytes(main.prefix)]
        if let rows = main.rows { pieces.append(.file(rows)) }
        pieces += [.bytes(main.inline), .bytes(main.suffix)]
        sheets.append((sheet.name, pieces))
        if let about {
            let aboutSheet = try WriteSheet(
                name: "about", columns: [WriteColumn(name: "", width: 22, kind: .text), WriteColumn(name: "", width: 110, kind: .text)],
                protected: false, header: false, scratchNear: nil)
            for (label, value) in about {
                try aboutSheet.append(WriteRow(cells: [.text(label), value.isEmpty ? .empty : .text(value)]))
            }
            let finished = try aboutSheet.finish(selected: false)
            sheets.append(("about", [.bytes(finished.prefix + finished.inline + finished.suffix)]))
        }
        let lastColumn = max(sheet.columns.count - 1, 0)
        let filter = CellReference.range(CellReference(column: 1, row: 1), CellReference(column: lastColumn + 1, row: max(sheet.lastRow, 1)))
        var entries: [(name: String, content: WriteZip.Content)] = [
            ("[Content_Types].xml", .bytes(WriteParts.contentTypes(sheets: sheets.count))),
            ("_rels/.rels", .bytes(WriteParts.packageRelationships)),
            ("xl/workbook.xml", .bytes(WriteParts.workbook(sheetNames: sheets.map(\.name), filter: filter))),
            ("xl/_rels/workbook.xml.rels", .bytes(WriteParts.workbookRelationships(sheets: sheets.count))),
            ("xl/styles.xml", .bytes(WriteStyles.part)),
        ]
        for (index, written) in sheets.enumerated() {
            entries.append(("xl/worksheets/sheet\(index + 1).xml", .pieces(written.pieces)))
        }
        try WriteZip.write(entries, to: path)
    }
}
