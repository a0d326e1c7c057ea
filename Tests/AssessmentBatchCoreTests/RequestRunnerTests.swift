import CurlHTTP
import Foundation
import Logging
import SharedSupport
import Testing
@testable import AssessmentBatchCore

/// The retry loop against a scripted transport: no sockets, so every case is exact and fast.
@Suite struct RequestRunnerTests {
    /// A runner over `transport` with fast retries.
    private func makeRunner(_ transport: ScriptedTransport, control: RunControl = RunControl(), maxAttempts: Int = 6,
                            maxRetryAfter: Double = 0.2, giveUpAfter: Double = 30) throws -> (RequestRunner, RunContext) {
        let configuration = ServerConfiguration(
            baseURL: "http://127.0.0.1:9/api/mind", token: "t0ken", concurrency: 1,
            retry: RetryPolicy(maxAttempts: maxAttempts, baseDelay: 0.001, maxDelay: 0.005, maxRetryAfter: maxRetryAfter),
            giveUpAfterSeconds: giveUpAfter, transportFactory: transport.factory())
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let context = RunContext(configuration: configuration, logger: logger, control: control, statistics: HTTPStatistics())
        let runner = try #require(RequestRunner(context: context, workerIndex: 0))
        return (runner, context)
    }

    private let request = HTTPRequest(method: "PATCH", url: "http://127.0.0.1:9/api/mind/quality/assessment/1", body: Array("{}".utf8))

    private func send(_ runner: RequestRunner) -> (SendResult, attempts: Int, status: Int?) {
        var attempts = 0
        var status: Int?
        let result = runner.send(request, attempts: &attempts, lastStatus: &status)
        return (result, attempts, status)
    }

    private func answeredStatus(_ result: SendResult) -> Int? {
        if case .answered(let response) = result { return response.status }
        return nil
    }

    @Test func a429WithRetryAfterInSecondsPausesThenSucceeds() throws {
        let transport = ScriptedTransport([.answer(429, headers: [("Retry-After", "1")])])
        let (runner, context) = try makeRunner(transport, maxRetryAfter: 0.2)
        let started = monotonicSeconds()
        let (result, attempts, status) = send(runner)
        #expect(answeredStatus(result) == 200)
        #expect(attempts == 2)
        #expect(status == 200)
        // Retry-After 1 s, capped at 0.2 s: the whole pool waited that long.
        #expect(monotonicSeconds() - started >= 0.19)
        #expect(context.statistics.snapshot.statusCounts["429"] == 1)
        #expect(transport.requests.count == 2)
    }

    @Test func a429WithRetryAfterAsAnHTTPDateIsHonoured() throws {
        let inFiveSeconds = Date().addingTimeInterval(5)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let transport = ScriptedTransport([.answer(429, headers: [("Retry-After", formatter.string(from: inFiveSeconds))])])
        let (runner, _) = try makeRunner(transport, maxRetryAfter: 0.3)
        let started = monotonicSeconds()
        let (result, attempts, _) = send(runner)
        #expect(answeredStatus(result) == 200)
        #expect(attempts == 2)
        #expect(monotonicSeconds() - started >= 0.29)
    }

    @Test func serverErrorsAreRetriedUntilSuccess() throws {
        let transport = ScriptedTransport([.answer(503), .answer(500), .answer(502)])
        let (runner, context) = try makeRunner(transport)
        let (result, attempts, _) = send(runner)
        #expect(answeredStatus(result) == 200)
        #expect(attempts == 4)
        #expect(context.statistics.snapshot.retries == 3)
    }

    @Test func aResetConnectionIsRetried() throws {
        let transport = ScriptedTransport([.fail(.reset), .fail(.timeout)])
        let (runner, context) = try makeRunner(transport)
        let (result, attempts, _) = send(runner)
        #expect(answeredStatus(result) == 200)
        #expect(attempts == 3)
        #expect(context.control.abortReason == nil)
    }

