import SharedSupport

/// Excel's serial dates: a number of days (the fraction is the time of day) since the workbook's
/// epoch, with no time zone. In the 1900 system day 1 is 1900-01-01 and day 60 is the
/// 1900-02-29 that never was (kept for Lotus 1-2-3); the 1904 system counts from 1904-01-01.
public enum WorkbookDate {
    /// The local date-time a serial number shows, as `2024-06-12T13:00:00` (with `.mmm` when the
    /// time has milliseconds), or nil for a number that is no date (negative, day 60 of 1900,
    /// beyond year 9999, not a number).
    public static func localDateTime(serial text: String, date1904: Bool) -> String? {
        guard let serial = Double(text), serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        var milliseconds = Int64((serial * 86_400_000).rounded())
        var days = milliseconds / 86_400_000
        milliseconds -= days * 86_400_000
        // Days since 1970-01-01 of the serial's day.
        if date1904 {
            days += -24_107  // 1904-01-01
        } else {
            if days == 60 { return nil }
            if days < 60 { days += 1 }  // before the phantom day, serials run one ahead
            days += -25_569  // 1899-12-30
        }
        let (year, month, day) = CivilCalendar.civil(fromDays: days)
        guard year >= 1900, year <= 9999 else { return nil }
        let seconds = Int(milliseconds / 1000)
        let fraction = Int(milliseconds % 1000)
        var result = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))"
        if fraction != 0 { result += "." + pad(fraction, 3) }
        return result
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
