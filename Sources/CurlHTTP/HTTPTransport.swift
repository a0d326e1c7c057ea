/// Performs one HTTP request at a time: the seam between the domain and libcurl, so the retry
/// loop can be tested against a scripted transport without sockets.
///
/// An instance is used by one thread only (a libcurl handle must not be shared), hence no
/// `Sendable`; a ``TransportFactory`` makes one per worker on that worker's thread.
public protocol HTTPTransport: AnyObject {
    /// Sends `request` and waits for its final response. Any HTTP status is a response; only a
    /// transfer that got no complete answer throws.
    func perform(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse
}

/// A transfer that produced no HTTP response, classified for the retry loop.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server may answer another time: timeouts, refused or dropped connections.
        case transient
        /// The caller's cancellation flag stopped the transfer.
        case cancelled
        /// Retrying cannot help: TLS verification, a refused redirect, a malformed URL.
        case fatal
    }

    public var kind: Kind
    /// The server could not be reached at all (refused, unknown host, connect timeout): no
    /// byte of the request reached it.
    public var isConnectFailure: Bool
    /// The server redirected the request somewhere the token must not go (the message says
    /// where); fatal.
    public var isRefusedRedirect: Bool
    /// What went wrong, for people (never holds request headers).
    public var message: String

    public init(_ kind: Kind, _ message: String, isConnectFailure: Bool = false, isRefusedRedirect: Bool = false) {
        self.kind = kind
        self.message = message
        self.isConnectFailure = isConnectFailure
        self.isRefusedRedirect = isRefusedRedirect
    }

    public var description: String { message }
}

/// Makes the transport of one worker; called on that worker's thread.
public struct TransportFactory: Sendable {
    private let make: @Sendable (CancellationFlag?) throws(TransportError) -> any HTTPTransport

    /// - Parameter make: given the flag whose raising must abort a running transfer.
    public init(_ make: @escaping @Sendable (CancellationFlag?) throws(TransportError) -> any HTTPTransport) {
        self.make = make
    }

    public func makeTransport(cancellation: CancellationFlag?) throws(TransportError) -> any HTTPTransport {
        try make(cancellation)
    }

    /// libcurl easy handles with `options`.
    public static func curl(_ options: TransportOptions) -> TransportFactory {
        TransportFactory { cancellation throws(TransportError) in
            do throws(CurlError) {
                // Idempotent; the executable has already run it before any thread started.
                try CurlGlobal.initialize()
                return try CurlEasy(options: options, cancellation: cancellation)
            } catch {
                throw TransportError(.fatal, "cannot start libcurl: \(error.detail)")
            }
        }
    }
}

extension CurlEasy: HTTPTransport {
    public func perform(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        do {
            return try send(request)
        } catch {
            throw TransportError(curl: error, url: request.url)
        }
    }
}

extension TransportError {
    /// Classifies a libcurl failure for the retry loop.
    init(curl error: CurlError, url: String) {
        if error.isCancelled {
            self.init(.cancelled, error.detail)
        } else if error.isConnectFailure {
            self.init(.transient, "cannot connect to \(hostAndPort(of: url)): \(error.connectDetail)", isConnectFailure: true)
        } else if error.isTransient {
            self.init(.transient, error.detail)
        } else {
            self.init(.fatal, error.description, isRefusedRedirect: error.isRedirectRefused)
        }
    }
}

/// `host:port` of an http(s) URL, the port made explicit (what "cannot connect" names).
func hostAndPort(of url: String) -> String {
    var rest = Substring(url)
    var port = "443"
    if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") {
        if rest[..<colon].lowercased() == "http" { port = "80" }
        rest = rest[rest.index(colon, offsetBy: 3)...]
    }
    let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    let hostPort = authority.split(separator: "@").last.map(Substring.init) ?? authority
    if hostPort.hasPrefix("[") {
        // [::1]:8005
        guard let close = hostPort.firstIndex(of: "]") else { return String(hostPort) }
        let host = hostPort[...close]
        let after = hostPort[hostPort.index(after: close)...]
        return after.hasPrefix(":") ? String(hostPort) : "\(host):\(port)"
    }
    return hostPort.contains(":") ? String(hostPort) : "\(hostPort):\(port)"
}
