/// One sheet row with at least one non-empty cell, handed to the reader's callback; its cells'
/// bytes are valid only during that call.
public struct SheetRow {
    /// The sheet's row number (1-based), as Excel shows it.
    public let number: Int
    /// The non-empty cells, in the order the sheet stores them (by column in every file
    /// a spreadsheet program writes).
    public let cells: UnsafeBufferPointer<SheetCell>
    /// Whether the workbook counts dates from 1904 (see `WorkbookDate`).
    public let date1904: Bool

    /// The reference of a cell of this row (`D17`), for messages.
    public func reference(_ cell: SheetCell) -> CellReference {
        CellReference(column: cell.column, row: number)
    }
}
