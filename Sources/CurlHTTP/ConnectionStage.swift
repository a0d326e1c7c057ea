import CCurl

/// How far a failed transfer got: what `assessment-batch check` reports on its DNS, connect
/// and TLS lines.
public enum ConnectionStage: Sendable, Equatable {
    /// The host name did not resolve (or the proxy's).
    case resolve
    /// No TCP connection: refused, unreachable, or the connect timed out.
    case connect
    /// The TLS handshake or the certificate check failed.
    case tls
    /// A connection was made; the request or its answer failed after that.
    case transfer
}

extension CurlError {
    /// The stage this failure belongs to.
    public var stage: ConnectionStage {
        switch code {
        case Int(CURLE_COULDNT_RESOLVE_HOST.rawValue), Int(CURLE_COULDNT_RESOLVE_PROXY.rawValue):
            return .resolve
        case Int(CURLE_COULDNT_CONNECT.rawValue):
            return .connect
        case Int(CURLE_SSL_CONNECT_ERROR.rawValue), Int(CURLE_PEER_FAILED_VERIFICATION.rawValue), Int(CURLE_SSL_CACERT_BADFILE.rawValue),
             Int(CURLE_SSL_CERTPROBLEM.rawValue), Int(CURLE_SSL_CIPHER.rawValue), Int(CURLE_SSL_ENGINE_NOTFOUND.rawValue),
             Int(CURLE_SSL_ISSUER_ERROR.rawValue), Int(CURLE_SSL_PINNEDPUBKEYNOTMATCH.rawValue), Int(CURLE_SSL_INVALIDCERTSTATUS.rawValue),
             Int(CURLE_SSL_CRL_BADFILE.rawValue), Int(CURLE_SSL_SHUTDOWN_FAILED.rawValue):
            return .tls
        case Int(CURLE_OPERATION_TIMEDOUT.rawValue):
            // A timeout before any byte came back counts as a connect problem (a filtered port).
            return detail.lowercased().contains("connect") ? .connect : .transfer
        default:
            return .transfer
        }
    }

    /// The CA bundle libcurl verifies servers against when no `--ca-bundle` is given (its
    /// build's default), or nil when it uses the TLS library's own store.
    public static var defaultCABundle: String? {
        guard let handle = curl_easy_init() else { return nil }
        defer { curl_easy_cleanup(handle) }
        var pointer: UnsafeMutablePointer<CChar>?
        guard ccurl_getinfo_string(handle, CURLINFO_CAINFO, &pointer) == CURLE_OK, let pointer else { return nil }
        return String(cString: pointer)
    }
}
