import CurlHTTP
import Foundation
import StrictJSON

extension HTTPResponse {
    /// `HTTP 422: score out of range`: the one way a server's answer is quoted in messages
    /// (outcomes, retries, the API-root check, export); just `HTTP 422` when the body says
    /// nothing.
    public var statusAndMessage: String { statusAndMessage(limit: nil) }

    /// ``statusAndMessage`` with the server's message cut to `limit` characters, if given.
    public func statusAndMessage(limit: Int?) -> String {
        guard var message = serverMessage else { return "HTTP \(status)" }
        if let limit, message.count > limit { message = String(message.prefix(limit)) + "…" }
        return "HTTP \(status): \(message)"
    }

    /// The server's error message: `error` or `message` of a JSON body, else the start of the body.
    public var serverMessage: String? {
        guard !body.isEmpty else { return nil }
        let parsed = body.withUnsafeBytes { try? JSONParser.parse($0) }
        if let object = parsed?.objectValue, let message = object["error"]?.stringValue ?? object["message"]?.stringValue {
            return message
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ").trimmingWhitespace()
        return text.isEmpty ? nil : text
    }
}
