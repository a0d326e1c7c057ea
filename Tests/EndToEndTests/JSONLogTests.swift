import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import StrictJSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `--log-format json`: every stderr line is one JSON object with `timestamp`, `level` and
/// `message`, progress and summary included, and the token is in none of them.
@Suite(.serialized)
struct JSONLogTests {
    /// A CSV changing one criterion of each target.
    private func changes(_ targets: [(SimAssessment, SimScorecard)]) -> String {
        var csv = "assessmentId,categoryId,criterionId,score,reason\n"
        for (assessment, scorecard) in targets {
            let (categoryId, criterion) = criteria(of: scorecard)[0]
            let score = newScore(for: criterion, current: assessment.criterion(categoryId: categoryId, criterionId: criterion.id)?.score)
            csv += "\(assessment.id),\(categoryId),\(criterion.id),\(score),json log \(assessment.id)\n"
        }
        return csv
    }

    /// Parses every line of `stderr` on its own; each must be an object with the three fields.
    private func jsonLines(_ stderr: String, secret: String) throws -> [JSONObject] {
        #expect(!stderr.contains(secret))
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(!lines.isEmpty)
        return try lines.map { line in
            let value = try Array(line.utf8).withUnsafeBytes { try JSONParser.parse($0) }
            let object = try #require(value.objectValue, "\(line)")
            #expect(object["timestamp"]?.stringValue?.hasSuffix("Z") == true, "\(line)")
            #expect(["debug", "info", "warning", "error"].contains(object["level"]?.stringValue ?? ""), "\(line)")
            #expect(object["message"]?.stringValue?.isEmpty == false, "\(line)")
            return object
        }
    }

    private func summary(_ lines: [JSONObject]) throws -> JSONObject {
        try #require(lines.first { $0["event"]?.stringValue == "summary" })
    }

    @Test func aSuccessfulRunLogsJSONOnly() async throws {
        let secret = "json-Secret-\(UUID().uuidString)"
        try await withSimulator(token: secret) { simulator in
            let dir = scratchDirectory()
            write(changes(editableAssessments(simulator, count: 6)), to: "\(dir)/in.csv")
            let result = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run", "--log-format", "json"],
                                       environment: ["ENNEO_TOKEN": secret], directory: dir)
            #expect(result.status == 0, "\(result.stderr)")
            let lines = try jsonLines(result.stderr, secret: secret)
            let summary = try summary(lines)
            #expect(summary.int("counts", "applied") == 6)
            #expect(summary.int("exitCode") == 0)
            #expect(summary["runDirectory"]?.stringValue == "run")
            #expect(lines.contains { $0["message"]?.stringValue?.hasPrefix("preflight: reading 6 assessments") == true })
            #expect(lines.contains { $0["message"]?.stringValue == "report:   run/report.json" })
        }
    }

    @Test func aRunWithFailuresAndInvalidRowsLogsJSONOnly() async throws {
        let secret = "json-Secret-\(UUID().uuidString)"
        try await withSimulator(token: secret) { simulator in
            let dir = scratchDirectory()
            write(changes(editableAssessments(simulator, count: 3)) + "99999,1,1,1,unknown\nabc,1,1,1,bad id\n", to: "\(dir)/in.csv")
            let result = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run", "--log-format", "json",
                                        "--skip-invalid"], environment: ["ENNEO_TOKEN": secret], directory: dir)
            #expect(result.status == 1, "\(result.stderr)")
            let lines = try jsonLines(result.stderr, secret: secret)
            let summary = try summary(lines)
            #expect(summary["level"]?.stringValue == "warning")
            #expect(summary.int("counts", "failedByKind", "rejected") == 1)
            #expect(summary.int("counts", "failedByKind", "invalid") == 1)
            // The file:line diagnostic is an object too, with its file and line as fields.
            let diagnostic = try #require(lines.first { $0["file"] != nil })
            #expect(diagnostic["file"]?.stringValue == "in.csv")
            #expect(diagnostic.int("line") == 6)
            #expect(diagnostic["message"]?.stringValue?.hasPrefix("in.csv:6: ") == true)

            // Invalid input without --skip-invalid: the diagnostics and the refusal, exit 2.
            let invalid = await runTool(["validate", "in.csv", "--log-format", "json"], environment: [:], directory: dir)
            #expect(invalid.status == 2)
            let invalidLines = try jsonLines(invalid.stderr, secret: secret)
            #expect(invalidLines.last?["level"]?.stringValue == "error")
            // A usage error follows --log-format too.
            let usage = await runTool(["apply", "--log-format", "json", "--concurrency", "0", "in.csv"], environment: [:], directory: dir)
            #expect(usage.status == 2)
            _ = try jsonLines(usage.stderr, secret: secret)
        }
    }

    @Test func a401AbortLogsJSONOnly() async throws {
        let secret = "json-Secret-\(UUID().uuidString)"
        try await withSimulator(assessments: 300, token: secret, faults: FaultSettings(authFailAfter: 40)) { simulator in
            let dir = scratchDirectory()
            write(changes(editableAssessments(simulator, count: 100)), to: "\(dir)/in.csv")
            writePrivate("\(secret)\n", to: "\(dir)/token")
            let result = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run", "--no-preflight",
                                        "--token-file", "token", "--log-format", "json", "--verbose"], environment: [:], directory: dir)
            #expect(result.status == 3)
            let lines = try jsonLines(result.stderr, secret: secret)
            let summary = try summary(lines)
            #expect(summary["level"]?.stringValue == "error")
            #expect(summary["abortReason"]?.stringValue?.contains("rejected the token (HTTP 401)") == true)
            #expect((summary.int("counts", "notAttempted") ?? 0) > 0)
        }
    }

    @Test func aSIGTERMLogsJSONProgressAndSummary() async throws {
        let secret = "json-Secret-\(UUID().uuidString)"
        try await withSimulator(assessments: 400, token: secret, faults: FaultSettings(latencyMs: 100)) { simulator in
            let dir = scratchDirectory()
            write(changes(editableAssessments(simulator, count: 150)), to: "\(dir)/in.csv")
            let result = await runTool(
                ["apply", "in.csv", "--base-url", simulator.baseURL, "--concurrency", "4", "--out", "run", "--no-preflight", "--log-format", "json"],
                environment: ["ENNEO_TOKEN": secret, "ASSESSMENT_BATCH_PROGRESS_SECONDS": "0.3"], directory: dir
            ) { pid in
                // 50 answers at ≥ 50 ms each on 4 workers: the apply phase has run past its
                // 0.3 s progress interval.
                _ = simulator.waitForAnswers(50)
                kill(pid, SIGTERM)
            }
            #expect(result.status == 143)
            let lines = try jsonLines(result.stderr, secret: secret)
            let progress = try #require(lines.first { $0["phase"]?.stringValue == "apply" })
            #expect(progress.int("total") == 150)
            #expect(progress.int("done") != nil && progress["rate"] != nil)
            #expect(lines.contains { $0["signal"]?.stringValue == "SIGTERM" && $0["level"]?.stringValue == "warning" })
            let summary = try summary(lines)
            #expect(summary.int("exitCode") == 143)
            #expect(lines.contains { $0["message"]?.stringValue == "resume:   assessment-batch apply --resume run" })
        }
    }
}
