import Testing
@testable import XLSX

/// `WriteCellReference`: column letters and A1 ranges.
@Suite struct WriteCellReferenceTests {
    @Test func columnLettersAndRanges() {
        #expect(String(decoding: WriteCellReference.letters(0), as: UTF8.self) == "A")
        #expect(String(decoding: WriteCellReference.letters(25), as: UTF8.self) == "Z")
        #expect(String(decoding: WriteCellReference.letters(26), as: UTF8.self) == "AA")
        #expect(String(decoding: WriteCellReference.letters(701), as: UTF8.self) == "ZZ")
        #expect(String(decoding: WriteCellReference.letters(702), as: UTF8.self) == "AAA")
        #expect(WriteCellReference.range(firstColumn: 0, firstRow: 1, lastColumn: 24, lastRow: 900) == "A1:Y900")
        #expect(WriteCellReference.range(firstColumn: 0, firstRow: 1, lastColumn: 0, lastRow: 1) == "A1")
    }
}
