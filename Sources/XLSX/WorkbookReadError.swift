/// Why a workbook could not be read: a message for the person who has the file, saying what
/// the file is and, where something can be done about it, how to save it as `.xlsx`.
public struct WorkbookReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for callers and tests that branch on it.
    public enum Kind: Sendable, Equatable {
        /// The file could not be opened or read.
        case unreadable
        /// An OLE compound file: Excel 97–2003 (`.xls`) or an encrypted `.xlsx`.
        case compoundFile
        /// An OpenDocument spreadsheet (`.ods`).
        case openDocument
        /// Not a zip archive at all.
        case notZip
        /// A zip archive that is cut short or damaged.
        case damagedZip
        /// A zip archive without the parts of a workbook.
        case notWorkbook
        /// `--sheet` names no sheet of the workbook.
        case noSuchSheet
        /// A part declares a DTD (entity expansion, external fetches): refused.
        case doctype
        /// A part inflates beyond what its compressed size can plausibly hold, or beyond the cap.
        case tooLarge
        /// A part is not well-formed XML, or a value breaks the format.
        case malformed
    }

    public var kind: Kind
    public var message: String
    /// The sheet row the problem was found in, when it was found inside the sheet's rows.
    public var row: Int?

    public init(_ kind: Kind, _ message: String, row: Int? = nil) {
        self.kind = kind
        self.message = message
        self.row = row
    }

    public var description: String { message }

    /// How to turn a file into something this reader takes, shared by several refusals.
    static let saveAsAdvice = "open it in Excel and use File > Save As > \"Excel Workbook (*.xlsx)\", or in LibreOffice File > Save As > \"Excel 2007-365 (.xlsx)\""
}
