import CurlHTTP
import Foundation
import Testing

/// Redirects: only a 307/308 within the base URL's scheme, host and port is followed; any other
/// stops the run (exit 3) and the token never reaches the redirect's target.
@Suite(.serialized)
struct RedirectTests {
    private let token = "redirect-test-token-5d1f"

    private func request(_ method: String, _ url: String) -> HTTPRequest {
        HTTPRequest(method: method, url: url, headers: [(name: "Authorization", value: "Bearer \(token)")],
                    body: method == "GET" ? [] : Array(#"{"criteria":[]}"#.utf8))
    }

    private func perform(_ request: HTTPRequest) -> Result<HTTPResponse, CurlError> {
        do {
            try CurlGlobal.initialize()
            let easy = try CurlEasy(options: TransportOptions(connectTimeoutMilliseconds: 2000, totalTimeoutMilliseconds: 5000))
            return .success(try easy.send(request))
        } catch {
            return .failure(error)
        }
    }

    @Test(arguments: [("PATCH", 308), ("GET", 307), ("PATCH", 307), ("GET", 308)])
    func redirectToAnotherPortIsRefusedAndTheOtherPortGetsNothing(method: String, status: Int) throws {
        let other = try LoopbackHTTPServer { _ in .json(200, "{}") }
        defer { other.stop() }
        let target = "\(other.root)/api/mind/quality/assessment/1001"
        let server = try LoopbackHTTPServer { _ in CannedResponse(status: status, headers: [(name: "Location", value: target)]) }
        defer { server.stop() }

        let result = perform(request(method, "\(server.root)/api/mind/quality/assessment/1001"))
        guard case .failure(let error) = result else {
            Issue.record("the redirect was followed: \(result)")
            return
        }
        #expect(error.isRedirectRefused)
        #expect(!error.isTransient)
        #expect(error.description == "redirected to \(target): not followed, the token is only sent to the base URL")
        #expect(server.requests.count == 1)
        #expect(other.requests.isEmpty)
    }

    @Test(arguments: [307, 308])
    func sameOriginRedirectIsFollowedWithMethodBodyAndToken(status: Int) throws {
        let server = try LoopbackHTTPServer { request in
            request.target == "/api/mind/old"
                ? CannedResponse(status: status, headers: [(name: "Location", value: "/api/mind/new")])
                : .json(200, #"{"moved":true}"#)
        }
        defer { server.stop() }

        let response = try perform(request("PATCH", "\(server.root)/api/mind/old")).get()
        #expect(response.status == 200)
        #expect(response.body == Array(#"{"moved":true}"#.utf8))
        let seen = server.requests
        #expect(seen.map(\.target) == ["/api/mind/old", "/api/mind/new"])
        #expect(seen.map(\.method) == ["PATCH", "PATCH"])
        #expect(seen.map(\.body) == [Array(#"{"criteria":[]}"#.utf8), Array(#"{"criteria":[]}"#.utf8)])
        #expect(seen.map { $0.header("Authorization") } == ["Bearer \(token)", "Bearer \(token)"])
    }

    @Test(arguments: [301, 302, 303])
    func sameOriginRedirectThatWouldChangeTheRequestIsRefused(status: Int) throws {
        let server = try LoopbackHTTPServer { _ in CannedResponse(status: status, headers: [(name: "Location", value: "/elsewhere")]) }
        defer { server.stop() }

        let result = perform(request("PATCH", "\(server.root)/api/mind/x"))
        guard case .failure(let error) = result else {
            Issue.record("the redirect was followed: \(result)")
            return
        }
        #expect(error.isRedirectRefused)
        #expect(error.description == "redirected to \(server.root)/elsewhere (HTTP \(status)): not followed, only 307 and 308 "
            + "redirects within the base URL's scheme, host and port are followed (they keep the method and body)")
        #expect(server.requests.count == 1)
    }

    @Test func aRedirectLoopStopsAfterFiveHops() throws {
        let server = try LoopbackHTTPServer { _ in CannedResponse(status: 307, headers: [(name: "Location", value: "/loop")]) }
        defer { server.stop() }

        let result = perform(request("GET", "\(server.root)/loop"))
        guard case .failure(let error) = result else {
            Issue.record("a redirect loop ended with an answer: \(result)")
            return
        }
        #expect(error.description == "redirected more than 5 times (last to \(server.root)/loop): not followed")
        #expect(server.requests.count == 6)
    }

    @Test(arguments: [true, false])
    func applyRedirectedToAnotherOriginStopsWithExit3(preflight: Bool) async throws {
        let other = try LoopbackHTTPServer { _ in .json(401, #"{"error":"who are you"}"#) }
        defer { other.stop() }
        let server = try LoopbackHTTPServer { request in
            CannedResponse(status: request.method == "PATCH" ? 308 : 307,
                           headers: [(name: "Location", value: other.root + request.target)])
        }
        defer { server.stop() }
        let dir = scratchDirectory()
        write("assessmentId,categoryId,criterionId,score,reason\n1001,1,1,2,redirected\n1002,1,1,2,redirected\n", to: "\(dir)/in.csv")

        let result = await runTool(
            ["apply", "in.csv", "--base-url", "\(server.root)/api/mind", "--out", "run", "--concurrency", "1"]
                + (preflight ? [] : ["--no-preflight"]),
            environment: ["ENNEO_TOKEN": token], directory: dir)

        #expect(result.status == 3)
        let first = try #require(server.requests.first)
        let expected = "redirected to \(other.root)\(first.target): not followed, the token is only sent to the base URL"
        #expect(result.stderr.contains(expected), "stderr: \(result.stderr)")
        #expect(other.requests.isEmpty)
        #expect(server.requests.filter { $0.method == "PATCH" }.count <= (preflight ? 0 : 1))
        #expect(!result.stderr.contains(token) && !result.stdout.contains(token))
    }
}
