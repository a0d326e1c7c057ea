import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import Testing

/// `prune` and the run-directory lock, through the executable.
@Suite(.serialized)
struct PruneCommandTests {
    @Test func aResumeOfALockedRunIsRefusedAndPruneLeavesItAlone() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let (assessment, scorecard) = try #require(editableAssessments(simulator, count: 1).first)
            let (categoryId, criterion) = criteria(of: scorecard)[0]
            write("assessmentId,categoryId,criterionId,score\n\(assessment.id),\(categoryId),\(criterion.id),\(newScore(for: criterion, current: nil))\n",
                  to: "\(dir)/in.csv")
            let first = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "runs/one"],
                                      environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(first.status == 0, "\(first.stderr)")

            // Another process's lock, as a live run holds it (flock is per open file, so this
            // process's own descriptor conflicts with the child's).
            var held: RunDirectoryLock? = try RunDirectoryLock(directory: "\(dir)/runs/one")
            let resumed = await runTool(["apply", "--resume", "runs/one"], environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(resumed.status == 2)
            #expect(resumed.stderr.contains("run directory runs/one is in use by another process"), "\(resumed.stderr)")
            #expect(resumed.stderr.hasSuffix("assessment-batch: nothing sent\n"))
            let pruneHeld = await runTool(["prune", "runs", "--older-than", "0"], environment: [:], directory: dir)
            #expect(pruneHeld.status == 0)
            #expect(pruneHeld.stderr.contains("kept runs/one: in use by another process"), "\(pruneHeld.stderr)")
            #expect(FileManager.default.fileExists(atPath: "\(dir)/runs/one/report.json"))
            #expect(held != nil)
            held = nil

            let young = await runTool(["prune", "runs", "--older-than", "30", "-v"], environment: [:], directory: dir)
            #expect(young.stderr.contains("kept runs/one: younger than 30 days"), "\(young.stderr)")
            let dry = await runTool(["prune", "runs", "--older-than", "0", "--dry-run"], environment: [:], directory: dir)
            #expect(dry.stderr.contains("would delete runs/one"), "\(dry.stderr)")
            #expect(FileManager.default.fileExists(atPath: "\(dir)/runs/one/report.json"))
            let pruned = await runTool(["prune", "runs", "--older-than", "0", "--log-format", "json"], environment: [:], directory: dir)
            #expect(pruned.status == 0)
            #expect(pruned.stderr.contains(#""event":"deleted""#) && pruned.stderr.contains(#""runDirectory":"runs/one""#), "\(pruned.stderr)")
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/runs/one"))
            #expect(FileManager.default.fileExists(atPath: "\(dir)/in.csv"))

            let missing = await runTool(["prune", "no-such-dir"], environment: [:], directory: dir)
            #expect(missing.status == 0)
            #expect(missing.stderr == "assessment-batch prune: no-such-dir does not exist: nothing to prune\n")
            let notADirectory = await runTool(["prune", "in.csv"], environment: [:], directory: dir)
            #expect(notADirectory.status == 2)
        }
    }
}
