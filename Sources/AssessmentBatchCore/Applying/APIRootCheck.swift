import CurlHTTP
import Foundation

/// The first request of every run: one cheap, documented read whose answer tells whether the
/// base URL leads to the API at all, so a wrong URL stops the run with one clear message
/// instead of failing every assessment.
enum APIRootCheck {
    /// `GET /quality/scorecard`: readable by every user, answers a bare JSON array.
    static let path = "/quality/scorecard"
    /// Where the API lives under an instance's host.
    static let apiPath = "/api/mind"

    /// The verdict on the check's `result` (a GET of `url`).
    static func verdict(_ result: SendResult, url: String, baseURL: String) -> APIRootVerdict {
        switch result {
        case .answered(let response) where response.status >= 500:
            return .unknown("GET \(url) answered \(response.statusAndMessage(limit: 120))")
        case .answered(let response):
            return problem(with: response, url: url, baseURL: baseURL).map { .notTheAPI($0) } ?? .api
        case .exhausted(let message, _):
            return .unknown("GET \(url) got no usable answer (\(message))")
        case .unauthorized, .stopped:
            return .stopped  // the run is already stopping, with its reason
        }
    }

    /// What is wrong with `response` to `GET url`, or nil when it is the API's list of scorecards.
    static func problem(with response: HTTPResponse, url: String, baseURL: String) -> String? {
        let fix = likelyFix(baseURL: baseURL)
        if (300..<400).contains(response.status) {
            let target = response.header("Location").map { " to \($0)" } ?? ""
            return "GET \(url) was redirected (HTTP \(response.status)\(target)): not followed, the token is only sent to the base URL\(fix)"
        }
        guard (200..<300).contains(response.status) else {
            let what = response.status == 404 ? "answered 404 (no such path)" : "answered \(response.statusAndMessage(limit: 120))"
            return "GET \(url) \(what): \(baseURL) does not look like the enneo API\(fix)"
        }
        let body = response.body
        let firstByte = body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if firstByte == UInt8(ascii: "<") || response.header("Content-Type")?.lowercased().contains("html") == true {
            return "GET \(url) answered an HTML page (HTTP \(response.status)), not the API's JSON: \(baseURL) looks like a web page, not the enneo API\(fix)"
        }
        guard let parsed = body.withUnsafeBytes({ try? JSONParser.parse($0, maxDepth: 64, maxStringBytes: 16 << 20) }) else {
            return "GET \(url) answered HTTP \(response.status) with a body that is not JSON: \(baseURL) does not look like the enneo API\(fix)"
        }
        guard case .array(let items) = parsed else {
            return "GET \(url) answered JSON \(shape(of: parsed)), not a list of scorecards: \(baseURL) does not look like the enneo API\(fix)"
        }
        for item in items.prefix(3) {
            guard let object = item.objectValue, object["id"]?.intValue != nil else {
                return "GET \(url) answered a list whose items are not scorecards (\(shape(of: item))): \(baseURL) does not look like the enneo API\(fix)"
            }
        }
        return nil
    }

    /// "; the base URL should end in /api/mind (https://host/api/mind)" when it does not.
    static func likelyFix(baseURL: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard !base.hasSuffix(apiPath) else { return "" }
        guard let url = URL(string: base), let scheme = url.scheme, let host = url.host else {
            return "; the base URL should end in \(apiPath)"
        }
        let port = url.port.map { ":\($0)" } ?? ""
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "; the base URL should end in \(apiPath) (e.g. \(scheme)://\(hostPart)\(port)\(apiPath))"
    }

    private static func shape(of value: JSONValue) -> String {
        switch value {
        case .object(let object):
            let keys = object.keys.prefix(5).joined(separator: ", ")
            return object.keys.isEmpty ? "an empty object" : "an object with keys \(keys)\(object.keys.count > 5 ? ", …" : "")"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }
}
