import AssessmentBatchCore
import Testing

/// Where the server, the token and the options of a run come from: a flag over the profile
/// over the default, and a profile the environment contradicts refused.
@Suite struct ServerSettingsTests {
    private let file = try! ConfigFile.parse("""
        default-profile: a
        profiles:
          a:
            base-url: https://a.example/api/mind
            token-file: ~/a.token
            concurrency: 3
            timeout: 20
            ca-bundle: ~/ca.pem
          b:
            concurrency: 5
          insecure:
            base-url: http://10.0.0.1/api/mind
        """, path: "/h/c.yaml")

    private func active(_ name: String) -> ActiveProfile {
        ActiveProfile(profile: file.profile(named: name)!, file: file, chosenBy: "--profile")
    }

    @Test func theProfileStandsInForFlagsNotGiven() throws {
        let settings = try ServerSettings.resolve(flags: ConnectionFlags(concurrency: 7), active: active("a"), environment: ["HOME": "/h"])
        #expect(settings.baseURL == "https://a.example/api/mind" && settings.baseURLSource == "profile")
        #expect(settings.concurrency == 7, "the flag wins")
        #expect(settings.timeout == 20 && settings.maxAttempts == 6 && settings.giveUpAfter == 60)
        #expect(settings.caBundle == "/h/ca.pem")
        #expect(settings.token == .file(path: "/h/a.token", written: "~/a.token", profile: "a", place: "/h/c.yaml:5"))
        #expect(settings.summary == "profile a, server https://a.example/api/mind")
    }

    @Test func withoutAProfileTheEnvironmentAndDefaultsApply() throws {
        let bare = try ServerSettings.resolve(flags: ConnectionFlags(), active: nil, environment: [:])
        #expect(bare.baseURL == ServerSettings.defaultBaseURL && bare.token == .none && bare.concurrency == 8)
        let fromEnvironment = try ServerSettings.resolve(flags: ConnectionFlags(), active: nil,
                                                         environment: ["ENNEO_BASE_URL": "https://e/api/mind", "ENNEO_TOKEN": "t"])
        #expect(fromEnvironment.baseURLSource == "ENNEO_BASE_URL" && fromEnvironment.token == .environment)
        #expect(fromEnvironment.summary == "server https://e/api/mind (from ENNEO_BASE_URL), no profile")
        // A profile that names no server leaves it to the environment.
        let b = try ServerSettings.resolve(flags: ConnectionFlags(), active: active("b"), environment: ["ENNEO_BASE_URL": "https://e/api/mind"])
        #expect(b.baseURL == "https://e/api/mind" && b.concurrency == 5)
    }

    @Test func anEnvironmentThatContradictsTheProfileIsRefused() {
        #expect(throws: ConfigError("ENNEO_BASE_URL (https://other/api/mind) and profile 'a' (base-url https://a.example/api/mind, /h/c.yaml:4) "
                                    + "name different servers: unset ENNEO_BASE_URL, or pass --base-url to say which one this run uses.")) {
            try ServerSettings.resolve(flags: ConnectionFlags(), active: active("a"), environment: ["ENNEO_BASE_URL": "https://other/api/mind"])
        }
        // The flag decides; the same URL with a trailing slash is no contradiction.
        #expect(throws: Never.self) {
            _ = try ServerSettings.resolve(flags: ConnectionFlags(baseURL: "https://x/api/mind"), active: active("a"),
                                       environment: ["ENNEO_BASE_URL": "https://other/api/mind"])
            _ = try ServerSettings.resolve(flags: ConnectionFlags(), active: active("a"), environment: ["ENNEO_BASE_URL": "https://a.example/api/mind/"])
        }
    }

    @Test func plainHTTPToAnotherHostInAProfileIsRefusedAtItsLine() {
        #expect(throws: ConfigError("profile 'insecure': base-url http://10.0.0.1/api/mind uses plain http to another host: the token would "
                                    + "travel unencrypted. Use https, or set allow-insecure-http: true in the profile.", file: "/h/c.yaml", line: 12)) {
            try ServerSettings.resolve(flags: ConnectionFlags(), active: active("insecure"), environment: [:])
        }
        #expect(throws: Never.self) {
            try ServerSettings.resolve(flags: ConnectionFlags(allowInsecureHttp: true), active: active("insecure"), environment: [:])
        }
    }

    @Test func tildeExpandsFromHOME() {
        #expect(PathExpansion.expandingTilde("~/x", environment: ["HOME": "/home/u/"]) == "/home/u/x")
        #expect(PathExpansion.expandingTilde("~", environment: ["HOME": "/home/u"]) == "/home/u")
        #expect(PathExpansion.expandingTilde("~other/x", environment: ["HOME": "/home/u"]) == "~other/x")
        #expect(PathExpansion.expandingTilde("/abs/~/x", environment: ["HOME": "/home/u"]) == "/abs/~/x")
    }
}
