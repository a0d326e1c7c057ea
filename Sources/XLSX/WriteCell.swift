/// One cell of a row handed to ``WorkbookWriter``: a number cell or a text cell, so a reader
/// gets back exactly the kind and value that went in.
public enum WriteCell: Sendable, Equatable {
    /// No cell (or, where the row asks for a style, a styled cell without a value).
    case empty
    /// A text cell, written verbatim: no formula, no number or date guessing.
    case text(String)
    /// A whole-number cell.
    case number(Int)
    /// A number cell with a fractional part, as its decimal text (`2.5`).
    case decimal(String)
}
