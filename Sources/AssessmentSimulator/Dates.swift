import StrictJSON
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An instant in UTC with the precision it was written with.
///
/// Deliberately not the tool's `Timestamp`: the simulator parses and compares dates with its own
/// code so that it checks the tool's date handling instead of sharing its mistakes.
///
/// Dates are kept as seconds since the Unix epoch plus nanoseconds, and remember how many
/// fractional digits to print (0 = none), so that a client's `…T11:00:00.250+02:00` comes back
/// as `…T09:00:00.250Z`: normalised to UTC, nothing lost.
struct SimDate: Sendable, Hashable, Comparable {
    var seconds: Int64
    var nanos: Int32
    var fractionDigits: UInt8

    init(seconds: Int64, nanos: Int32 = 0, fractionDigits: UInt8 = 0) {
        self.seconds = seconds
        self.nanos = nanos
        self.fractionDigits = fractionDigits
    }

    /// Milliseconds since the epoch, printed with exactly three fractional digits.
    init(milliseconds: Int64) {
        let (q, r) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        if r < 0 {
            self.init(seconds: q - 1, nanos: Int32(r + 1000) * 1_000_000, fractionDigits: 3)
        } else {
            self.init(seconds: q, nanos: Int32(r) * 1_000_000, fractionDigits: 3)
        }
    }

    var milliseconds: Int64 { self.seconds * 1000 + Int64(self.nanos / 1_000_000) }

    /// Same instant (precision of the text ignored).
    func sameInstant(as other: SimDate) -> Bool {
        self.seconds == other.seconds && self.nanos == other.nanos
    }

    static func < (lhs: SimDate, rhs: SimDate) -> Bool {
        (lhs.seconds, lhs.nanos) < (rhs.seconds, rhs.nanos)
    }

    /// The current wall-clock time in milliseconds.
    static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    // MARK: Civil calendar (Howard Hinnant's algorithms)

    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func isLeapYear(_ year: Int64) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // MARK: Formatting

    /// RFC 3339 in UTC with `Z`, e.g. `2024-06-12T11:00:00Z` or `2024-06-12T11:00:00.123Z`.
    var rfc3339: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        self.write(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the RFC 3339 text (without quotes).
    func write(into bytes: inout [UInt8]) {
        let (days, secondOfDay) = self.seconds.quotientAndRemainder(dividingBy: 86_400)
        let (d, s) = secondOfDay < 0 ? (days - 1, secondOfDay + 86_400) : (days, secondOfDay)
        let civil = Self.civilFromDays(d)
        func put(_ value: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            var v = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(v / divisor % 10))
                v %= divisor
                divisor /= 10
            }
        }
        put(civil.year, 4)
        bytes.append(UInt8(ascii: "-"))
        put(civil.month, 2)
        bytes.append(UInt8(ascii: "-"))
        put(civil.day, 2)
        bytes.append(UInt8(ascii: "T"))
        put(s / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        put(s / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        put(s % 60, 2)
        if self.fractionDigits > 0 {
            bytes.append(UInt8(ascii: "."))
            var divisor: Int32 = 100_000_000
            for _ in 0..<self.fractionDigits {
                bytes.append(UInt8(ascii: "0") + UInt8(self.nanos / divisor % 10))
                divisor /= 10
            }
        }
        bytes.append(UInt8(ascii: "Z"))
    }

    // MARK: Parsing

    /// Parses an RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    /// The offset is required; `T`/`Z` may be lower case; at most 9 fractional digits; seconds
    /// 00-59 (no leap second). Returns nil for anything else.
    static func parseRFC3339(_ text: String) -> SimDate? {
        let b = Array(text.utf8)
        guard b.count >= 20 else { return nil }
        func digits(_ start: Int, _ count: Int) -> Int64? {
            guard start + count <= b.count else { return nil }
            var value: Int64 = 0
            for i in start..<(start + count) {
                let c = b[i]
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(c - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = digits(0, 4), b[4] == UInt8(ascii: "-"),
            let month = digits(5, 2), b[7] == UInt8(ascii: "-"),
            let day = digits(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
            let hour = digits(11, 2), b[13] == UInt8(ascii: ":"),
            let minute = digits(14, 2), b[16] == UInt8(ascii: ":"),
            let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
            hour <= 23, minute <= 59, second <= 59
        else { return nil }
        var index = 19
        var nanos: Int64 = 0
        var fractionDigits = 0
        if index < b.count, b[index] == UInt8(ascii: ".") {
            index += 1
            while index < b.count, b[index] >= UInt8(ascii: "0"), b[index] <= UInt8(ascii: "9") {
                fractionDigits += 1
                guard fractionDigits <= 9 else { return nil }
                nanos = nanos * 10 + Int64(b[index] - UInt8(ascii: "0"))
                index += 1
            }
            guard fractionDigits > 0 else { return nil }
            for _ in fractionDigits..<9 { nanos *= 10 }
        }
        guard index < b.count else { return nil }
        var offsetSeconds: Int64 = 0
        switch b[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = b[index] == UInt8(ascii: "+") ? 1 : -1
            guard let oh = digits(index + 1, 2), index + 3 < b.count, b[index + 3] == UInt8(ascii: ":"),
                let om = digits(index + 4, 2), oh <= 23, om <= 59
            else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
            index += 6
        default:
            return nil
        }
        guard index == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        let utcDays = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        guard (0...9999).contains(civilFromDays(utcDays).year) else { return nil }
        return SimDate(seconds: seconds, nanos: Int32(nanos), fractionDigits: UInt8(fractionDigits))
    }
}
