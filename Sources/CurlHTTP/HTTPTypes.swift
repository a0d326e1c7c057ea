/// One HTTP request, ready to send.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    /// Header lines in order. Credentials belong in `Authorization`, the only header libcurl
    /// refuses to forward to another host on a redirect.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// The final response of a transfer (after any redirects).
public struct HTTPResponse: Sendable {
    public var status: Int
    /// The header lines of the final response as received (CRLF-terminated, no status line).
    public var headerLines: [UInt8]
    public var body: [UInt8]
    /// Connections libcurl had to open for this transfer (0 when one was reused).
    public var newConnections: Int

    public init(status: Int, headerLines: [UInt8] = [], body: [UInt8] = [], newConnections: Int = 0) {
        self.status = status
        self.headerLines = headerLines
        self.body = body
        self.newConnections = newConnections
    }

    /// The first value of a header, its name matched case-insensitively (ASCII), leading
    /// blanks dropped.
    public func header(_ name: String) -> String? {
        let wanted = Array(name.utf8).map(asciiLowercased)
        for line in headerLines.split(separator: UInt8(ascii: "\n")) {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")),
                  line[..<colon].lazy.map(asciiLowercased).elementsEqual(wanted)
            else { continue }
            var value = line[(colon + 1)...].drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            while value.last == UInt8(ascii: "\r") { value.removeLast() }
            return String(decoding: value, as: UTF8.self)
        }
        return nil
    }
}

private func asciiLowercased(_ byte: UInt8) -> UInt8 {
    byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
}

/// Limits applied to every transfer.
public struct TransportOptions: Sendable {
    /// Time allowed for the TCP and TLS handshakes.
    public var connectTimeoutMilliseconds: Int
    /// Time allowed for a whole transfer.
    public var totalTimeoutMilliseconds: Int
    /// A transfer slower than `lowSpeedBytesPerSecond` for `lowSpeedSeconds` is aborted.
    public var lowSpeedBytesPerSecond: Int
    public var lowSpeedSeconds: Int
    /// A CA bundle to trust instead of the system's.
    public var caBundlePath: String?
    /// Largest response body accepted; a bigger one fails the transfer.
    public var maxResponseBytes: Int
    public var userAgent: String

    public init(
        connectTimeoutMilliseconds: Int = 10_000,
        totalTimeoutMilliseconds: Int = 60_000,
        lowSpeedBytesPerSecond: Int = 1,
        lowSpeedSeconds: Int = 30,
        caBundlePath: String? = nil,
        maxResponseBytes: Int = 16 << 20,
        userAgent: String = "assessment-batch"
    ) {
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.totalTimeoutMilliseconds = totalTimeoutMilliseconds
        self.lowSpeedBytesPerSecond = lowSpeedBytesPerSecond
        self.lowSpeedSeconds = lowSpeedSeconds
        self.caBundlePath = caBundlePath
        self.maxResponseBytes = maxResponseBytes
        self.userAgent = userAgent
    }
}
