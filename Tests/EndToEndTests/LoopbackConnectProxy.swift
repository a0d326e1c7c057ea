import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An HTTP CONNECT proxy on a free loopback port that knows a few made-up host names (all on
/// 127.0.0.1) and records every tunnel it opens; any other host gets 502.
final class LoopbackConnectProxy: Sendable {
    let port: Int
    private let listener: Int32
    private let log = Mutex<[String]>([])

    /// - Parameter hosts: the names this proxy resolves to 127.0.0.1.
    init(hosts: Set<String>) throws {
        let socket = try LoopbackSocket.listen()
        listener = socket.fd
        port = socket.port
        // The accept thread keeps the proxy alive until `stop()`.
        LoopbackSocket.acceptLoop(listener) { [self] client in
            var reader = SocketReader(fd: client)
            guard let head = reader.readHead(), let parsed = ParsedHead(head), parsed.method == "CONNECT",
                  let colon = parsed.target.lastIndex(of: ":"), let targetPort = Int(parsed.target[parsed.target.index(after: colon)...]),
                  hosts.contains(String(parsed.target[..<colon]).lowercased()),
                  let upstream = LoopbackSocket.connect(port: targetPort)
            else {
                _ = LoopbackSocket.send(client, Array("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n".utf8))
                return
            }
            defer { close(upstream) }
            self.log.withLock { $0.append(parsed.target) }
            guard LoopbackSocket.send(client, Array("HTTP/1.1 200 Connection established\r\n\r\n".utf8)),
                  LoopbackSocket.send(upstream, reader.takeBuffered())
            else { return }
            let done = DispatchSemaphore(value: 0)
            Thread {
                Self.copy(from: client, to: upstream)
                done.signal()
            }.start()
            Self.copy(from: upstream, to: client)
            done.wait()
        }
    }

    /// `http://127.0.0.1:PORT`, for HTTPS_PROXY.
    var url: String { "http://127.0.0.1:\(port)" }

    /// The `host:port` of every tunnel opened, in order.
    var tunnels: [String] { log.withLock { $0 } }

    func stop() { LoopbackSocket.stopListening(listener) }

    /// Copies bytes until `source` ends, then ends the writing side of `destination`.
    private static func copy(from source: Int32, to destination: Int32) {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 || !LoopbackSocket.send(destination, Array(chunk[..<count])) { break }
        }
        shutdown(destination, Int32(SHUT_WR))
    }
}
