/// A1-style references for the writer ("D17", "A1:Y900"): column letters by index, computed
/// once per sheet because every cell of every row names its column.
enum WriteCellReference {
    /// The letters of the zero-based column `index` (0 → "A", 25 → "Z", 26 → "AA").
    static func letters(_ index: Int) -> [UInt8] {
        var letters: [UInt8] = []
        var rest = index + 1
        while rest > 0 {
            let digit = (rest - 1) % 26
            letters.insert(UInt8(ascii: "A") + UInt8(digit), at: 0)
            rest = (rest - 1) / 26
        }
        return letters
    }

    /// "A1:Y900"-style text for a block of cells (zero-based columns, one-based rows).
    static func range(firstColumn: Int, firstRow: Int, lastColumn: Int, lastRow: Int) -> String {
        let first = String(decoding: letters(firstColumn), as: UTF8.self) + String(firstRow)
        let last = String(decoding: letters(lastColumn), as: UTF8.self) + String(lastRow)
        return first == last ? first : first + ":" + last
    }
}
