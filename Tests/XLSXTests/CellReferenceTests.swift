import Testing
@testable import XLSX

/// Cell addresses both ways, at Excel's limits.
@Suite struct CellReferenceTests {
    @Test func parsesAndPrintsAddresses() {
        #expect(CellReference("D17") == CellReference(column: 4, row: 17))
        #expect(CellReference("aa1") == CellReference(column: 27, row: 1))
        #expect(CellReference("$B$2") == CellReference(column: 2, row: 2))
        #expect(CellReference("XFD1048576") == CellReference(column: 16_384, row: 1_048_576))
        for bad in ["", "A", "17", "A0", "XFE1", "A1048577", "A1B", "Ä1", "A-1"] { #expect(CellReference(bad) == nil, "\(bad)") }
        #expect(CellReference(column: 4, row: 17).description == "D17")
        #expect(CellReference.columnName(26) == "Z")
        #expect(CellReference.columnName(27) == "AA")
        #expect(CellReference.columnName(702) == "ZZ")
        #expect(CellReference.columnName(703) == "AAA")
        #expect(CellReference.columnName(16_384) == "XFD")
        #expect(CellReference(column: 2, row: 1) < CellReference(column: 1, row: 2))
    }

    @Test func rangesOfCells() {
        #expect(CellReference.range(CellReference(column: 1, row: 1), CellReference(column: 25, row: 900)) == "A1:Y900")
        #expect(CellReference.range(CellReference(column: 1, row: 1), CellReference(column: 1, row: 1)) == "A1")
        #expect(CellReference.columnName(26) == "Z")
        #expect(CellReference.columnName(27) == "AA")
        #expect(CellReference.columnName(702) == "ZZ")
    }
}
