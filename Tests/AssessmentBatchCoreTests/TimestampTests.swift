import SharedSupport
import Foundation
import Testing
@testable import AssessmentBatchCore

struct TimestampTests {
    @Test(arguments: [
        ("2024-06-12T11:00:00Z", "2024-06-12T11:00:00Z"),
        ("2024-06-12t11:00:00z", "2024-06-12T11:00:00Z"),
        ("2024-06-12 13:30:00+02:30", "2024-06-12T11:00:00Z"),
        ("2024-06-12T11:00:00.5-01:00", "2024-06-12T12:00:00.5Z"),
        ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
        ("2024-02-29T00:00:00+01:00", "2024-02-28T23:00:00Z"),
        // The fraction keeps exactly the digits written, trailing zeros included.
        ("2024-06-12T11:00:00.120Z", "2024-06-12T11:00:00.120Z"),
        ("2024-06-12T11:00:00.000000001Z", "2024-06-12T11:00:00.000000001Z"),
        ("2024-06-12T13:00:00.123456789+02:00", "2024-06-12T11:00:00.123456789Z"),
        ("2024-06-12T11:00:00.0Z", "2024-06-12T11:00:00.0Z"),
    ])
    func parsesAndNormalisesToUTC(text: String, utc: String) throws {
        let timestamp = try Timestamp.parse(text).get()
        #expect(timestamp.description == utc)
    }

    @Test func writesDatesWithMilliseconds() {
        #expect(Timestamp(Date(timeIntervalSince1970: 1_764_039_730.1239)).description == "2025-11-25T03:02:10.123Z")
        #expect(Timestamp(Date(timeIntervalSince1970: 0)).description == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(Date(timeIntervalSince1970: -0.25)).description == "1969-12-31T23:59:59.750Z")
    }

    @Test func equalityIsByInstant() throws {
        #expect(try Timestamp.parse("2024-06-12T13:00:00+02:00").get() == Timestamp.parse("2024-06-12T11:00:00Z").get())
        #expect(try Timestamp.parse("2024-06-12T11:00:00.000Z").get() == Timestamp.parse("2024-06-12T11:00:00Z").get())
        #expect(try Timestamp.parse("2024-06-12T11:00:00.001Z").get() != Timestamp.parse("2024-06-12T11:00:00Z").get())
    }

    @Test func daylightSavingTimeInNamedZones() throws {
        let berlin = try #require(Timestamp.Zone("Europe/Berlin"))
        #expect(try Timestamp.parse("2024-01-15T12:00:00", zone: berlin).get().description == "2024-01-15T11:00:00Z")
        #expect(try Timestamp.parse("2024-07-15T12:00:00", zone: berlin).get().description == "2024-07-15T10:00:00Z")
        #expect(Timestamp.Zone("Mars/Olympus") == nil)
        #expect(Timestamp.Zone("+25:00") == nil)
    }
}
