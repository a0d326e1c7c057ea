/// The connection options as given on the command line; nil (or false) where a flag was not
/// given, so that a profile's value can stand in for it.
public struct ConnectionFlags: Sendable, Equatable {
    public var baseURL: String?
    public var tokenFile: String?
    public var concurrency: Int?
    public var maxRps: Double?
    public var maxAttempts: Int?
    public var giveUpAfter: Double?
    public var connectTimeout: Double?
    public var timeout: Double?
    public var lowSpeedTime: Int?
    public var caBundle: String?
    public var allowInsecureHttp: Bool

    public init(baseURL: String? = nil, tokenFile: String? = nil, concurrency: Int? = nil, maxRps: Double? = nil,
                maxAttempts: Int? = nil, giveUpAfter: Double? = nil, connectTimeout: Double? = nil, timeout: Double? = nil,
                lowSpeedTime: Int? = nil, caBundle: String? = nil, allowInsecureHttp: Bool = false) {
        self.baseURL = baseURL
        self.tokenFile = tokenFile
        self.concurrency = concurrency
        self.maxRps = maxRps
        self.maxAttempts = maxAttempts
        self.giveUpAfter = giveUpAfter
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.lowSpeedTime = lowSpeedTime
        self.caBundle = caBundle
        self.allowInsecureHttp = allowInsecureHttp
    }
}
