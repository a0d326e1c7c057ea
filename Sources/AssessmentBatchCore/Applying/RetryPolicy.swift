import Foundation

/// When and how long to wait before trying a request again.
public struct RetryPolicy: Sendable {
    /// Attempts per assessment, the first included.
    public var maxAttempts: Int
    /// The first backoff ceiling; it doubles per attempt.
    public var baseDelay: Double
    /// The largest backoff ceiling.
    public var maxDelay: Double
    /// The longest `Retry-After` honoured.
    public var maxRetryAfter: Double

    public init(maxAttempts: Int = 6, baseDelay: Double = 0.5, maxDelay: Double = 30, maxRetryAfter: Double = 120) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// HTTP statuses worth another attempt: the request was not processed or may succeed later.
    public static let retryableStatuses: Set<Int> = [408, 425, 429, 500, 502, 503, 504]

    /// Exponential backoff with full jitter: uniform in 0…min(maxDelay, base·2^(attempt−1)).
    public func backoff(afterAttempt attempt: Int, random: inout some RandomNumberGenerator) -> Double {
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(max(0, attempt - 1))))
        return Double.random(in: 0...ceiling, using: &random)
    }

    /// Seconds to wait from a `Retry-After` value (delta-seconds or an HTTP-date), capped.
    public func retryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let value = value?.trimmingWhitespace(), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds >= 0 { return min(seconds, maxRetryAfter) }
        guard let epoch = Self.httpDate(value) else { return nil }
        return min(max(0, epoch - now.timeIntervalSince1970), maxRetryAfter)
    }

    /// Seconds since 1970 of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, the only form
    /// RFC 9110 lets servers send). Parsed by hand: a Foundation date formatter costs an ICU
    /// load and is not safe to share between the worker threads that meet a 429.
    static func httpDate(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].count == 4, parts[0].hasSuffix(","), parts[5] == "GMT",
              let day = Int(parts[1]), parts[1].count == 2,
              let monthIndex = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
                .firstIndex(of: String(parts[2])),
              let year = Int(parts[3]), parts[3].count == 4
        else { return nil }
        let time = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 3, time.allSatisfy({ $0.count == 2 }),
              let hour = Int(time[0]), let minute = Int(time[1]), let second = Int(time[2]),
              hour < 24, minute < 60, second < 61, (1...31).contains(day)
        else { return nil }
        // Days from 1970-01-01 to the civil date (Howard Hinnant's days_from_civil).
        let month = monthIndex + 1
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Double(days * 86_400 + hour * 3_600 + minute * 60 + second)
    }
}
