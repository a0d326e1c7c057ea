import CCurl
import Foundation

/// A transfer that produced no HTTP response: libcurl's error code and its message.
public struct CurlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `CURLcode` value.
    public var code: Int
    /// libcurl's detailed message for this transfer (never contains request headers).
    public var detail: String
    /// The absolute URL of a redirect that was not followed (the whole message is in `detail`).
    public var refusedRedirect: String?
    /// The operating system's `errno` of a failed connect (0 when there was none).
    public var osError: Int32

    public init(code: Int, detail: String, refusedRedirect: String? = nil, osError: Int32 = 0) {
        self.code = code
        self.detail = detail
        self.refusedRedirect = refusedRedirect
        self.osError = osError
    }

    /// What a person can act on: the certificate and CA-file failures say what to pass; a
    /// refused redirect says where it pointed; anything else is libcurl's own text.
    public var description: String {
        if refusedRedirect != nil { return detail }
        switch code {
        case Int(CURLE_PEER_FAILED_VERIFICATION.rawValue):
            if detail.contains("subject name") || detail.contains("does not match") || detail.contains("no alternative") {
                return "the server's TLS certificate is not valid for this host name (\(detail)): "
                    + "use the host name the certificate was issued for in --base-url"
            }
            if detail.contains("expired") || detail.contains("not yet valid") {
                return "the server's TLS certificate is out of its validity period (\(detail)): the server must renew it"
            }
            return "the server's TLS certificate is not trusted (\(detail)): pass --ca-bundle FILE with the CA that signed it"
        case Int(CURLE_SSL_CACERT_BADFILE.rawValue):
            return "cannot use the CA bundle (\(detail)): --ca-bundle must name a readable PEM file of CA certificates"
        case Int(CURLE_SSL_CERTPROBLEM.rawValue), Int(CURLE_SSL_CIPHER.rawValue), Int(CURLE_SSL_ENGINE_NOTFOUND.rawValue):
            return "TLS failed (\(detail))"
        default:
            return "curl error \(code): \(detail)"
        }
    }

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

    /// The server answered with a redirect that was not followed (another origin, or a kind
    /// that would change the request): every request would get the same, so the run stops.
    public var isRedirectRefused: Bool { refusedRedirect != nil }

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
