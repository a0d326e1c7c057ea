/// One non-empty cell of a sheet row, as the sheet stores it. `bytes` are valid only during the
/// row callback that hands the cell over.
public struct SheetCell {
    /// What the cell holds, and so how `bytes` read.
    public enum Kind: UInt8, Sendable {
        /// A shared, inline or formula string: its text, escapes decoded, rich-text runs joined.
        case text
        /// A number: its text as stored (`5`, `5.0`, `4.5`, `1.2E-3`).
        case number
        /// A number in a date or time format: the serial day number as stored (`45455.5`);
        /// `WorkbookDate` turns it into a local date-time.
        case date
        /// A boolean: `1` or `0`.
        case boolean
        /// An error value (`#N/A`, `#REF!`, `#DIV/0!`).
        case error
        /// An ISO 8601 date cell (`t="d"`), as written: a local date-time unless it has an offset.
        case isoDate
        /// A formula whose value was never computed and stored: nothing to read.
        case formulaWithoutValue
    }

    public let column: Int
    public let kind: Kind
    public let bytes: UnsafeBufferPointer<UInt8>

    /// The cell's text, for messages and for callers that keep it.
    public var string: String { String(decoding: bytes, as: UTF8.self) }
}
