/// How much a workbook's parts may inflate to: a zip bomb is refused while it inflates, by
/// counting the bytes that come out, not by trusting the sizes the zip declares.
public struct WorkbookLimits: Sendable {
    /// A part that inflates to more than `ratio` times its compressed size *and* more than
    /// `ratioFloorBytes` is refused. Sheets spreadsheet programs write compress about 5–30:1;
    /// deflate itself cannot exceed about 1030:1, so a bomb made of one part sits near that
    /// and is caught well below it.
    public var ratio: UInt64
    public var ratioFloorBytes: UInt64
    /// No part may inflate beyond this, however it is compressed (a sheet of Excel's maximal
    /// 1,048,576 rows by 25 text columns stays well below it).
    public var maxPartBytes: UInt64
    /// Parts held in memory (shared strings, styles, workbook, relationships) are capped lower.
    public var maxHeldPartBytes: UInt64

    public init(ratio: UInt64 = 200, ratioFloorBytes: UInt64 = 32 << 20, maxPartBytes: UInt64 = 8 << 30, maxHeldPartBytes: UInt64 = 1 << 30) {
        self.ratio = ratio
        self.ratioFloorBytes = ratioFloorBytes
        self.maxPartBytes = maxPartBytes
        self.maxHeldPartBytes = maxHeldPartBytes
    }
}
