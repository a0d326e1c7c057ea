/// The header row of a sheet: which column each sheet column holds (nil: ignored on input).
struct WorkbookHeader {
    private var columns: [Column?] = []
    private var named: [Bool] = []
    /// False when the header has a problem: the file is then not read further.
    var isUsable = true

    mutating func set(_ column: Column?, named isNamed: Bool, at sheetColumn: Int) {
        if sheetColumn > columns.count {
            columns += Array(repeating: nil, count: sheetColumn - columns.count)
            named += Array(repeating: false, count: sheetColumn - named.count)
        }
        columns[sheetColumn - 1] = column
        named[sheetColumn - 1] = isNamed
    }

    func column(at sheetColumn: Int) -> Column? {
        sheetColumn <= columns.count ? columns[sheetColumn - 1] : nil
    }

    /// Whether the header names `sheetColumn` (a value under an unnamed column is a problem).
    func isNamed(_ sheetColumn: Int) -> Bool {
        sheetColumn <= named.count && named[sheetColumn - 1]
    }
}
