import CurlHTTP
import Foundation
import Logging
import Testing
@testable import AssessmentBatchCore

/// The one client of the enneo API: single requests for `check` hand back the whole answer
/// (status, headers, body), the API-root check says what it found without stopping anything,
/// and every request carries the token only in `Authorization`.
@Suite struct EnneoClientTests {
    private func client(_ transport: ScriptedTransport, maxAttempts: Int = 1) -> EnneoClient {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return EnneoClient(configuration: ServerConfiguration(baseURL: "https://acme.enneo.ai/api/mind/", token: "t0ken", concurrency: 1,
                                                              retry: RetryPolicy(maxAttempts: maxAttempts, baseDelay: 0.001),
                                                              transportFactory: transport.factory()),
                           logger: logger, control: RunControl())
    }

    @Test func singleRequestsHandBackStatusHeadersAndBody() throws {
        let transport = ScriptedTransport([
            .answer(200, headers: [("Date", "Sun, 06 Dec 2026 03:00:00 GMT"), ("X-RateLimit-Remaining", "59")], body: #"{"id":7}"#),
            .answer(200, body: #"{"assessments":[],"total":0}"#),
            .answer(404, body: #"{"error":"no such scorecard"}"#),
        ])
        let client = client(transport)
        guard case .answered(let assessment) = client.getAssessment(7) else {
            Issue.record("no answer")
            return
        }
        #expect(assessment.status == 200)
        #expect(assessment.header("date") == "Sun, 06 Dec 2026 03:00:00 GMT")
        #expect(assessment.header("X-RateLimit-Remaining") == "59")
        #expect(String(decoding: assessment.body, as: UTF8.self) == #"{"id":7}"#)
        guard case .answered(let list) = client.listAssessments(limit: 1, offset: 0, query: "&state=aiReady") else {
            Issue.record("no answer")
            return
        }
        #expect(list.status == 200)
        guard case .answered(let scorecard) = client.getScorecard(42) else {
            Issue.record("no answer")
            return
        }
        #expect(scorecard.statusAndMessage == "HTTP 404: no such scorecard")
        #expect(transport.requests.map(\.url) == [
            "https://acme.enneo.ai/api/mind/quality/assessment/7",
            "https://acme.enneo.ai/api/mind/quality/assessment?limit=1&offset=0&state=aiReady",
            "https://acme.enneo.ai/api/mind/quality/scorecard/42",
        ])
        #expect(transport.requests.allSatisfy { request in
            request.method == "GET" && request.headers.contains { $0.name == "Authorization" && $0.value == "Bearer t0ken" }
        })
        #expect(client.statistics.requests == 3)
    }

    @Test func theAPIRootCheckSaysWhatItFoundAndStopsNothing() {
        let transport = ScriptedTransport([.answer(503, body: "busy"), .answer(200, body: "<html></html>"), .answer(200, body: "[]")])
        let client = client(transport)
        #expect(client.checkAPIRoot() == .unknown("GET https://acme.enneo.ai/api/mind/quality/scorecard got no usable answer (HTTP 503: busy after 1 attempt)"))
        guard case .notTheAPI(let message) = client.checkAPIRoot() else {
            Issue.record("expected notTheAPI")
            return
        }
        #expect(message.hasPrefix("GET https://acme.enneo.ai/api/mind/quality/scorecard answered an HTML page (HTTP 200)"))
        #expect(client.checkAPIRoot() == .api)
        #expect(!client.control.stop.isCancelled)
    }

    @Test func aTransientCheckBeforeARunLetsItGoOnAndAWrongServerStopsIt() {
        let flaky = client(ScriptedTransport([.fail(.reset)]))
        #expect(flaky.checkAPIRootBeforeRun())
        #expect(flaky.control.abortReason == nil)
        let wrong = client(ScriptedTransport([.answer(404)]))
        #expect(!wrong.checkAPIRootBeforeRun())
        guard case .notTheAPI? = wrong.control.abortReason else {
            Issue.record("expected notTheAPI, got \(String(describing: wrong.control.abortReason))")
            return
        }
    }
}
