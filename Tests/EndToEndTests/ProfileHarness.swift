import AssessmentSimulator
import Foundation
import Testing

/// Writes a file only its owner can read (mode 0600), as a token file must be.
func writePrivate(_ text: String, to path: String) {
    write(text, to: path)
    chmod(path, 0o600)
}

/// Two simulators on two free loopback ports, each with its own token, for profile tests that
/// assert where requests went.
func withTwoSimulators<Result>(_ body: (RunningSimulator, RunningSimulator) async throws -> Result) async throws -> Result {
    try await withSimulator(assessments: 20, token: ProfileFixture.alphaToken) { alpha in
        try await withSimulator(assessments: 20, token: ProfileFixture.betaToken) { beta in
            try await body(alpha, beta)
        }
    }
}

/// A home directory with a configuration file naming two simulators (`alpha`, the default,
/// with a `~` token path; `beta`, with an absolute one) and a one-row CSV both can apply.
struct ProfileFixture {
    static let alphaToken = "alpha-s3cret-token-0a1b2c"
    static let betaToken = "beta-s3cret-token-3d4e5f"

    let home: String
    let configPath: String
    let assessmentId: Int

    init(alpha: RunningSimulator, beta: RunningSimulator, extraAlpha: String = "") throws {
        home = scratchDirectory()
        configPath = "\(home)/.config/assessment-batch/config.yaml"
        try FileManager.default.createDirectory(atPath: "\(home)/.config/assessment-batch", withIntermediateDirectories: true)
        writePrivate(Self.alphaToken + "\n", to: "\(home)/alpha.token")
        writePrivate(Self.betaToken + "\n", to: "\(home)/beta.token")
        write("""
            # two instances
            default-profile: alpha
            profiles:
              alpha:
                base-url: \(alpha.baseURL)
                token-file: ~/alpha.token
                concurrency: 2
            \(extraAlpha)
              beta:
                base-url: \(beta.baseURL)
                token-file: \(home)/beta.token
                max-attempts: 2

            """, to: configPath)
        let (csv, ids) = scoreChangesCSV(alpha, count: 1)
        assessmentId = try #require(ids.first)
        write(csv, to: "\(home)/in.csv")
    }

    /// The child's environment: HOME is the fixture's, nothing else names a server or token.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        ["HOME": home].merging(extra) { $1 }
    }

    /// Runs the tool in the fixture's home directory.
    func run(_ arguments: [String], _ extra: [String: String] = [:]) async -> ProcessResult {
        await runTool(arguments, environment: environment(extra), directory: home)
    }
}

/// Neither output of a run holds either simulator's token.
func expectNoToken(_ result: ProcessResult, sourceLocation: SourceLocation = #_sourceLocation) {
    for token in [ProfileFixture.alphaToken, ProfileFixture.betaToken, "s3cret"] {
        #expect(!result.stdout.contains(token), "stdout holds a token", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains(token), "stderr holds a token", sourceLocation: sourceLocation)
    }
}
