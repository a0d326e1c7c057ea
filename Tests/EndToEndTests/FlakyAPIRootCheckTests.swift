import Foundation
import Synchronization
import Testing

/// Only a definite wrong-server answer to the API-root check stops a run: a 500 on the check
/// with `--max-attempts 1` fails nothing by itself, and each request meets the server on its own.
@Suite struct FlakyAPIRootCheckTests {
    @Test func a500OnTheCheckWithOneAttemptLetsTheRunGoOn() async throws {
        let answered = Mutex(0)
        let server = try LoopbackHTTPServer { request in
            let first = answered.withLock { count -> Bool in
                count += 1
                return count == 1
            }
            if first { return .json(500, #"{"error": "busy"}"#) }
            return .json(422, #"{"error": "score out of range"}"#)
        }
        defer { server.stop() }
        let dir = scratchDirectory()
        write("assessmentId,categoryId,criterionId,score\n1001,1,1,2\n1002,1,1,3\n", to: "\(dir)/in.csv")
        let base = "\(server.root)/api/mind"
        let result = await runTool(["apply", "in.csv", "--base-url", base, "--out", "run", "--no-preflight", "--max-attempts", "1",
                                    "--concurrency", "1"],
                                   environment: ["ENNEO_TOKEN": "flaky-token"], directory: dir)
        #expect(result.status == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("GET \(base)/quality/scorecard got no usable answer (HTTP 500: busy after 1 attempt): going on without checking the base URL"),
                "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("  stopped:"))
        #expect(server.requests.map { "\($0.method) \($0.target)" } == [
            "GET /api/mind/quality/scorecard", "PATCH /api/mind/quality/assessment/1001", "PATCH /api/mind/quality/assessment/1002",
        ])
        let failures = try #require(read("\(dir)/run/in.failures.csv"))
        #expect(failures.split(separator: "\n").dropFirst().allSatisfy { $0.contains("HTTP 422: score out of range,rejected,") })
    }
}
