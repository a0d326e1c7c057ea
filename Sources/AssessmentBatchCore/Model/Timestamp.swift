import Foundation
import SharedSupport

/// An instant parsed from an RFC 3339 date-time, kept with the text sent to the API.
///
/// Two timestamps are equal when they name the same instant, whatever offset they were
/// written with (`2024-06-12T13:00:00+02:00` == `2024-06-12T11:00:00Z`).
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    public let seconds: Int64
    /// Nanoseconds within the second.
    public let nanoseconds: Int32
    /// How many fraction digits were written (0–9): with `nanoseconds` they give back the
    /// digits exactly, so a value round-trips unchanged, in 16 bytes a timestamp instead of 32.
    private let fractionDigitCount: UInt8

    init(seconds: Int64, nanoseconds: Int32, fractionDigitCount: Int) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.fractionDigitCount = UInt8(fractionDigitCount)
    }

    /// The instant `date` names, written with milliseconds (`2026-11-25T03:02:10.123Z`).
    ///
    /// The tool's one way to write a time: Foundation's date formatters would load ICU's data,
    /// several megabytes of memory, for this one format.
    public init(_ date: Date) {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let (seconds, remainder) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let negative = remainder < 0
        self.init(seconds: negative ? seconds - 1 : seconds, nanoseconds: Int32(negative ? remainder + 1000 : remainder) * 1_000_000,
                  fractionDigitCount: 3)
    }

    public static func == (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.seconds == rhs.seconds && lhs.nanoseconds == rhs.nanoseconds
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(seconds)
        hasher.combine(nanoseconds)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    /// RFC 3339 in UTC, e.g. `2024-06-12T11:00:00Z`: the form the tool sends.
    public var description: String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = CivilCalendar.civil(fromDays: days)
        var text = "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))T"
        text += "\(Self.pad(secondOfDay / 3600, 2)):\(Self.pad(secondOfDay / 60 % 60, 2)):\(Self.pad(secondOfDay % 60, 2))"
        if fractionDigitCount > 0 {
            let digits = String(nanoseconds)
            text += "." + (String(repeating: "0", count: 9 - digits.count) + digits).prefix(Int(fractionDigitCount))
        }
        return text + "Z"
    }

    /// A time zone used for timestamps written without an offset.
    public enum Zone: Sendable {
        case fixed(offsetSeconds: Int)
        case named(TimeZone)

        /// Parses `+01:00`, `-05:30`, `Z`/`UTC`, or an IANA name such as `Europe/Berlin`.
        public init?(_ text: String) {
            if text == "Z" || text.uppercased() == "UTC" {
                self = .fixed(offsetSeconds: 0)
            } else if let offset = Timestamp.parseOffset(text) {
                self = .fixed(offsetSeconds: offset)
            } else if text.contains("/"), let zone = TimeZone(identifier: text) {
                self = .named(zone)
            } else {
                return nil
            }
        }

        func offset(forLocalSeconds local: Int64) -> Int {
            switch self {
            case .fixed(let offset):
                return offset
            case .named(let zone):
                // Guess with the offset at `local` read as UTC, then correct once (DST edges).
                let guess = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local)))
                return zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local - Int64(guess))))
            }
        }
    }

    /// Why a text is not an accepted date-time.
    public enum ParseFailure: Error, Equatable {
        case malformed
        case missingOffset
    }

    /// Parses an RFC 3339 date-time (`T` or a space between date and time, optional
    /// fraction, `Z` or `±HH:MM`). A value without an offset is read in `zone`, or rejected
    /// when there is none.
    public static func parse(_ text: String, zone: Zone? = nil) -> Result<Timestamp, ParseFailure> {
        var text = text
        return text.withUTF8 { parse($0, zone: zone) }
    }

    /// Parses the UTF-8 of an RFC 3339 date-time; see `parse(_:zone:)`.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, zone: Zone? = nil) -> Result<Timestamp, ParseFailure> {
        guard bytes.count >= 19,
              let year = number(bytes, 0, 4), bytes[4] == UInt8(ascii: "-"),
              let month = number(bytes, 5, 2), bytes[7] == UInt8(ascii: "-"),
              let day = number(bytes, 8, 2),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
              let hour = number(bytes, 11, 2), bytes[13] == UInt8(ascii: ":"),
              let minute = number(bytes, 14, 2), bytes[16] == UInt8(ascii: ":"),
              let second = number(bytes, 17, 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60
        else { return .failure(.malformed) }
        var index = 19
        var nanoseconds: Int32 = 0
        var fractionDigitCount = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            var scale: Int32 = 100_000_000
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
                nanoseconds += Int32(bytes[index] &- UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            fractionDigitCount = index - start
            guard fractionDigitCount > 0, fractionDigitCount <= 9 else { return .failure(.malformed) }
        }
        let local = CivilCalendar.days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        let offset: Int
        if index == bytes.count {
            guard let zone else { return .failure(.missingOffset) }
            offset = zone.offset(forLocalSeconds: local)
        } else if index + 1 == bytes.count, bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") {
            offset = 0
        } else if let parsed = parseOffset(UnsafeBufferPointer(rebasing: bytes[index...])) {
            offset = parsed
        } else {
            return .failure(.malformed)
        }
        return .success(Timestamp(seconds: local - Int64(offset), nanoseconds: nanoseconds, fractionDigitCount: fractionDigitCount))
    }

    /// `±HH:MM` in seconds.
    static func parseOffset(_ text: String) -> Int? {
        var text = text
        return text.withUTF8 { parseOffset($0) }
    }

    /// `±HH:MM` in seconds.
    static func parseOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count == 6, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"), bytes[3] == UInt8(ascii: ":"),
              let hours = number(bytes, 1, 2), let minutes = number(bytes, 4, 2), hours < 24, minutes < 60
        else { return nil }
        let offset = hours * 3600 + minutes * 60
        return bytes[0] == UInt8(ascii: "-") ? -offset : offset
    }

    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for index in start..<start + count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
