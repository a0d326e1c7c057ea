import CCurl

/// One libcurl easy handle: performs blocking requests one at a time and keeps its
/// connection alive between them.
///
/// Not `Sendable` on purpose: libcurl forbids using a handle from two threads at once, so
/// each worker creates its own handle on its own thread and keeps it for its whole life.
public final class CurlEasy {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let options: TransportOptions
    private let sink: TransferSink

    /// - Parameters:
    ///   - options: timeouts and limits applied to every request.
    ///   - cancellation: when raised, a running transfer aborts within about a second.
    public init(options: TransportOptions = TransportOptions(), cancellation: CancellationFlag? = nil) throws(CurlError) {
        guard let handle = curl_easy_init() else {
            throw CurlError(code: Int(CURLE_FAILED_INIT.rawValue), detail: "curl_easy_init failed")
        }
        self.handle = handle
        self.options = options
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        self.sink = TransferSink(limit: options.maxResponseBytes, cancellation: cancellation)
        try setBaseline()
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// Sends one request and waits for its final response.
    ///
    /// Any HTTP status is a response; only a transfer that got no complete answer throws, and
    /// so does a redirect that `RedirectPolicy` does not follow (`isRedirectRefused`). The
    /// domain calls it through ``HTTPTransport/perform(_:)``, which classifies the error.
    public func send(_ request: HTTPRequest) throws(CurlError) -> HTTPResponse {
        var url = request.url
        var connections = 0
        var hop = 0
        while true {
            var response = try performOnce(request, url: url)
            connections += response.newConnections
            guard (300..<400).contains(response.status), let target = redirectURL() else {
                response.newConnections = connections
                return response
            }
            hop += 1
            try RedirectPolicy.check(status: response.status, from: url, to: target, hop: hop)
            url = target
        }
    }

    /// The absolute URL the last response's `Location` points to, if any.
    private func redirectURL() -> String? {
        var pointer: UnsafeMutablePointer<CChar>?
        guard ccurl_getinfo_string(handle, CURLINFO_REDIRECT_URL, &pointer) == CURLE_OK, let pointer else { return nil }
        return String(cString: pointer)
    }

    /// One transfer to `url`, redirects not followed.
    private func performOnce(_ request: HTTPRequest, url: String) throws(CurlError) -> HTTPResponse {
        // The options of `setBaseline` stay set; only what differs per request is set here.
        sink.reset()
        errorBuffer[0] = 0
        try check(ccurl_setopt_string(handle, CURLOPT_URL, url))
        try check(ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList(for: request.headers)))

        let code: CURLcode = request.body.withUnsafeBytes { body in
            if request.method == "GET" && request.body.isEmpty {
                guard ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, nil) == CURLE_OK,
                      ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1) == CURLE_OK
                else { return CURLE_BAD_FUNCTION_ARGUMENT }
            } else {
                guard ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method) == CURLE_OK,
                      ccurl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)) == CURLE_OK,
                      // Not copied by libcurl: `body` stays valid until perform returns.
                      ccurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: body.baseAddress ?? UnsafeRawPointer(errorBuffer)))
                        == CURLE_OK
                else { return CURLE_BAD_FUNCTION_ARGUMENT }
            }
            return withExtendedLifetime(sink) { curl_easy_perform(handle) }
        }
        guard code == CURLE_OK else {
            throw failure(code)
        }
        var status = 0
        var connects = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        _ = ccurl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        return HTTPResponse(status: status, headerLines: sink.headerLines, body: sink.body, newConnections: connects)
    }

    /// The header lines of the last request, built again only when they change (workers send
    /// the same few header sets over and over).
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var headerListSource: [(name: String, value: String)] = []

    private func headerList(for headers: [(name: String, value: String)]) throws(CurlError) -> UnsafeMutablePointer<curl_slist>? {
        if headerList != nil && headers.elementsEqual(headerListSource, by: { $0.name == $1.name && $0.value == $1.value }) {
            return headerList
        }
        curl_slist_free_all(headerList)
        headerList = nil
        headerListSource = headers
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers {
            list = curl_slist_append(list, "\(name): \(value)")
        }
        // libcurl would otherwise wait for "100 Continue" before sending large bodies.
        list = curl_slist_append(list, "Expect:")
        guard list != nil else { throw CurlError(code: Int(CURLE_OUT_OF_MEMORY.rawValue), detail: "curl_slist_append failed") }
        headerList = list
        return list
    }

    /// Options every request of this handle shares, set once.
    private func setBaseline() throws(CurlError) {
        let context = Unmanaged.passUnretained(sink).toOpaque()
        try check(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        try check(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        try check(ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeoutMilliseconds))
        try check(ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, options.totalTimeoutMilliseconds))
        try check(ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedBytesPerSecond))
        try check(ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, options.lowSpeedSeconds))
        // Redirects are `perform`'s decision (RedirectPolicy), never libcurl's.
        try check(ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        try check(ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        // No CURLOPT_PROXY / NOPROXY here: libcurl then takes them from https_proxy,
        // HTTPS_PROXY, http_proxy and NO_PROXY, as curl does. TLS peer and host verification
        // stay at libcurl's defaults (on); no option of this tool turns them off.
        try check(ccurl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""))
        try check(ccurl_setopt_string(handle, CURLOPT_USERAGENT, options.userAgent))
        if let caBundle = options.caBundlePath {
            try check(ccurl_setopt_string(handle, CURLOPT_CAINFO, caBundle))
        }
        try check(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
        try check(ccurl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION, { data, size, count, context in
            guard let data, let context else { return 0 }
            let sink = Unmanaged<TransferSink>.fromOpaque(context).takeUnretainedValue()
            return sink.appendBody(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
        }))
        try check(ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context))
        try check(ccurl_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION, { data, size, count, context in
            guard let data, let context else { return 0 }
            let sink = Unmanaged<TransferSink>.fromOpaque(context).takeUnretainedValue()
            sink.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }))
        try check(ccurl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        try check(ccurl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context))
        try check(ccurl_setopt_xferinfo_callback(handle, { context, _, _, _, _ in
            guard let context else { return 0 }
            let sink = Unmanaged<TransferSink>.fromOpaque(context).takeUnretainedValue()
            return sink.cancellation?.isCancelled == true ? 1 : 0
        }))
    }

    private func check(_ code: CURLcode) throws(CurlError) {
        guard code == CURLE_OK else { throw failure(code) }
    }

    private func failure(_ code: CURLcode) -> CurlError {
        if sink.exceededLimit {
            return CurlError(code: Int(code.rawValue), detail: "response body larger than \(options.maxResponseBytes) bytes")
        }
        let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        var osError = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_OS_ERRNO, &osError)
        return CurlError(code: Int(code.rawValue), detail: detail, osError: Int32(clamping: osError))
    }
}

/// Collects what libcurl's callbacks deliver for one transfer.
private final class TransferSink {
    let limit: Int
    let cancellation: CancellationFlag?
    var body: [UInt8] = []
    /// The header lines of the last response, as received.
    var headerLines: [UInt8] = []
    var exceededLimit = false

    init(limit: Int, cancellation: CancellationFlag?) {
        self.limit = limit
        self.cancellation = cancellation
    }

    func reset() {
        body.removeAll(keepingCapacity: true)
        headerLines.removeAll(keepingCapacity: true)
        exceededLimit = false
    }

    func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= limit else {
            exceededLimit = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// Keeps the headers of the last response only: a status line starts a new set (after
    /// a redirect or an interim 1xx answer).
    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        if bytes.starts(with: "HTTP/".utf8) {
            headerLines.removeAll(keepingCapacity: true)
            return
        }
        headerLines.append(contentsOf: bytes)
    }
}
