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
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return min(max(0, date.timeIntervalSince(now)), maxRetryAfter)
    }
}
