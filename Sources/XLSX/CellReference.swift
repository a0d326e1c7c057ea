/// A cell's A1-style address (`D17`: column 4, row 17), both ways: messages name cells the way
/// a spreadsheet shows them, and a sheet's `r` attributes are parsed back to positions.
public struct CellReference: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// 1-based column: A = 1, Z = 26, AA = 27, XFD = 16384 (Excel's last column).
    public var column: Int
    /// 1-based row.
    public var row: Int

    /// Excel's limits, which also bound what a hostile `r` attribute can make the reader do.
    public static let maxColumn = 16_384
    public static let maxRow = 1_048_576

    public init(column: Int, row: Int) {
        self.column = column
        self.row = row
    }

    /// Parses `D17` (letters in either case, then digits); nil for anything else or beyond
    /// Excel's limits. `$` anchors (`$D$17`) are accepted and dropped.
    public init?(_ text: String) {
        var text = text
        guard let parsed = text.withUTF8({ CellReference(bytes: $0) }) else { return nil }
        self = parsed
    }

    /// Parses the bytes of an `r` attribute without making a `String`.
    public init?(bytes: UnsafeBufferPointer<UInt8>) {
        var index = 0
        var column = 0
        if index < bytes.count && bytes[index] == UInt8(ascii: "$") { index += 1 }
        while index < bytes.count, let letter = Self.letterValue(bytes[index]) {
            column = column * 26 + letter
            guard column <= Self.maxColumn else { return nil }
            index += 1
        }
        guard column > 0 else { return nil }
        if index < bytes.count && bytes[index] == UInt8(ascii: "$") { index += 1 }
        guard let row = Self.rowNumber(bytes, from: index) else { return nil }
        self.init(column: column, row: row)
    }

    /// Parses only the column letters at the start of `bytes` (`D` of `D17`); nil without any.
    public static func column(bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var column = 0
        var index = 0
        if index < bytes.count && bytes[index] == UInt8(ascii: "$") { index += 1 }
        while index < bytes.count, let letter = letterValue(bytes[index]) {
            column = column * 26 + letter
            guard column <= maxColumn else { return nil }
            index += 1
        }
        return column > 0 ? column : nil
    }

    /// A row number of 1…`maxRow` written in decimal digits (a row's `r` attribute).
    public static func rowNumber(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> Int? {
        guard start < bytes.count else { return nil }
        var row = 0
        for index in start..<bytes.count {
            let digit = Int(bytes[index]) - 48
            guard digit >= 0 && digit <= 9 else { return nil }
            row = row * 10 + digit
            guard row <= maxRow else { return nil }
        }
        return row > 0 ? row : nil
    }

    /// The letters of a 1-based column: 1 → `A`, 27 → `AA`.
    public static func columnName(_ column: Int) -> String {
        var letters: [UInt8] = []
        var rest = column
        while rest > 0 {
            let remainder = (rest - 1) % 26
            letters.append(UInt8(ascii: "A") + UInt8(remainder))
            rest = (rest - 1) / 26
        }
        return String(decoding: letters.reversed(), as: UTF8.self)
    }

    /// `D17`.
    public var description: String { Self.columnName(column) + String(row) }

    /// `A1:Y900` for the block from `first` to `last`; one cell's address when they are the same.
    public static func range(_ first: CellReference, _ last: CellReference) -> String {
        first == last ? first.description : "\(first):\(last)"
    }

    public static func < (lhs: CellReference, rhs: CellReference) -> Bool {
        (lhs.row, lhs.column) < (rhs.row, rhs.column)
    }

    private static func letterValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int(byte - UInt8(ascii: "A")) + 1
        case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(byte - UInt8(ascii: "a")) + 1
        default: nil
        }
    }
}
