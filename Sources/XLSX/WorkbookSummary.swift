/// What reading a workbook found out besides its rows.
public struct WorkbookSummary: Sendable, Equatable {
    /// The sheet that was read.
    public var sheetName: String
    /// Every sheet of the workbook, in tab order.
    public var sheetNames: [String]
    /// Whether the workbook uses the 1904 date system.
    public var date1904: Bool
}
