/// Reads one worksheet of an `.xlsx` workbook as a stream of rows.
///
/// All archive work happens inside `read`, synchronously: ZIPFoundation's `Archive` is not
/// `Sendable`, and nothing of it escapes. The sheet part is inflated chunk by chunk straight into
/// the XML scanner; only the shared strings, the styles and one row at a time are held, so memory
/// stays flat whatever the sheet's size.
public enum WorkbookReader {
    /// Calls `onRow` for every row of the first worksheet (or the one named `sheet`) that has a
    /// value, in sheet order, and returns what it learnt about the workbook.
    public static func read(path: String, sheet: String? = nil, limits: WorkbookLimits = WorkbookLimits(),
                            onRow: (SheetRow) -> Void) throws(WorkbookReadError) -> WorkbookSummary {
        var held = HeldMemory()
        return try read(path: path, sheet: sheet, limits: limits, held: &held, onRow: onRow)
    }

    /// What reading held besides the shared strings, at most: it does not grow with the sheet.
    struct HeldMemory {
        var scannerBytes = 0
        var rowBytes = 0
        var sharedStringBytes = 0
    }

    /// `read`, reporting what it held (for the tests that check memory stays flat).
    static func read(path: String, sheet: String?, limits: WorkbookLimits, held: inout HeldMemory,
                     onRow: (SheetRow) -> Void) throws(WorkbookReadError) -> WorkbookSummary {
        let zip = try ZipPartReader.open(path: path, limits: limits)
        let workbookPart = try findWorkbookPart(zip, limits: limits)
        let list = try WorkbookSheetList.read(workbookPart, from: zip, limits: limits)
        let relationships = try WorkbookRelationships.read(of: workbookPart, from: zip, limits: limits)
        let (chosen, sheetPart) = try choose(sheet, from: list, relationships: relationships, zip: zip)
        let folder = WorkbookRelationships.directory(of: workbookPart)
        let stringsPart = relationships.byId.values.first { $0.type.hasSuffix("/sharedStrings") }?.part
            ?? WorkbookRelationships.resolve("sharedStrings.xml", base: folder)
        let stylesPart = relationships.byId.values.first { $0.type.hasSuffix("/styles") }?.part
            ?? WorkbookRelationships.resolve("styles.xml", base: folder)
        let strings = zip.contains(stringsPart) ? try WorkbookSharedStrings.read(stringsPart, from: zip, limits: limits) : WorkbookSharedStrings()
        let styles = zip.contains(stylesPart) ? try WorkbookStyles.read(stylesPart, from: zip, limits: limits) : WorkbookStyles()
        var failure: WorkbookReadError?
        withoutActuallyEscaping(onRow) { onRow in
            let reader = SheetRowReader(part: sheetPart, strings: strings, styles: styles, date1904: list.date1904, onRow: onRow)
            var scanner = WorkbookXMLScanner(part: sheetPart)
            do throws(WorkbookReadError) {
                try zip.stream(sheetPart) { chunk throws(WorkbookReadError) in
                    try scanner.consume(chunk, handler: reader)
                    return !reader.finished  // what follows the rows (merges, validations) is not needed
                }
                if !reader.finished { try scanner.finish(handler: reader) }
                held = HeldMemory(scannerBytes: scanner.largestHeldBytes, rowBytes: reader.largestRowBytes,
                                  sharedStringBytes: strings.bytes.capacity + strings.ends.capacity * 8)
            } catch {
                var located = error
                if located.row == nil { located.row = reader.currentRow }
                failure = located
            }
        }
        if let failure { throw failure }
        return WorkbookSummary(sheetName: chosen, sheetNames: list.sheets.map(\.name), date1904: list.date1904)
    }

    /// The sheet names of a workbook, in tab order.
    public static func sheetNames(path: String, limits: WorkbookLimits = WorkbookLimits()) throws(WorkbookReadError) -> [String] {
        let zip = try ZipPartReader.open(path: path, limits: limits)
        let workbookPart = try findWorkbookPart(zip, limits: limits)
        return try WorkbookSheetList.read(workbookPart, from: zip, limits: limits).sheets.map(\.name)
    }

    /// The main part the package's relationships name, else Excel's usual `xl/workbook.xml`.
    private static func findWorkbookPart(_ zip: ZipPartReader, limits: WorkbookLimits) throws(WorkbookReadError) -> String {
        let package = try WorkbookRelationships.read(of: "", from: zip, limits: limits)
        if let part = package.byId.values.first(where: { $0.type.hasSuffix("/officeDocument") })?.part, zip.contains(part) {
            if part.lowercased().hasSuffix(".xml") && !part.lowercased().hasPrefix("word/") && !part.lowercased().hasPrefix("ppt/") {
                return part
            }
        }
        if zip.contains("xl/workbook.xml") { return "xl/workbook.xml" }
        var what = "a zip archive but not an .xlsx workbook (it has no xl/workbook.xml)"
        if zip.contains("word/document.xml") { what = "a Word document (.docx), not an .xlsx workbook" }
        if zip.contains("ppt/presentation.xml") { what = "a PowerPoint presentation (.pptx), not an .xlsx workbook" }
        throw WorkbookReadError(.notWorkbook, "the file is \(what). If a spreadsheet program opens it, \(WorkbookReadError.saveAsAdvice)")
    }

    /// The sheet to read and its part: `name`'s (exactly, else ignoring case), or the first
    /// worksheet (chart sheets have no rows).
    private static func choose(_ name: String?, from list: WorkbookSheetList, relationships: WorkbookRelationships,
                               zip: ZipPartReader) throws(WorkbookReadError) -> (String, String) {
        func part(of sheet: WorkbookSheetList.Sheet) -> String? {
            guard let relationship = relationships.byId[sheet.relationshipId], relationship.type.hasSuffix("/worksheet"),
                  let part = relationship.part, zip.contains(part) else { return nil }
            return part
        }
        let names = list.sheets.map { "\"\($0.name)\"" }.joined(separator: ", ")
        if let name {
            let match = list.sheets.first { $0.name == name } ?? list.sheets.first { $0.name.lowercased() == name.lowercased() }
            guard let match else {
                throw WorkbookReadError(.noSuchSheet, "the workbook has no sheet named \"\(name)\"; its sheets are \(names)")
            }
            guard let found = part(of: match) else {
                throw WorkbookReadError(.noSuchSheet, "the sheet \"\(match.name)\" is not a worksheet with cells (a chart sheet?); the workbook's sheets are \(names)")
            }
            return (match.name, found)
        }
        for sheet in list.sheets {
            if let found = part(of: sheet) { return (sheet.name, found) }
        }
        throw WorkbookReadError(.notWorkbook, "the workbook has no worksheet\(list.sheets.isEmpty ? "" : " (its sheets are \(names))")")
    }
}
