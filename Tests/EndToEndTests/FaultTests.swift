import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Faults, interruptions and secrets: every row ends applied or in the failures file.
@Suite(.serialized)
struct FaultTests {
    /// A change for each target and the values the store must hold afterwards.
    private func changes(_ targets: [(SimAssessment, SimScorecard)]) -> (csv: String, expected: [Int: (Int, Int, Int)]) {
        var csv = "assessmentId,categoryId,criterionId,score,reason\n"
        var expected: [Int: (Int, Int, Int)] = [:]
        for (assessment, scorecard) in targets {
            let (categoryId, criterion) = criteria(of: scorecard)[0]
            let score = newScore(for: criterion, current: assessment.criterion(categoryId: categoryId, criterionId: criterion.id)?.score)
            csv += "\(assessment.id),\(categoryId),\(criterion.id),\(score),storm \(assessment.id)\n"
            expected[assessment.id] = (categoryId, criterion.id, score)
        }
        return (csv, expected)
    }

    private func expectStore(_ simulator: RunningSimulator, holds expected: [Int: (Int, Int, Int)]) {
        for (id, (categoryId, criterionId, score)) in expected {
            let criterion = simulator.store.assessment(id: id)?.criterion(categoryId: categoryId, criterionId: criterionId)
            #expect(criterion?.score == score, "assessment \(id)")
            #expect(criterion?.reason == "storm \(id)", "assessment \(id)")
        }
    }

