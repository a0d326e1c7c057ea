import CCurl

/// What `CurlEasy` does with a 3xx answer that names a `Location`.
///
/// libcurl's own following is off: it would forward the body and every header but
/// `Authorization` to wherever the server points, and turn some PATCHes into GETs. Only a
/// 307 or 308 to the same origin (scheme, host and port) is followed, with the same method,
/// body and headers, at most `maxHops` times; every other redirect fails the transfer with
/// an error that names its target, so the token never leaves the base URL's origin.
enum RedirectPolicy {
    static let maxHops = 5

    /// Returns when the redirect from `url` to `target` (`status`, the `hop`-th of this
    /// request, counting from 1) may be followed; throws the refusal otherwise.
    static func check(status: Int, from url: String, to target: String, hop: Int) throws(CurlError) {
        let code = Int(CURLE_TOO_MANY_REDIRECTS.rawValue)
        guard let origin = Origin(url: url), let targetOrigin = Origin(url: target), origin == targetOrigin else {
            throw CurlError(code: code, detail: "redirected to \(target): not followed, the token is only sent to the base URL",
                            refusedRedirect: target)
        }
        guard status == 307 || status == 308 else {
            throw CurlError(
                code: code,
                detail: "redirected to \(target) (HTTP \(status)): not followed, only 307 and 308 redirects within the base URL's "
                    + "scheme, host and port are followed (they keep the method and body)",
                refusedRedirect: target)
        }
        guard hop <= maxHops else {
            throw CurlError(code: code, detail: "redirected more than \(maxHops) times (last to \(target)): not followed",
                            refusedRedirect: target)
        }
    }
}

/// The scheme, host and port of a URL as libcurl parses it, the port filled in from the
/// scheme when absent.
struct Origin: Equatable {
    var scheme: String
    var host: String
    var port: String

    init?(url: String) {
        guard let handle = curl_url() else { return nil }
        defer { curl_url_cleanup(handle) }
        guard curl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK else { return nil }
        func part(_ which: CURLUPart, flags: UInt32 = 0) -> String? {
            var value: UnsafeMutablePointer<CChar>?
            guard curl_url_get(handle, which, &value, flags) == CURLUE_OK, let value else { return nil }
            defer { curl_free(value) }
            return String(cString: value)
        }
        // 1 = CURLU_DEFAULT_PORT: the scheme's port when the URL names none.
        guard let scheme = part(CURLUPART_SCHEME), let host = part(CURLUPART_HOST), let port = part(CURLUPART_PORT, flags: 1)
        else { return nil }
        self.scheme = scheme.lowercased()
        self.host = host.lowercased()
        self.port = port
    }
}
