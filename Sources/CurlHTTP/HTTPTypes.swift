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
    /// Header lines of the final response, names as the server spelled them.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Connections libcurl had to open for this transfer (0 when one was reused).
    public var newConnections: Int

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [], newConnections: Int = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.newConnections = newConnections
    }

    /// The first value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
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
