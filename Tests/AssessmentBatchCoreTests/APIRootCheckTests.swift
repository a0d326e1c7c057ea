import CurlHTTP
import Foundation
import Logging
import Testing
@testable import AssessmentBatchCore

/// The first request of a run tells a wrong base URL from broken assessments.
@Suite struct APIRootCheckTests {
    private func problem(_ status: Int, _ body: String, headers: String = "", base: String = "https://acme.enneo.ai/api/mind") -> String? {
        let response = HTTPResponse(status: status, headerLines: Array(headers.utf8), body: Array(body.utf8))
        return APIRootCheck.problem(with: response, url: base + "/quality/scorecard", baseURL: base)
    }

    @Test func aListOfScorecardsOrAnEmptyListIsTheAPI() {
        #expect(problem(200, #"[{"id": 42, "name": "Service", "categories": []}]"#) == nil)
        #expect(problem(200, "[]") == nil)
    }

    @Test func a404WithoutTheAPIPathNamesTheFix() {
        #expect(problem(404, "no such path", base: "https://acme.enneo.ai")
            == "GET https://acme.enneo.ai/quality/scorecard answered 404 (no such path): https://acme.enneo.ai does not look like the enneo API; the base URL should end in /api/mind (e.g. https://acme.enneo.ai/api/mind)")
    }

    @Test func anHTMLPageIsAWebFrontEndNotTheAPI() {
        #expect(problem(200, "<!doctype html><html><body>app</body></html>", headers: "Content-Type: text/html\r\n", base: "https://acme.enneo.ai/")
            == "GET https://acme.enneo.ai//quality/scorecard answered an HTML page (HTTP 200), not the API's JSON: https://acme.enneo.ai/ looks like a web page, not the enneo API; the base URL should end in /api/mind (e.g. https://acme.enneo.ai/api/mind)")
    }

    @Test func jsonOfAnotherShapeIsRefused() {
        #expect(problem(200, #"{"status": "ok", "version": 3}"#)
            == "GET https://acme.enneo.ai/api/mind/quality/scorecard answered JSON an object with keys status, version, not a list of scorecards: https://acme.enneo.ai/api/mind does not look like the enneo API")
        #expect(problem(200, #"[1, 2]"#)
            == "GET https://acme.enneo.ai/api/mind/quality/scorecard answered a list whose items are not scorecards (a number): https://acme.enneo.ai/api/mind does not look like the enneo API")
    }

    @Test func aRedirectIsNotFollowed() {
        #expect(problem(301, "", headers: "Location: https://login.acme.example/\r\n")
            == "GET https://acme.enneo.ai/api/mind/quality/scorecard was redirected (HTTP 301 to https://login.acme.example/): not followed, the token is only sent to the base URL")
    }

    @Test func theFixKeepsSchemeHostAndPort() {
        #expect(APIRootCheck.likelyFix(baseURL: "http://127.0.0.1:8005") == "; the base URL should end in /api/mind (e.g. http://127.0.0.1:8005/api/mind)")
        #expect(APIRootCheck.likelyFix(baseURL: "https://x.example/api/mind/") == "")
    }

    @Test func onlyADefiniteAnswerIsAVerdictOnTheBaseURL() {
        let url = "https://acme.enneo.ai/api/mind/quality/scorecard"
        func verdict(_ result: SendResult) -> APIRootVerdict {
            APIRootCheck.verdict(result, url: url, baseURL: "https://acme.enneo.ai/api/mind")
        }
        #expect(verdict(.answered(HTTPResponse(status: 200, body: Array("[]".utf8)))) == .api)
        #expect(verdict(.answered(HTTPResponse(status: 404))) == .notTheAPI(
            "GET \(url) answered 404 (no such path): https://acme.enneo.ai/api/mind does not look like the enneo API"))
        #expect(verdict(.answered(HTTPResponse(status: 501, body: Array(#"{"error": "not implemented"}"#.utf8))))
            == .unknown("GET \(url) answered HTTP 501: not implemented"))
        #expect(verdict(.exhausted("HTTP 503 after 1 attempt", lastStatus: 503))
            == .unknown("GET \(url) got no usable answer (HTTP 503 after 1 attempt)"))
        #expect(verdict(.unauthorized) == .stopped)
        #expect(verdict(.stopped(lastError: nil)) == .stopped)
    }
}