    @Test func retriesRunOutWithTheLastProblemNamed() throws {
        let transport = ScriptedTransport([], then: .answer(503, body: #"{"error":"maintenance"}"#))
        let (runner, _) = try makeRunner(transport, maxAttempts: 3)
        let (result, attempts, status) = send(runner)
        guard case .exhausted(let message, let lastStatus) = result else {
            Issue.record("expected exhausted, got \(result)")
            return
        }
        #expect(message == "HTTP 503: maintenance after 3 attempts")
        #expect(lastStatus == 503)
        #expect(attempts == 3)
        #expect(status == 503)
    }

    @Test func a401StopsTheWholeRunAtOnce() throws {
        let transport = ScriptedTransport([.answer(401)])
        let (runner, context) = try makeRunner(transport)
        let (result, attempts, _) = send(runner)
        guard case .unauthorized = result else {
            Issue.record("expected unauthorized, got \(result)")
            return
        }
        #expect(attempts == 1)
        #expect(context.control.abortReason == .authenticationRejected)
        #expect(context.control.abortTransfers.isCancelled)
    }

    @Test(arguments: [400, 403, 404, 409, 422])
    func aPermanent4xxIsAnsweredOnceWithoutRetry(status: Int) throws {
        let transport = ScriptedTransport([.answer(status, body: #"{"error":"no"}"#)])
        let (runner, context) = try makeRunner(transport)
        let (result, attempts, _) = send(runner)
        #expect(answeredStatus(result) == status)
        #expect(attempts == 1)
        #expect(transport.requests.count == 1)
        #expect(context.control.abortReason == nil)
    }

    @Test func aServerThatStopsAnsweringEndsTheRunAfterGiveUpAfter() throws {
        // It answered once, so refused connections later are not "never reachable".
        let transport = ScriptedTransport([.answer(200)], then: .fail(.timeout))
        let (runner, context) = try makeRunner(transport, maxAttempts: 1_000, giveUpAfter: 0.2)
        _ = send(runner)
        let (result, _, _) = send(runner)
        guard case .stopped = result else {
            Issue.record("expected stopped, got \(result)")
            return
        }
        guard case .serverUnreachable(_, let lastError)? = context.control.abortReason else {
            Issue.record("expected serverUnreachable, got \(String(describing: context.control.abortReason))")
            return
        }
        #expect(lastError == TransportError.timeout.message)
    }

    @Test func aServerNeverReachedEndsTheRunAfterAFewAttempts() throws {
        let transport = ScriptedTransport([], then: .fail(.refused))
        let (runner, context) = try makeRunner(transport, maxAttempts: 100)
        let (result, attempts, _) = send(runner)
        guard case .stopped = result else {
            Issue.record("expected stopped, got \(result)")
            return
        }
        #expect(attempts == RequestRunner.connectFailuresBeforeUnreachable)
        #expect(context.control.abortReason == .unreachable("cannot connect to 127.0.0.1:9: connection refused"))
        #expect(context.control.abortReason?.description
            == "cannot connect to 127.0.0.1:9: connection refused (no request of this run got an answer)")
    }

    @Test func refusedConnectionsAfterAnAnswerAreRetriedAsBefore() throws {
        let transport = ScriptedTransport([.answer(200), .fail(.refused), .fail(.refused), .fail(.refused), .fail(.refused)])
        let (runner, context) = try makeRunner(transport, maxAttempts: 10)
        _ = send(runner)
        let (result, attempts, _) = send(runner)
        #expect(answeredStatus(result) == 200)
        #expect(attempts == 5)
        #expect(context.control.abortReason == nil)
    }

    @Test func aFatalTransportErrorStopsTheRun() throws {
        let tls = TransportError(.fatal, "the server's TLS certificate is not trusted (SSL certificate problem)")
        let transport = ScriptedTransport([.fail(tls)])
        let (runner, context) = try makeRunner(transport)
        let (result, attempts, _) = send(runner)
        guard case .stopped = result else {
            Issue.record("expected stopped, got \(result)")
            return
        }
        #expect(attempts == 1)
        #expect(context.control.abortReason == .transportFailure(tls.message))
    }

    @Test func aSignalAbortsATransferInFlight() throws {
        let control = RunControl()
        let transport = ScriptedTransport([.hang], cancellation: control.abortTransfers)
        let (runner, _) = try makeRunner(transport, control: control)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) {
            control.abort(.interrupted(signal: SIGINT), abortTransfers: true)
        }
        let (result, attempts, _) = send(runner)
        guard case .stopped(let lastError) = result else {
            Issue.record("expected stopped, got \(result)")
            return
        }
        #expect(attempts == 1)
        #expect(lastError == "aborted by the run")
        #expect(control.abortReason == .interrupted(signal: SIGINT))
    }

    @Test func aStoppedRunSendsNothingMore() throws {
        let control = RunControl()
        control.abort(.interrupted(signal: SIGTERM), abortTransfers: true)
        let transport = ScriptedTransport([])
        let (runner, _) = try makeRunner(transport, control: control)
        let (result, attempts, _) = send(runner)
        guard case .stopped = result else {
            Issue.record("expected stopped, got \(result)")
            return
        }
        #expect(attempts == 0)
        #expect(transport.requests.isEmpty)
    }
}
