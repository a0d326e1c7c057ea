import ArgumentParser
import AssessmentSimulator
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `assessment-sim`: a local stand-in for the enneo quality-assessment API.
@main
struct AssessmentSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assessment-sim",
        abstract: "A local stand-in for the enneo quality-assessment API (loopback HTTP, or HTTPS with --tls-cert).",
        discussion: """
            Serves /api/mind/quality/assessment[/{id}] and /api/mind/quality/scorecard[/{id}], plus \
            /__sim/state, /__sim/stats and POST /__sim/reset. Prints one line \
            'assessment-sim listening on http://HOST:PORT/api/mind token=TOKEN' when ready. \
            Other tokens: \(SimulatorTokens.teamLead) (team lead of team 1), \(SimulatorTokens.viewOnly) (view only).
            """)

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind (0 = any free port; the actual port is printed).")
    var port = 8005

    @Option(help: "The demo admin's bearer token.")
    var token = SimulatorTokens.demo

    @Option(help: "Number of generated assessments (ignored with --seed-file).")
    var assessments = 200

    @Option(help: "Seed of the generated data.")
    var seed: UInt64 = 1

    @Option(name: .customLong("seed-file"), help: "Load the data from this JSON seed file instead of generating it.")
    var seedFile: String?

    @Option(name: .customLong("latency-ms"), help: "Mean added latency per API request in ms (uniform 0.5–1.5 × mean).")
    var latencyMs: Double = 0

    @Option(name: .customLong("error-rate"), help: "Fraction of API requests answered 500/503 before anything is applied.")
    var errorRate: Double = 0

    @Option(name: .customLong("post-apply-error-rate"), help: "Fraction of successful PATCHes applied, then answered 503.")
    var postApplyErrorRate: Double = 0

    @Option(name: .customLong("reset-rate"), help: "Fraction of API requests whose connection is reset without an answer.")
    var resetRate: Double = 0

    @Option(name: .customLong("ratelimit-rps"), help: "Token-bucket limit (requests/s); over it: 429 with Retry-After: 1.")
    var ratelimitRPS: Double?

    @Option(name: .customLong("auth-fail-after"), help: "After N API requests, answer every API request with 401.")
    var authFailAfter: Int?

    @Option(name: .customLong("fault-seed"), help: "Seed of the fault PRNG.")
    var faultSeed: UInt64 = 1

    @Option(name: .customLong("tls-cert"), help: "Serve HTTPS with this PEM certificate (chain); needs --tls-key and a build with --traits TLS.")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "The PEM private key of --tls-cert.")
    var tlsKey: String?

    @Flag(help: "Log server events (info level) to stderr.")
    var verbose = false

    func run() async throws {
        let faults = FaultSettings(
            latencyMs: self.latencyMs, errorRate: self.errorRate, postApplyErrorRate: self.postApplyErrorRate,
            resetRate: self.resetRate, rateLimitRPS: self.ratelimitRPS, authFailAfter: self.authFailAfter, seed: self.faultSeed)
        if let message = faults.validationError() { throw ValidationError(message) }
        guard (self.tlsCert == nil) == (self.tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together.")
        }
        let tls = self.tlsCert.flatMap { cert in self.tlsKey.map { TLSFiles(certificatePath: cert, privateKeyPath: $0) } }
        let configuration = SimulatorConfiguration(
            host: self.host, port: self.port, token: self.token,
            seed: self.seedFile.map { .file(path: $0) } ?? .generated(assessments: self.assessments, seed: self.seed),
            faults: faults, logLevel: self.verbose ? .info : .warning, handlesTerminationSignals: true, tls: tls)
        let running: RunningSimulator
        do {
            running = try await Simulator.start(configuration)
        } catch let error as SimulatorError {
            throw ValidationError(error.message)
        }
        print("assessment-sim listening on \(running.baseURL) token=\(running.token)")
        fflush(nil)  // all output streams: scripts wait for this line
        await running.waitUntilStopped()
    }
}
