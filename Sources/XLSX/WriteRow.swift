/// One data row for ``WorkbookWriter``: its cells, which of them a reviewer may change, whether
/// the whole row is shaded as read-only, and the validations on its cells.
public struct WriteRow: Sendable {
    /// One cell per column, in column order (fewer is fine: the rest are empty).
    public var cells: [WriteCell]
    /// Indices of the columns whose cells stay unlocked under sheet protection.
    public var unlocked: [Int]
    /// Shades the row as read-only (every cell locked, whatever `unlocked` says).
    public var shaded: Bool
    /// Validations by column index.
    public var validations: [(column: Int, validation: WriteValidation)]

    public init(cells: [WriteCell], unlocked: [Int] = [], shaded: Bool = false,
                validations: [(column: Int, validation: WriteValidation)] = []) {
        self.cells = cells
        self.unlocked = unlocked
        self.shaded = shaded
        self.validations = validations
    }
}
