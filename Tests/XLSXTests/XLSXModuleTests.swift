import Testing
@testable import XLSX

/// Placeholder suite so the test target builds before the reader and writer land.
@Suite struct XLSXModuleTests {
    @Test func moduleIsLinked() {
        #expect(String(describing: XLSX.self) == "XLSX")
    }
}
