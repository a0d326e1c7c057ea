import Foundation
import StrictJSON
import Testing

@testable import AssessmentSimulator

@Suite("Parsing units")
struct UnitTests {
    @Test(arguments: [
        ("2024-06-12T11:00:00Z", "2024-06-12T11:00:00Z"),
        ("2024-06-12T13:00:00+02:00", "2024-06-12T11:00:00Z"),
        ("2024-06-12T00:30:00-01:00", "2024-06-12T01:30:00Z"),
        ("2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00Z"),
        ("2024-02-29T12:00:00.5z", "2024-02-29T12:00:00.5Z"),
        ("2024-06-12t11:00:00.123456789Z", "2024-06-12T11:00:00.123456789Z"),
    ])
    func validDatesNormaliseToUTC(input: String, output: String) {
        #expect(SimDate.parseRFC3339(input)?.rfc3339 == output)
    }

    @Test(arguments: [
        "2024-06-12T11:00:00", "2024-06-12", "2024-06-12 11:00:00Z", "2023-02-29T00:00:00Z", "2024-06-12T24:00:00Z",
        "2024-06-12T11:60:00Z", "2024-06-12T11:00:60Z", "2024-06-12T11:00:00+2:00", "2024-06-12T11:00:00+02", "2024-06-12T11:00:00.Z",
        "2024-06-12T11:00:00.1234567890Z", "2024-6-12T11:00:00Z", "2024-06-12T11:00:00Z ", "9999-12-31T23:00:00-02:00",
    ])
    func invalidDatesAreRejected(input: String) {
        #expect(SimDate.parseRFC3339(input) == nil)
    }

    @Test func millisecondStampsFormatWithThreeDigits() {
        #expect(SimDate(milliseconds: 1_718_190_000_007).rfc3339 == "2024-06-12T11:00:00.007Z")
        #expect(SimDate(milliseconds: 0).rfc3339 == "1970-01-01T00:00:00.000Z")
    }

    /// The parser itself is StrictJSON's (tested there); these are the simulator's views of it.
    @Test func integerLiteralsAreTellApartFromOtherNumbers() throws {
        let value = try Array(#"[1, -2, 3.5, 1e2, 99999999999999999999]"#.utf8).withUnsafeBytes { try JSONParser.parse($0) }
        let elements = try #require(value.arrayValue)
        #expect(elements.map(\.int64Value) == [1, -2, nil, nil, nil])
        #expect(elements.map(\.typeName) == ["integer", "integer", "number", "number", "number"])
    }
}
