import CurlHTTP
import Foundation
import Synchronization
@testable import AssessmentBatchCore

/// A transport that plays a script of answers and failures instead of using sockets, and
/// records every request it was given.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: `script` and `requests` sit behind `state`'s lock; `cancellation` is a
    // Sendable flag.
    enum Step: Sendable {
        case answer(Int, headers: [(String, String)] = [], body: String = "{}")
        case fail(TransportError)
        /// Blocks until the cancellation flag is raised, then reports a cancelled transfer.
        case hang
    }

    private let state: Mutex<(script: [Step], requests: [HTTPRequest])>
    private let cancellation: CancellationFlag?
    /// What happens once the script has run out.
    private let then: Step

    init(_ script: [Step], then: Step = .answer(200), cancellation: CancellationFlag? = nil) {
        state = Mutex((script: script, requests: []))
        self.then = then
        self.cancellation = cancellation
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }

    func perform(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        let step = state.withLock { state -> Step in
            state.requests.append(request)
            return state.script.isEmpty ? then : state.script.removeFirst()
        }
        switch step {
        case .answer(let status, let headers, let body):
            let headerLines = headers.map { "\($0.0): \($0.1)\r\n" }.joined()
            return HTTPResponse(status: status, headerLines: Array(headerLines.utf8), body: Array(body.utf8))
        case .fail(let error):
            throw error
        case .hang:
            while cancellation?.isCancelled != true { usleep(1_000) }
            throw TransportError(.cancelled, "aborted by the run")
        }
    }

    /// A factory that hands this one transport to every worker (tests use one worker).
    func factory() -> TransportFactory {
        TransportFactory { _ in self }
    }
}

extension TransportError {
    static let refused = TransportError(.transient, "cannot connect to 127.0.0.1:9: connection refused", isConnectFailure: true)
    static let reset = TransportError(.transient, "Recv failure: Connection reset by peer")
    static let timeout = TransportError(.transient, "Operation timed out after 200 milliseconds with 0 bytes received")
}
