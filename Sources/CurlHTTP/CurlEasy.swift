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
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Sends one request and waits for its final response.
    ///
    /// Any HTTP status is a response; only a transfer that got no complete answer throws.
    public func perform(_ request: HTTPRequest) throws(CurlError) -> HTTPResponse {
        curl_easy_reset(handle)  // keeps live connections, drops per-request options
        sink.reset()
        errorBuffer[0] = 0

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // libcurl would otherwise wait for "100 Continue" before sending large bodies.
        headerList = curl_slist_append(headerList, "Expect:")

        try check(ccurl_setopt_string(handle, CURLOPT_URL, request.url))
        try setBaseline()
        try check(ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))

        let code: CURLcode = request.body.withUnsafeBytes { body in
            if request.method == "GET" && request.body.isEmpty {
                guard ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1) == CURLE_OK else { return CURLE_BAD_FUNCTION_ARGUMENT }
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
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body, newConnections: connects)
    }

    /// Options every request gets again after `curl_easy_reset`.
    private func setBaseline() throws(CurlError) {
        let context = Unmanaged.passUnretained(sink).toOpaque()
        try check(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        try check(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        try check(ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeoutMilliseconds))
        try check(ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, options.totalTimeoutMilliseconds))
        try check(ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedBytesPerSecond))
        try check(ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, options.lowSpeedSeconds))
        // Redirects stay on http(s); libcurl drops `Authorization` when one leaves the
        // original host and port (CURLOPT_UNRESTRICTED_AUTH stays off).
        try check(ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1))
        try check(ccurl_setopt_long(handle, CURLOPT_MAXREDIRS, 5))
        try check(ccurl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        try check(ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
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
        return CurlError(code: Int(code.rawValue), detail: detail)
    }
}

/// Collects what libcurl's callbacks deliver for one transfer.
private final class TransferSink {
    let limit: Int
    let cancellation: CancellationFlag?
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var exceededLimit = false

    init(limit: Int, cancellation: CancellationFlag?) {
        self.limit = limit
        self.cancellation = cancellation
    }

    func reset() {
        body.removeAll(keepingCapacity: true)
        headers.removeAll(keepingCapacity: true)
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
        var line = String(decoding: bytes, as: UTF8.self)
        while let last = line.last, last == "\n" || last == "\r" { line.removeLast() }
        if line.hasPrefix("HTTP/") {
            headers.removeAll(keepingCapacity: true)
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        headers.append((name: name, value: String(value)))
    }
}
