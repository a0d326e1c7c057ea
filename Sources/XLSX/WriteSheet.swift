/// One worksheet part as it is written: the header row at once, each data row as it comes
/// (streamed to a scratch file, so memory stays flat), and the parts that must come before and
/// after `<sheetData>` in ECMA-376's element order (dimension, frozen pane, columns; then
/// protection, filter, validations) once the last row is known.
final class WriteSheet {
    let name: String
    let columns: [WriteColumn]
    /// Sheet protection on: only unlocked cells can be changed.
    let protected: Bool
    /// Bold, frozen and filtered header row.
    let header: Bool
    /// The last row written (1 is the header).
    private(set) var lastRow = 0

    private let letters: [[UInt8]]
    /// `cellXfs` index by column and `WriteStyles.State`.
    private let styles: [[Int]]
    private let scratch: WriteScratchFile?
    private var xml: WriteXML
    private var unlocked: [Bool]
    private var validationIndex: [ValidationKey: Int] = [:]
    private var validations: [(validation: WriteValidation, ranges: WriteRanges)] = []

    /// Runs per `<dataValidation>`: Excel copes with long `sqref` lists, but a few hundred
    /// runs each keeps every element a modest size.
    private static let runsPerValidation = 500
    /// Excel's limit on a cell's text, in UTF-16 code units.
    static let maximumCellCharacters = 32_767
    /// Flush threshold of the row buffer.
    private static let bufferLimit = 1 << 20

    private struct ValidationKey: Hashable {
        var column: Int
        var validation: WriteValidation
    }

