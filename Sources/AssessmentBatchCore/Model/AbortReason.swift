/// Why a run ended before its work was done.
public enum AbortReason: Sendable, Equatable, CustomStringConvertible {
    /// The server answered 401: the token is wrong or expired.
    case authenticationRejected
    /// No answer from the server for the configured window.
    case serverUnreachable(seconds: Int, lastError: String)
    /// No request of the run ever got an HTTP answer: the server is not there (refused
    /// connections, unknown host).
    case unreachable(String)
    /// The base URL does not lead to the API (a 404, an HTML page, JSON of another shape).
    case notTheAPI(String)
    /// SIGINT or SIGTERM.
    case interrupted(signal: Int32)
    /// The tool could not write its own files (undo file, journal).
    case localFailure(String)
    /// A transfer failed in a way retrying cannot fix (TLS verification, a malformed URL).
    case transportFailure(String)
    /// The server redirected a request away from the base URL's origin (or in a way that would
    /// change it): not followed, the message says where.
    case redirectRefused(String)

    public var description: String {
        switch self {
        case .authenticationRejected:
            return "the server rejected the token (HTTP 401): check ENNEO_TOKEN or --token-file"
        case .serverUnreachable(let seconds, let lastError):
            return "no answer from the server for \(seconds) s (last error: \(lastError))"
        case .unreachable(let message):
            return "\(message) (no request of this run got an answer)"
        case .notTheAPI(let message):
            return message
        case .interrupted(let signal):
            return "interrupted by \(signal == 15 ? "SIGTERM" : "SIGINT")"
        case .localFailure(let message):
            return "stopped before sending more: \(message)"
        case .redirectRefused(let message):
            return message
        case .transportFailure(let message):
            return "the connection to the server fails in a way retrying cannot fix: \(message)"
        }
    }
}
