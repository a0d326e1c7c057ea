import CCurl

/// A transfer that produced no HTTP response: libcurl's error code and its message.
public struct CurlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `CURLcode` value.
    public var code: Int
    /// libcurl's detailed message for this transfer (never contains request headers).
    public var detail: String

    public init(code: Int, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "curl error \(code): \(detail)" }

    /// The transfer ran out of time (connect, total or low-speed limit).
    public var isTimeout: Bool { code == Int(CURLE_OPERATION_TIMEDOUT.rawValue) }

    /// The transfer was aborted because its `CancellationFlag` was raised.
    public var isCancelled: Bool { code == Int(CURLE_ABORTED_BY_CALLBACK.rawValue) }

    /// The request may have reached the server but no complete answer came back, or the
    /// server could not be reached at all: worth retrying.
    public var isTransient: Bool {
        let transient: [CURLcode] = [
            CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT,
            CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE,
            CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_SSL_CONNECT_ERROR,
        ]
        return transient.contains { Int($0.rawValue) == code }
    }
}
