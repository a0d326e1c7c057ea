import AssessmentSimulator
import Foundation
import Testing

/// A rate-limited run: the summary line gives the share of 429 answers, the same count as
/// `report.json`; every assessment still ends applied.
@Suite(.serialized)
struct RateLimitTests {
    @Test func theSummaryLineGivesTheShareOf429s() async throws {
        try await withSimulator(assessments: 120, faults: FaultSettings(rateLimitRPS: 20)) { simulator in
            let dir = scratchDirectory()
            let (csv, ids) = scoreChangesCSV(simulator, count: 40)
            write(csv, to: "\(dir)/in.csv")
            let result = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run", "--concurrency", "8",
                                        "--no-preflight", "--max-attempts", "10"],
                                       environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let report = try report(in: "\(dir)/run")
            #expect(report.int("counts", "applied") == ids.count)
            let limited = try #require(report.int("http", "statusCounts", "429"))
            let requests = try #require(report.int("http", "requests"))
            #expect(limited > 0)
            let share = String(format: "%.1f", 100 * Double(limited) / Double(requests))
            #expect(result.stderr.contains("; \(limited) of \(requests) requests (\(share) %) answered 429 (rate limited)"),
                    "stderr: \(result.stderr)")
        }
    }

    @Test func noRateLimitNoMention() async throws {
        try await withSimulator(assessments: 60) { simulator in
            let dir = scratchDirectory()
            write(scoreChangesCSV(simulator, count: 5).csv, to: "\(dir)/in.csv")
            let result = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run", "--no-preflight"],
                                       environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(result.status == 0)
            #expect(!result.stderr.contains("answered 429"))
        }
    }
}
