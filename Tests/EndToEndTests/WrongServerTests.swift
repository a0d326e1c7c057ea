import Foundation
import Testing

/// A base URL that leads somewhere other than the API: one clear message, exit 3 within
/// seconds, nothing written and nothing marked failed.
@Suite struct WrongServerTests {
    private let token = "wrong-server-token-83c1"

    private func run(against server: LoopbackHTTPServer, base: String, preflight: Bool) async -> (ProcessResult, String) {
        let dir = scratchDirectory()
        write("assessmentId,categoryId,criterionId,score\n1001,1,1,2\n1002,1,1,3\n", to: "\(dir)/in.csv")
        let result = await runTool(["apply", "in.csv", "--base-url", base, "--out", "run"] + (preflight ? [] : ["--no-preflight"]),
                                   environment: ["ENNEO_TOKEN": token], directory: dir)
        return (result, dir)
    }

    private func expectNothingAttempted(_ result: ProcessResult, _ dir: String, _ server: LoopbackHTTPServer, message: String) throws {
        #expect(result.status == 3)
        #expect(result.stderr.contains("  stopped:  " + message), "stderr: \(result.stderr)")
        #expect(server.requests.map(\.method) == ["GET"])
        #expect(server.requests.first?.target.hasSuffix("/quality/scorecard") == true)
        let failures = try #require(read("\(dir)/run/in.failures.csv"))
        let rows = failures.split(separator: "\n").dropFirst()
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0.contains(",notAttempted,") })
        #expect(!result.stderr.contains(token))
    }

    @Test(arguments: [true, false])
    func aWebFrontEndThatAnswersHTMLEverywhere(preflight: Bool) async throws {
        let server = try LoopbackHTTPServer { _ in
            CannedResponse(status: 200, headers: [(name: "Content-Type", value: "text/html; charset=utf-8")],
                           body: Array("<!doctype html><html><head><title>enneo</title></head><body><div id=app></div></body></html>".utf8))
        }
        defer { server.stop() }
        let (result, dir) = await run(against: server, base: server.root, preflight: preflight)
        try expectNothingAttempted(result, dir, server, message:
            "GET \(server.root)/quality/scorecard answered an HTML page (HTTP 200), not the API's JSON: \(server.root) looks like a web page, not the enneo API; the base URL should end in /api/mind (e.g. \(server.root)/api/mind)")
    }

    @Test func aJSONServerOfAnotherShape() async throws {
        let server = try LoopbackHTTPServer { _ in .json(200, #"{"status": "ok", "version": "2.4"}"#) }
        defer { server.stop() }
        let (result, dir) = await run(against: server, base: "\(server.root)/api/mind", preflight: true)
        try expectNothingAttempted(result, dir, server, message:
            "GET \(server.root)/api/mind/quality/scorecard answered JSON an object with keys status, version, not a list of scorecards: \(server.root)/api/mind does not look like the enneo API")
    }
}