    @Test func stormEndsWithTheExactStoreAndExit0() async throws {
        let faults = FaultSettings(errorRate: 0.2, postApplyErrorRate: 0.1, resetRate: 0.05, rateLimitRPS: 1500, seed: 42)
        try await withSimulator(assessments: 3000, faults: faults) { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 1500)
            let (csv, expected) = changes(targets)
            write(csv, to: "\(dir)/storm.csv")
            let result = await runJob(["\(dir)/storm.csv"], simulator: simulator, out: "\(dir)/run", concurrency: 8, maxAttempts: 12)
            #expect(result.exitStatus == .success)
            #expect(result.report?.counts.applied == targets.count)
            #expect((result.report?.statistics.retries ?? 0) > 0)
            expectStore(simulator, holds: expected)
        }
    }

    @Test func sigtermWritesACompleteReportAndExits143() async throws {
        try await withSimulator(assessments: 400, faults: FaultSettings(latencyMs: 100)) { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 150)
            write(changes(targets).csv, to: "\(dir)/in.csv")
            let result = await runTool(
                ["apply", "in.csv", "--base-url", simulator.baseURL, "--concurrency", "4", "--out", "run", "--no-preflight"],
                environment: ["ENNEO_TOKEN": simulator.token], directory: dir
            ) { pid in
                // After 40 answers (the check and 39 PATCHes), however long they took.
                _ = simulator.waitForAnswers(40)
                kill(pid, SIGTERM)
            }
            #expect(result.status == 143)
            let report = try report(in: "\(dir)/run")
            let applied = report.int("counts", "applied") ?? -1
            let unfinished = (report.int("counts", "failed") ?? 0) + (report.int("counts", "notAttempted") ?? 0)
            #expect(applied > 0)
            #expect(applied + unfinished == targets.count)
            let failureRows = (read("\(dir)/run/in.failures.csv") ?? "").split(separator: "\n").count - 1
            #expect(failureRows == unfinished)
            #expect(result.stderr.contains("resume:   assessment-batch apply --resume run"))
        }
    }

    @Test func killedRunResumesToTheExactStore() async throws {
        try await withSimulator(assessments: 400, faults: FaultSettings(latencyMs: 60)) { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 120)
            let (csv, expected) = changes(targets)
            write(csv, to: "\(dir)/in.csv")
            let concurrency = 4
            let killed = await runTool(
                ["apply", "in.csv", "--base-url", simulator.baseURL, "--concurrency", String(concurrency), "--out", "run", "--no-preflight"],
                environment: ["ENNEO_TOKEN": simulator.token], directory: dir
            ) { pid in
                // Mid-run, after a fixed number of answers rather than a random sleep.
                _ = simulator.waitForAnswers(45)
                kill(pid, SIGKILL)
            }
            #expect(killed.status == 9 || killed.status == 137)
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/run/report.json"))
            let resumed = await runTool(["apply", "--resume", "run"], environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(resumed.status == 0, "\(resumed.stderr)")
            expectStore(simulator, holds: expected)
            let report = try report(in: "\(dir)/run")
            #expect(report.int("counts", "applied") == targets.count)
            let duplicates = targets.reduce(0) { $0 + max(0, simulator.patchCount(for: $1.0.id) - 1) }
            #expect(duplicates <= concurrency)
        }
    }

    @Test func resumeRefusesAChangedInput() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 2)
            write(changes(targets).csv, to: "\(dir)/in.csv")
            let first = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run"],
                                      environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(first.status == 0)
            write(changes(targets).csv + "\n", to: "\(dir)/in.csv")
            let resumed = await runTool(["apply", "--resume", "run"], environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(resumed.status == 2)
            #expect(resumed.stderr.contains("in.csv changed since the run started"))
        }
    }

    @Test(.timeLimit(.minutes(1))) func authFailureMidRunExits3AtOnce() async throws {
        try await withSimulator(assessments: 300, faults: FaultSettings(authFailAfter: 40)) { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 100)
            write(changes(targets).csv, to: "\(dir)/in.csv")
            let result = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run", "--no-preflight"],
                                       environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(result.status == 3)
            // "At once" counted, not timed: after the first 401 only the requests already in
            // flight on the 8 workers (default concurrency) reach the server.
            #expect(simulator.apiRequestCount <= 40 + 8, "\(simulator.apiRequestCount) requests")
            let report = try report(in: "\(dir)/run")
            #expect((report.int("counts", "notAttempted") ?? 0) > 0)
            #expect(result.stderr.contains("rejected the token (HTTP 401)"))
        }
    }

    @Test func theTokenAppearsNowhere() async throws {
        let secret = "s3cr3t-Token-\(UUID().uuidString)"
        try await withSimulator(token: secret, faults: FaultSettings(errorRate: 0.3, seed: 3)) { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 10)
            var csv = changes(targets).csv
            csv += "99999,1,1,1,unknown assessment\n"
            write(csv, to: "\(dir)/in.csv")
            writePrivate("  \(secret)\n", to: "\(dir)/token")
            let result = await runTool(
                ["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run", "--token-file", "token", "--verbose", "--max-attempts", "2",
                 "--metrics-file", "metrics.prom"],
                environment: [:], directory: dir)
            #expect(result.status == 1)
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
            #expect(!(read("\(dir)/metrics.prom") ?? secret).contains(secret))
            // JSON logs, the --verbose retry lines included.
            let json = await runTool(
                ["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run-json", "--token-file", "token", "--verbose",
                 "--max-attempts", "2", "--log-format", "json"],
                environment: [:], directory: dir)
            #expect(json.status == 1)
            #expect(json.stderr.hasPrefix("{\"timestamp\":"))
            #expect(!json.stdout.contains(secret) && !json.stderr.contains(secret))
            let files = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/run")
            #expect(files.contains("report.json") && files.contains("journal.jsonl") && files.contains("in.failures.csv"))
            for file in files {
                #expect(!(read("\(dir)/run/\(file)") ?? "").contains(secret), "\(file)")
                let mode = try FileManager.default.attributesOfItem(atPath: "\(dir)/run/\(file)")[.posixPermissions] as? Int
                #expect(mode == 0o600, "\(file)")
            }
            let bad = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run2"],
                                    environment: ["ENNEO_TOKEN": "wrong-\(secret)"], directory: dir)
            #expect(bad.status == 3)
            #expect(!bad.stderr.contains(secret))
        }
    }

    @Test func plainHttpToARemoteHostIsRefused() async throws {
        let dir = scratchDirectory()
        write("assessmentId,state\n1,reviewedBySupervisor\n", to: "\(dir)/in.csv")
        let result = await runTool(["apply", "in.csv", "--base-url", "http://quality.example.com/api/mind"],
                                   environment: ["ENNEO_TOKEN": "t"], directory: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--allow-insecure-http"))
        let noToken = await runTool(["apply", "in.csv"], environment: [:], directory: dir)
        #expect(noToken.status == 2)
        #expect(noToken.stderr.contains("ENNEO_TOKEN"))
    }
}
