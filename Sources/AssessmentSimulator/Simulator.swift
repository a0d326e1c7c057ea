import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a simulator is configured. Defaults: `127.0.0.1:8005`, the demo token, 200 generated
/// assessments from seed 1, no faults.
public struct SimulatorConfiguration: Sendable {
    /// Where the seed data comes from.
    public enum SeedSource: Sendable, Equatable {
        /// `assessments` generated deterministically from `seed` (ids 1001…1000+N).
        case generated(assessments: Int, seed: UInt64)
        /// A seed file (format in docs/simulator.md).
        case file(path: String)
    }

    public var host: String
    /// 0 = any free port (read it back from `RunningSimulator.port`).
    public var port: Int
    /// The demo admin's token (replaces `SimulatorTokens.demo`).
    public var token: String
    public var seed: SeedSource
    public var faults: FaultSettings
    /// Log level of the server's own logger (stderr).
    public var logLevel: Logger.Level
    /// Shut down gracefully on SIGINT/SIGTERM (the executable sets this). This sets the
    /// process-wide disposition of both signals to "ignore" so that only the simulator's signal
    /// handler sees them: meant for a process that exists to run the simulator.
    public var handlesTerminationSignals: Bool
    /// Serve HTTPS with these files instead of plain HTTP (needs the `TLS` trait).
    public var tls: TLSFiles?

    public init(
        host: String = "127.0.0.1", port: Int = 8005, token: String = SimulatorTokens.demo,
        seed: SeedSource = .generated(assessments: 200, seed: 1), faults: FaultSettings = FaultSettings(),
        logLevel: Logger.Level = .warning, handlesTerminationSignals: Bool = false, tls: TLSFiles? = nil
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.seed = seed
        self.faults = faults
        self.logLevel = logLevel
        self.handlesTerminationSignals = handlesTerminationSignals
        self.tls = tls
    }
}

/// Starts simulators.
///
/// Threading: the server's tasks run on the simulator's own threads and SwiftNIO's event loops,
/// not on Swift's cooperative pool (see `SimulatorExecutor`), and nothing in a handler blocks a
/// thread (latency waits are timers on the event loop). A test may therefore call a blocking
/// HTTP client (libcurl) against the simulator from an `async` test function. Callers should
/// still run long blocking work (a pool of blocking workers, say) on their own `Thread`s or
/// Dispatch queues rather than on the cooperative pool, because the cooperative pool has only as
/// many threads as cores (2 here), and `Simulator.start`/`shutdown` themselves need one of
/// them to make progress.
public enum Simulator {
    /// The API base path.
    public static let basePath = SimulatorCore.basePath

    /// Builds the seed, binds the port and starts serving; returns once the server is listening.
    public static func start(_ configuration: SimulatorConfiguration) async throws -> RunningSimulator {
        if let message = configuration.faults.validationError() { throw SimulatorError(message) }
        guard (0...65_535).contains(configuration.port) else { throw SimulatorError("port must be 0…65535") }
        guard !configuration.token.isEmpty, !configuration.token.contains(where: \.isWhitespace) else {
            throw SimulatorError("token must be non-empty and contain no whitespace")
        }
        let server = try self.serverBuilder(tls: configuration.tls)
        let seed = try self.makeSeed(configuration.seed)
        if configuration.handlesTerminationSignals {
            // Without this the default action would end the process before the Dispatch signal
            // source of the service group sees the signal.
            signal(SIGINT, SIG_IGN)
            signal(SIGTERM, SIG_IGN)
        }
        let store = SimulatorStore(seed: seed, adminToken: configuration.token)
        let core = SimulatorCore(store: store, faults: FaultInjector(settings: configuration.faults))

        var logger = Logger(label: "assessment-sim") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = configuration.logLevel
        let (events, continuation) = AsyncStream<Result<Int, any Error>>.makeStream()
        let application = Application(
            responder: SimResponder(core: core),
            server: server,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(.success(channel.localAddress?.port ?? configuration.port))
            },
            logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [application],
                gracefulShutdownSignals: configuration.handlesTerminationSignals ? [.sigterm, .sigint] : [],
                logger: logger))
        let task = Task(executorPreference: SimulatorExecutor.shared) {
            do {
                try await group.run()
            } catch {
                continuation.yield(.failure(error))
            }
            continuation.finish()
        }
        for await event in events {
            switch event {
            case .success(let port):
                return RunningSimulator(
                    scheme: configuration.tls == nil ? "http" : "https", host: configuration.host, port: port, token: configuration.token, core: core, group: group, task: task)
            case .failure(let error):
                throw SimulatorError("cannot start the simulator on \(configuration.host):\(configuration.port): \(error)")
            }
        }
        throw SimulatorError("the simulator stopped before it started listening")
    }

    static func makeSeed(_ source: SimulatorConfiguration.SeedSource) throws(SimulatorError) -> SeedData {
        switch source {
        case .generated(let count, let seed):
            guard count >= 0, count <= 2_000_000 else { throw SimulatorError("assessments must be 0…2000000") }
            return SeedGenerator.generate(assessments: count, seed: seed)
        case .file(let path):
            return try SeedFileLoader.load(path: path)
        }
    }
}