    /// - Parameter scratchNear: where the rows stream to (a scratch file beside this path);
    ///   nil keeps them in memory (small sheets such as `about`).
    init(name: String, columns: [WriteColumn], protected: Bool, header: Bool, scratchNear: String?) throws(WriteError) {
        self.name = name
        self.columns = columns
        self.protected = protected
        self.header = header
        letters = columns.indices.map { Array(CellReference.columnName($0 + 1).utf8) }
        styles = columns.map { column in
            [WriteStyles.index(column.kind, .locked), WriteStyles.index(column.kind, .unlocked), WriteStyles.index(column.kind, .shaded)]
        }
        scratch = try scratchNear.map { path throws(WriteError) in try WriteScratchFile(near: path) }
        xml = WriteXML(capacity: scratchNear == nil ? 4096 : Self.bufferLimit + (1 << 16))
        unlocked = [Bool](repeating: false, count: columns.count)
        if header {
            lastRow = 1
            xml.raw(#"<row r="1">"#)
            for (index, column) in columns.enumerated() {
                appendTextCell(index, row: 1, style: WriteStyles.header, column.name)
            }
            xml.raw("</row>")
        }
    }

    /// Appends `row` as the next row.
    func append(_ row: WriteRow) throws(WriteError) {
        // Excel refuses (repairs away) a longer cell; LibreOffice cuts it. Checked before
        // anything of the row is written.
        for (index, cell) in row.cells.enumerated() where index < columns.count {
            guard case .text(let text) = cell, text.utf8.count > Self.maximumCellCharacters, text.utf16.count > Self.maximumCellCharacters else { continue }
            let reference = String(decoding: letters[index], as: UTF8.self) + String(lastRow + 1)
            throw WriteError(path: name, message: "cell \(reference) holds \(text.utf16.count) characters; an Excel cell holds at most \(Self.maximumCellCharacters)")
        }
        lastRow += 1
        let number = lastRow
        if !row.shaded {
            for index in row.unlocked where index >= 0 && index < unlocked.count { unlocked[index] = true }
        }
        xml.raw(#"<row r=""#)
        xml.number(number)
        xml.raw(#"">"#)
        let cellCount = min(row.cells.count, columns.count)
        for index in 0..<columns.count {
            let state: WriteStyles.State = row.shaded ? .shaded : (unlocked[index] ? .unlocked : .locked)
            let style = styles[index][state.rawValue]
            switch index < cellCount ? row.cells[index] : .empty {
            case .empty:
                // A missing cell takes the column's style (locked); anything else is written.
                guard state != .locked else { continue }
                startCell(index, row: number, style: style)
                xml.raw("/>")
            case .number(let value):
                startCell(index, row: number, style: style)
                xml.raw("><v>")
                xml.number(value)
                xml.raw("</v></c>")
            case .decimal(let text):
                if Double(text) == nil {
                    appendTextCell(index, row: number, style: style, text)
                } else {
                    startCell(index, row: number, style: style)
                    xml.raw("><v>")
                    xml.raw(string: text)
                    xml.raw("</v></c>")
                }
            case .text(let text):
                appendTextCell(index, row: number, style: style, text)
            }
        }
        xml.raw("</row>")
        if !row.shaded {
            for index in row.unlocked where index >= 0 && index < unlocked.count { unlocked[index] = false }
        }
        for (column, validation) in row.validations where column >= 0 && column < columns.count {
            let key = ValidationKey(column: column, validation: validation)
            if let position = validationIndex[key] {
                validations[position].ranges.add(number)
            } else {
                validationIndex[key] = validations.count
                var ranges = WriteRanges(column: letters[column])
                ranges.add(number)
                validations.append((validation, ranges))
            }
        }
        if let scratch, xml.bytes.count >= Self.bufferLimit {
            try scratch.append(xml.bytes)
            xml.bytes.removeAll(keepingCapacity: true)
        }
    }

    private func startCell(_ column: Int, row: Int, style: Int) {
        xml.raw(#"<c r=""#)
        xml.raw(letters[column])
        xml.number(row)
        xml.raw(#"" s=""#)
        xml.number(style)
        xml.raw(#"""#)
    }

    private func appendTextCell(_ column: Int, row: Int, style: Int, _ text: String) {
        startCell(column, row: row, style: style)
        var text = text
        text.withUTF8 { bytes in
            if WriteXML.needsPreserve(bytes) {
                xml.raw(#" t="inlineStr"><is><t xml:space="preserve">"#)
            } else {
                xml.raw(#" t="inlineStr"><is><t>"#)
            }
            xml.appendText(bytes)
        }
        xml.raw("</t></is></c>")
    }

    /// The `A1:Y900` block the sheet covers.
    private var usedRange: String {
        CellReference.range(CellReference(column: 1, row: 1), CellReference(column: max(columns.count, 1), row: max(lastRow, 1)))
    }

    /// The finished part: what comes before the rows, the rows (in the scratch file, or in
    /// memory for a sheet without one), and what comes after them.
    func finish(selected: Bool) throws(WriteError) -> (prefix: [UInt8], rows: WriteScratchFile?, inline: [UInt8], suffix: [UInt8]) {
        if let scratch, !xml.bytes.isEmpty {
            try scratch.append(xml.bytes)
            xml.bytes.removeAll()
        }
        return (prefix(selected: selected), scratch, xml.bytes, suffix())
    }

    private func prefix(selected: Bool) -> [UInt8] {
        var out = WriteXML()
        out.raw(#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#)
        out.raw("\r\n")
        out.raw(#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#)
        out.raw(#"<dimension ref=""#)
        out.raw(string: usedRange)
        out.raw(#""/>"#)
        out.raw("<sheetViews><sheetView")
        if selected { out.raw(#" tabSelected="1""#) }
        out.raw(#" workbookViewId="0""#)
        if header {
            out.raw(#"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#)
            out.raw(#"<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>"#)
        } else {
            out.raw("/></sheetViews>")
        }
        out.raw(#"<sheetFormatPr defaultRowHeight="15"/>"#)
        if !columns.isEmpty {
            out.raw("<cols>")
            for (index, column) in columns.enumerated() {
                out.raw(#"<col min=""#)
                out.number(index + 1)
                out.raw(#"" max=""#)
                out.number(index + 1)
                out.raw(#"" width=""#)
                out.raw(string: Self.width(column.width))
                out.raw(#"" style=""#)
                out.number(styles[index][WriteStyles.State.locked.rawValue])
                out.raw(#"" customWidth="1"/>"#)
            }
            out.raw("</cols>")
        }
        out.raw("<sheetData>")
        return out.bytes
    }

    /// A width as Excel writes it: up to two decimals, no exponent.
    private static func width(_ value: Double) -> String {
        let hundredths = Int((min(max(value, 1), 255) * 100).rounded())
        let fraction = hundredths % 100
        return fraction == 0 ? String(hundredths / 100) : "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    private func suffix() -> [UInt8] {
        var out = WriteXML()
        out.raw("</sheetData>")
        if protected {
            // No password; a reviewer may still filter and widen columns.
            out.raw(#"<sheetProtection sheet="1" objects="1" scenarios="1" formatColumns="0" autoFilter="0"/>"#)
        }
        if header {
            out.raw(#"<autoFilter ref=""#)
            out.raw(string: usedRange)
            out.raw(#""/>"#)
        }
        let elements = validations.flatMap { entry in entry.ranges.references(limit: Self.runsPerValidation).map { (entry.validation, $0) } }
        if !elements.isEmpty {
            out.raw(#"<dataValidations count=""#)
            out.number(elements.count)
            out.raw(#"">"#)
            for (validation, sqref) in elements {
                appendValidation(validation, sqref: sqref, into: &out)
            }
            out.raw("</dataValidations>")
        }
        out.raw(#"<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>"#)
        out.raw("</worksheet>")
        return out.bytes
    }

    private func appendValidation(_ validation: WriteValidation, sqref: [UInt8], into out: inout WriteXML) {
        switch validation.rule {
        case .wholeNumber: out.raw(#"<dataValidation type="whole" operator="between""#)
        case .list: out.raw(#"<dataValidation type="list""#)
        }
        out.raw(#" allowBlank="1" showErrorMessage="1" errorTitle=""#)
        out.attribute(validation.errorTitle)
        out.raw(#"" error=""#)
        out.attribute(validation.error)
        out.raw(#"""#)
        if let prompt = validation.prompt {
            out.raw(#" showInputMessage="1" promptTitle=""#)
            out.attribute(validation.errorTitle)
            out.raw(#"" prompt=""#)
            out.attribute(prompt)
            out.raw(#"""#)
        }
        out.raw(#" sqref=""#)
        out.raw(sqref)
        out.raw(#"">"#)
        switch validation.rule {
        case .wholeNumber(let minimum, let maximum):
            out.raw("<formula1>")
            out.number(minimum)
            out.raw("</formula1><formula2>")
            out.number(maximum)
            out.raw("</formula2>")
        case .list(let values):
            out.raw(#"<formula1>""#)
            out.text(values.joined(separator: ","))
            out.raw(#""</formula1>"#)
        }
        out.raw("</dataValidation>")
    }
}
