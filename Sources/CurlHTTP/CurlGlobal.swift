import CCurl
import Synchronization

/// libcurl's process-wide set-up, which must happen before any thread uses libcurl.
public enum CurlGlobal {
    private static let state = Mutex<CURLcode?>(nil)

    /// Runs `curl_global_init` once; later calls return the first result.
    ///
    /// Call it from the main thread before starting workers. The process never calls
    /// `curl_global_cleanup`: every easy handle is cleaned up by its worker before exit, and
    /// leaving the global state to the OS avoids OpenSSL's exit-time races.
    public static func initialize() throws(CurlError) {
        let code = state.withLock { code -> CURLcode in
            if let code { return code }
            let result = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
            code = result
            return result
        }
        guard code == CURLE_OK else {
            throw CurlError(code: Int(code.rawValue), detail: "curl_global_init failed")
        }
    }
}
