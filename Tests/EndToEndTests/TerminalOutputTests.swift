import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import Testing

/// On a real pseudo-terminal (util-linux `script`): log lines are the message alone, and none
/// lands on the progress line.
@Suite(.serialized)
struct TerminalOutputTests {
    @Test func onATerminalLogLinesAreMessagesAloneAndNeverShareTheProgressLine() async throws {
        guard commandExists("script") else { return skipNote("TerminalOutputTests needs util-linux's script") }
        try await withSimulator(assessments: 200, faults: FaultSettings(latencyMs: 150)) { simulator in
            let dir = scratchDirectory()
            var csv = "assessmentId,categoryId,criterionId,score\n"
            for (assessment, scorecard) in editableAssessments(simulator, count: 24) {
                let (categoryId, criterion) = criteria(of: scorecard)[0]
                csv += "\(assessment.id),\(categoryId),\(criterion.id),\(newScore(for: criterion, current: assessment.criterion(categoryId: categoryId, criterionId: criterion.id)?.score))\n"
            }
            write(csv, to: "\(dir)/in.csv")
            writePrivate(simulator.token, to: "\(dir)/token")
            // No configuration file of the machine's user takes part (/dev/null: an empty one).
            let command = "cd '\(dir)' && ASSESSMENT_BATCH_CONFIG=/dev/null '\(productPath("assessment-batch"))' apply in.csv --base-url \(simulator.baseURL) --token-file token --concurrency 2 --out run"
            let result = await runBlocking { runCommand("script", ["-q", "-e", "-c", command, "/dev/null"]) }
            #expect(result.status == 0, "\(result.stdout)")
            let output = result.stdout.replacingOccurrences(of: "\r\n", with: "\n")
            // The progress line was drawn in place, with an ETA.
            #expect(output.contains("\r\u{1B}[Kapply: "), "\(output)")
            #expect(output.contains(", ETA 0:"), "\(output)")
            // Every log line starts a line of its own: after a line break or a cleared line.
            for message in ["preflight: reading 24 assessments from ", "sending 24 assessments with 2 workers", "assessment-batch: 24 assessments"] {
                let range = try #require(output.range(of: message), "\(message)")
                let before = output[..<range.lowerBound]
                #expect(before.isEmpty || before.hasSuffix("\n") || before.hasSuffix("\r\u{1B}[K"), "\(message): \(before.suffix(60))")
            }
            // No timestamp, level or module name in front of a message.
            #expect(!output.contains(" info"), "\(output)")
            #expect(!output.contains("[AssessmentBatchCore]"))
            #expect(!output.split(separator: "\n").contains { $0.hasPrefix("20") }, "\(output)")
        }
    }
}
