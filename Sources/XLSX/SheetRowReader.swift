#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a worksheet part's tokens into rows: cells placed by their `r` attribute, or after the
/// previous cell when it is missing; rows likewise; cell types resolved (shared strings looked
/// up, date formats recognised, formulas by their cached value).
final class SheetRowReader: WorkbookXMLHandler {
    private let part: String
    private let strings: WorkbookSharedStrings
    private let styles: WorkbookStyles
    private let date1904: Bool
    private let onRow: (SheetRow) -> Void

    private enum Capture { case none, value, inlineText }
    private enum CellType { case number, shared, inlineString, formulaString, boolean, error, isoDate }

    /// A cell of the row being read; its bytes are in `scratch` or in the shared strings.
    private struct PendingCell {
        var column: Int
        var kind: SheetCell.Kind
        var inShared: Bool
        var start: Int
        var count: Int
    }

    private(set) var finished = false
    /// The most bytes one row's buffers held, for the tests that check memory stays flat.
    private(set) var largestRowBytes = 0
    private var inSheetData = false
    private var lastRow = 0
    private var rowNumber: Int?
    private var inRow = false
    private var nextColumn = 1
    // The per-cell state opts out of run-time exclusivity checks, which cost more than the work
    // on a typical cell (the compiler still checks them statically).
    @exclusivity(unchecked) private var pending: [PendingCell] = []
    @exclusivity(unchecked) private var scratch: [UInt8] = []
    @exclusivity(unchecked) private var cells: [SheetCell] = []

    private var inCell = false
    private var cellColumn = 0
    private var cellType = CellType.number
    private var cellStyle = 0
    private var hasFormula = false
    private var hasValue = false
    private var valueStart = 0
    private var textStart = 0
    private var inInline = false
    private var phoneticDepth = 0
    private var capture = Capture.none
    private var decoded: [UInt8] = []

    var wantsText: Bool { capture != .none }

    /// The row being read, for messages about problems inside it.
    var currentRow: Int? { inRow ? rowNumber ?? lastRow + 1 : nil }

    init(part: String, strings: WorkbookSharedStrings, styles: WorkbookStyles, date1904: Bool, onRow: @escaping (SheetRow) -> Void) {
        self.part = part
        self.strings = strings
        self.styles = styles
        self.date1904 = date1904
        self.onRow = onRow
    }

    func startElement(_ name: UnsafeBufferPointer<UInt8>, _ attributes: WorkbookXMLAttributes, selfClosing: Bool) throws(WorkbookReadError) {
        guard inSheetData else {
            if name.isName("sheetData") { inSheetData = true }
            return
        }
        if inCell {
            if name.isName("v") {
                capture = .value
                hasValue = true
                valueStart = scratch.count
            } else if name.isName("f") {
                hasFormula = true
            } else if name.isName("is") {
                inInline = true
                hasValue = true
                valueStart = scratch.count
            } else if name.isName("rPh") {
                phoneticDepth += 1
            } else if name.isName("t") && inInline && phoneticDepth == 0 {
                capture = .inlineText
                textStart = scratch.count
            }
            return
        }
        if name.isName("c") {
            try startCell(attributes)
        } else if name.isName("row") {
            rowNumber = nil
            if let raw = attributes.raw("r") {
                guard let number = CellReference.rowNumber(raw) else {
                    throw problem("a row number \"\(String(decoding: raw, as: UTF8.self))\" that is not 1…\(CellReference.maxRow)")
                }
                rowNumber = number
            }
            inRow = true
            nextColumn = 1
            pending.removeAll(keepingCapacity: true)
            scratch.removeAll(keepingCapacity: true)
        }
    }

    private func startCell(_ attributes: WorkbookXMLAttributes) throws(WorkbookReadError) {
        if !inRow {
            throw problem("a cell outside a row")
        }
        inCell = true
        hasFormula = false
        hasValue = false
        inInline = false
        phoneticDepth = 0
        cellColumn = nextColumn
        // One pass over the attributes for the three a cell may have.
        var address: UnsafeBufferPointer<UInt8>?
        var typeName: UnsafeBufferPointer<UInt8>?
        var styleIndex: UnsafeBufferPointer<UInt8>?
        attributes.forEach { name, value in
            guard name.count == 1 else { return }
            switch name[0] {
            case UInt8(ascii: "r"): address = value
            case UInt8(ascii: "t"): typeName = value
            case UInt8(ascii: "s"): styleIndex = value
            default: break
            }
        }
        if let raw = address {
            guard let reference = CellReference(bytes: raw) else {
                throw problem("a cell reference \"\(String(decoding: raw, as: UTF8.self))\" that names no cell")
            }
            cellColumn = reference.column
            if rowNumber == nil { rowNumber = reference.row }
        }
        guard cellColumn <= CellReference.maxColumn else {
            throw problem("more than \(CellReference.maxColumn) columns in a row")
        }
        nextColumn = cellColumn + 1
        cellType = .number
        if let type = typeName {
            if type.isName("s") { cellType = .shared }
            else if type.isName("n") { cellType = .number }
            else if type.isName("inlineStr") { cellType = .inlineString }
            else if type.isName("str") { cellType = .formulaString }
            else if type.isName("b") { cellType = .boolean }
            else if type.isName("e") { cellType = .error }
            else if type.isName("d") { cellType = .isoDate }
            else { throw problem("cell \(reference) has an unknown type t=\"\(String(decoding: type, as: UTF8.self))\"") }
        }
        cellStyle = 0
        if let style = styleIndex {
            cellStyle = Self.integer(style) ?? 0
        }
    }

    private var reference: CellReference {
        CellReference(column: cellColumn, row: rowNumber ?? lastRow + 1)
    }

