import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A request a `LoopbackHTTPServer` received.
struct ReceivedRequest: Sendable {
    var method: String
    var target: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// What a `LoopbackHTTPServer` answers.
struct CannedResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []

    static func json(_ status: Int, _ text: String) -> CannedResponse {
        CannedResponse(status: status, headers: [(name: "Content-Type", value: "application/json")], body: Array(text.utf8))
    }
}

/// A minimal HTTP/1.1 server on a free loopback port that records every request (headers
/// included) and answers what `respond` says; keep-alive, Content-Length bodies only.
final class LoopbackHTTPServer: Sendable {
    let port: Int
    private let listener: Int32
    private let log = Mutex<[ReceivedRequest]>([])

    init(respond: @escaping @Sendable (ReceivedRequest) -> CannedResponse) throws {
        let socket = try LoopbackSocket.listen()
        listener = socket.fd
        port = socket.port
        // The accept thread keeps the server alive until `stop()`.
        LoopbackSocket.acceptLoop(listener) { [self] fd in
            var reader = SocketReader(fd: fd)
            while let head = reader.readHead(), let parsed = ParsedHead(head) {
                let length = Int(parsed.header("Content-Length") ?? "0") ?? 0
                guard let body = reader.readBody(count: length) else { return }
                let request = ReceivedRequest(method: parsed.method, target: parsed.target, headers: parsed.headers, body: body)
                self.log.withLock { $0.append(request) }
                let response = respond(request)
                var text = "HTTP/1.1 \(response.status) Status\r\nContent-Length: \(response.body.count)\r\n"
                for (name, value) in response.headers { text += "\(name): \(value)\r\n" }
                guard LoopbackSocket.send(fd, Array((text + "\r\n").utf8) + response.body) else { return }
            }
        }
    }

    /// `http://127.0.0.1:PORT`.
    var root: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, in order.
    var requests: [ReceivedRequest] { log.withLock { $0 } }

    func stop() { LoopbackSocket.stopListening(listener) }
}
