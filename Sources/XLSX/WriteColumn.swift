/// One column of a written sheet: its header, its width and what its cells hold, which sets the
/// column's number format (Text for text, so what a reviewer types stays as typed).
public struct WriteColumn: Sendable, Equatable {
    /// What a column's cells hold.
    public enum Kind: Sendable, Equatable {
        /// Text cells in a column formatted as Text (`@`, built-in format 49).
        case text
        /// Whole numbers shown without grouping or exponent (format `0`), so a 12-digit id
        /// reads as typed.
        case identifier
        /// Numbers in the General format (a score may be 2.5).
        case number
    }

    public var name: String
    /// In Excel's character units.
    public var width: Double
    public var kind: Kind

    public init(name: String, width: Double, kind: Kind) {
        self.name = name
        self.width = width
        self.kind = kind
    }
}