    func endElement(_ name: UnsafeBufferPointer<UInt8>) throws(WorkbookReadError) {
        guard inSheetData else { return }
        if inCell {
            if name.isName("v") {
                capture = .none
            } else if name.isName("t") && capture == .inlineText {
                capture = .none
                decodeEscapes(from: textStart)
            } else if name.isName("rPh") {
                phoneticDepth = max(0, phoneticDepth - 1)
            } else if name.isName("is") {
                inInline = false
            } else if name.isName("c") {
                inCell = false
                capture = .none
                try finishCell()
            }
            return
        }
        if name.isName("row") {
            try finishRow()
        } else if name.isName("sheetData") {
            inSheetData = false
            finished = true
        }
    }

    func text(_ bytes: UnsafeBufferPointer<UInt8>) throws(WorkbookReadError) {
        scratch.append(contentsOf: bytes)
        if scratch.count > Self.maxRowBytes {
            throw problem("a row holds more than \(Self.maxRowBytes >> 20) MB of values, which no spreadsheet program writes")
        }
    }

    /// The most a row's values may hold: memory stays bounded whatever a hostile sheet holds
    /// (Excel's own limit is 16,384 cells of 32,767 characters).
    static let maxRowBytes = 64 << 20

    private func finishCell() throws(WorkbookReadError) {
        guard hasValue else {
            if hasFormula {
                pending.append(PendingCell(column: cellColumn, kind: .formulaWithoutValue, inShared: false, start: scratch.count, count: 0))
            }
            return
        }
        let count = scratch.count - valueStart
        var cell = PendingCell(column: cellColumn, kind: .text, inShared: false, start: valueStart, count: count)
        switch cellType {
        case .shared:
            let digits = scratch.withUnsafeBufferPointer { UnsafeBufferPointer(rebasing: $0[valueStart...]) }
            guard let index = Self.integer(digits), let range = strings.range(index) else {
                throw problem("cell \(reference) refers to shared string \(String(decoding: digits, as: UTF8.self)), which the workbook does not have")
            }
            scratch.removeSubrange(valueStart...)
            cell.inShared = true
            cell.start = range.lowerBound
            cell.count = range.count
        case .inlineString:
            break
        case .formulaString:
            decodeEscapes(from: valueStart)
            cell.count = scratch.count - valueStart
        case .number:
            trimValue(&cell)
            cell.kind = styles.isDate(style: cellStyle) ? .date : .number
        case .boolean:
            trimValue(&cell)
            cell.kind = .boolean
        case .error:
            trimValue(&cell)
            cell.kind = .error
        case .isoDate:
            trimValue(&cell)
            cell.kind = .isoDate
        }
        if cell.count == 0 {
            // An empty text is no value; a formula with an empty number (openpyxl writes
            // `<f>…</f><v></v>`) was never calculated.
            if hasFormula && cell.kind != .text {
                pending.append(PendingCell(column: cellColumn, kind: .formulaWithoutValue, inShared: false, start: scratch.count, count: 0))
            }
            return
        }
        pending.append(cell)
    }

    /// Leaves out spaces around a number or code (`<v> 5 </v>`).
    private func trimValue(_ cell: inout PendingCell) {
        while cell.count > 0 && WorkbookXMLScanner.isSpace(scratch[cell.start]) {
            cell.start += 1
            cell.count -= 1
        }
        while cell.count > 0 && WorkbookXMLScanner.isSpace(scratch[cell.start + cell.count - 1]) { cell.count -= 1 }
    }

    /// Decodes `_xHHHH_` escapes in `scratch[start...]` in place.
    private func decodeEscapes(from start: Int) {
        guard start < scratch.count else { return }
        let underscore = scratch.withUnsafeBufferPointer { memchr($0.baseAddress! + start, Int32(UInt8(ascii: "_")), $0.count - start) }
        guard underscore != nil else { return }
        decoded.removeAll(keepingCapacity: true)
        scratch.withUnsafeBufferPointer { WorkbookStringEscape.decode(UnsafeBufferPointer(rebasing: $0[start...]), into: &decoded) }
        scratch.removeSubrange(start...)
        scratch.append(contentsOf: decoded)
    }

    private func finishRow() throws(WorkbookReadError) {
        inRow = false
        let number = rowNumber ?? lastRow + 1
        lastRow = number
        largestRowBytes = max(largestRowBytes, scratch.capacity + pending.capacity * MemoryLayout<PendingCell>.stride
                              + cells.capacity * MemoryLayout<SheetCell>.stride)
        guard !pending.isEmpty else { return }
        cells.removeAll(keepingCapacity: true)
        let date1904 = date1904
        scratch.withUnsafeBufferPointer { rowBytes in
            strings.bytes.withUnsafeBufferPointer { shared in
                for cell in pending {
                    let source = cell.inShared ? shared : rowBytes
                    let bytes = cell.count == 0 ? UnsafeBufferPointer(start: source.baseAddress, count: 0)
                        : UnsafeBufferPointer(rebasing: source[cell.start..<(cell.start + cell.count)])
                    cells.append(SheetCell(column: cell.column, kind: cell.kind, bytes: bytes))
                }
                cells.withUnsafeBufferPointer { onRow(SheetRow(number: number, cells: $0, date1904: date1904)) }
            }
        }
    }

    private func problem(_ what: String) -> WorkbookReadError {
        WorkbookReadError(.malformed, "\(part) is not a valid worksheet: \(what)", row: currentRow)
    }

    private static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var value = 0
        var seen = false
        for byte in bytes {
            if WorkbookXMLScanner.isSpace(byte) { if seen { break } else { continue } }
            let digit = Int(byte) - 48
            guard digit >= 0 && digit <= 9, value < Int.max / 20 else { return nil }
            value = value * 10 + digit
            seen = true
        }
        return seen ? value : nil
    }
}
