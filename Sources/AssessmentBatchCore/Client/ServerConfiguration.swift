import CurlHTTP

/// Which enneo server to talk to and how: the connection part of `apply`, `plan`, `export`
/// and `check`.
public struct ServerConfiguration: Sendable {
    /// The API root, e.g. `https://demo.enneo.ai/api/mind`.
    public var baseURL: String
    /// The bearer token; never logged or written anywhere.
    public var token: String
    /// Worker threads, each with its own connection.
    public var concurrency: Int
    /// Requests per second across all workers; nil for no limit.
    public var maxRequestsPerSecond: Double?
    public var retry: RetryPolicy
    /// The run stops (exit 3) when no HTTP answer arrived for this long.
    public var giveUpAfterSeconds: Double
    /// Makes each worker's connection: libcurl in the tool, a scripted fake in unit tests.
    public var transportFactory: TransportFactory

    public init(baseURL: String, token: String, concurrency: Int = 8, maxRequestsPerSecond: Double? = nil,
                retry: RetryPolicy = RetryPolicy(), giveUpAfterSeconds: Double = 60, transport: TransportOptions = TransportOptions(),
                transportFactory: TransportFactory? = nil) {
        self.baseURL = baseURL
        self.token = token
        self.concurrency = concurrency
        self.maxRequestsPerSecond = maxRequestsPerSecond
        self.retry = retry
        self.giveUpAfterSeconds = giveUpAfterSeconds
        self.transportFactory = transportFactory ?? .curl(transport)
    }

    func url(_ path: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }
}
