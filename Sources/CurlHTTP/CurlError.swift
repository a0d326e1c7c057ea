import CCurl
import Foundation

/// A transfer that produced no HTTP response: libcurl's error code and its message.
public struct CurlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `CURLcode` value.
    public var code: Int
    /// libcurl's detailed message for this transfer (never contains request headers).
    public var detail: String
    /// The operating system's `errno` of a failed connect (0 when there was none).
    public var osError: Int32

    public init(code: Int, detail: String, osError: Int32 = 0) {
        self.code = code
        self.detail = detail
        self.osError = osError
    }

    public var description: String { "curl error \(code): \(detail)" }

    /// The transfer ran out of time (connect, total or low-speed limit).
    public var isTimeout: Bool { code == Int(CURLE_OPERATION_TIMEDOUT.rawValue) }

    /// The transfer was aborted because its `CancellationFlag` was raised.
    public var isCancelled: Bool { code == Int(CURLE_ABORTED_BY_CALLBACK.rawValue) }

    /// The server was not reached at all: refused connection, unknown host.
    public var isConnectFailure: Bool {
        [CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY].contains { Int($0.rawValue) == code }
    }

    /// Why a connect failed, in a few words ("connection refused", "host not found").
    public var connectDetail: String {
        if code == Int(CURLE_COULDNT_RESOLVE_HOST.rawValue) { return "host not found" }
        if code == Int(CURLE_COULDNT_RESOLVE_PROXY.rawValue) { return "proxy host not found" }
        if osError != 0, let text = strerror(osError) { return String(cString: text).lowercased() }
        return detail
    }

    /// The certificate chain or host name of the server did not verify.
    public var isCertificateProblem: Bool {
        [CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_ISSUER_ERROR,
         CURLE_SSL_PINNEDPUBKEYNOTMATCH].contains { Int($0.rawValue) == code }
    }

    /// The message a person reads when retrying cannot help.
    public var humanDescription: String {
        if isCertificateProblem {
            return "the server's TLS certificate is not trusted (\(detail)): pass --ca-bundle FILE with the CA that signed it, or check the host name in --base-url"
        }
        return description
    }

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