/// A simulator serving on loopback. Keep it alive for as long as it should serve and call
/// `shutdown()` at the end.
public final class RunningSimulator: Sendable {
    /// `http`, or `https` when serving TLS.
    public let scheme: String
    public let host: String
    /// The bound port (the real one when configured with port 0).
    public let port: Int
    /// The demo admin's token in effect.
    public let token: String
    /// The data, for asserting values and for out-of-band edits.
    public var store: SimulatorStore { self.core.store }

    let core: SimulatorCore
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    init(scheme: String, host: String, port: Int, token: String, core: SimulatorCore, group: ServiceGroup, task: Task<Void, Never>) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.token = token
        self.core = core
        self.group = group
        self.task = task
    }

    private var urlHost: String { self.host.contains(":") ? "[\(self.host)]" : self.host }

    /// `http(s)://HOST:PORT/api/mind`.
    public var baseURL: String { "\(self.rootURL)\(Simulator.basePath)" }
    /// `http(s)://HOST:PORT` (the control endpoints live at `/__sim/...`).
    public var rootURL: String { "\(self.scheme)://\(self.urlHost):\(self.port)" }

    /// PATCH requests received for this assessment id, whatever their outcome (faulted,
    /// rejected or applied).
    public func patchCount(for id: Int) -> Int { self.core.stats.patchCount(id) }
    /// PATCHes that changed this assessment (200, or 503 from `--post-apply-error-rate`).
    public func appliedPatchCount(for id: Int) -> Int { self.core.stats.appliedCount(id) }
    /// API requests answered (or dropped, status 0) for a method + path template such as
    /// `/api/mind/quality/assessment/{id}`; `status` nil = any status.
    public func requestCount(method: String, path: String, status: Int? = nil) -> Int {
        let counts = self.core.stats.snapshot().counts
        return counts.reduce(0) { sum, item in
            item.key.method == method && item.key.path == path && (status == nil || item.key.status == status) ? sum + item.value : sum
        }
    }
    /// API answers given since start (dropped connections included; never reset).
    public var answerCount: Int { self.core.stats.answers.value }
    /// Blocks until the simulator has given `count` API answers since start; false when
    /// `timeoutSeconds` passed first (a test's safety net, not a timing assertion).
    public func waitForAnswers(_ count: Int, timeoutSeconds: Double = 120) -> Bool {
        self.core.stats.answers.wait(for: count, until: Date(timeIntervalSinceNow: timeoutSeconds))
    }
    /// API requests seen by the fault layer since start or the last reset.
    public var apiRequestCount: Int { self.core.faults.apiRequestCount }

    /// Starts keeping the body of every PATCH that reaches the API handler, for `patchBodies(for:)`.
    public func keepPatchBodies() { self.core.stats.keepPatchBodies() }
    /// The bodies of the PATCHes received for this assessment since `keepPatchBodies()`, as UTF-8 text.
    public func patchBodies(for id: Int) -> [String] { self.core.stats.patchBodies(id).map { String(decoding: $0, as: UTF8.self) } }

    /// Same as `POST /__sim/reset`: seed data, statistics and the fault stream start over.
    public func reset() { self.core.reset() }

    /// Stops accepting connections, lets in-flight requests finish and returns when the server
    /// has stopped.
    public func shutdown() async {
        await self.group.triggerGracefulShutdown()
        await self.task.value
    }

    /// Returns when the server has stopped (by `shutdown()` or a termination signal).
    public func waitUntilStopped() async {
        await self.task.value
    }
}
