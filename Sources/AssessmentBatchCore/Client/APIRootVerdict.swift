/// What the API-root check found (see ``APIRootCheck``).
public enum APIRootVerdict: Sendable, Equatable {
    /// The base URL answers as the enneo API does.
    case api
    /// A definite answer of another server (404, an HTML page, JSON of another shape, a
    /// redirect): the message says what came back and the likely fix.
    case notTheAPI(String)
    /// The check failed in a way that says nothing about the base URL (5xx, 429, a timeout or
    /// a reset after its attempts); the message says how.
    case unknown(String)
    /// The run stopped before an answer (401, nothing listening, a signal).
    case stopped
}
