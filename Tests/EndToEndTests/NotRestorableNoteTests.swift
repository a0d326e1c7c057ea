@testable import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import Testing

/// The summary's "not restorable by the undo file" note counts the values of assessments the
/// run wrote, not of those preflight found and the run never sent.
@Suite struct NotRestorableNoteTests {
    /// A row that scores an unscored criterion of an editable assessment (so the undo file
    /// cannot unscore it), and a row for an assessment the server does not have.
    private func input(_ simulator: RunningSimulator) throws -> String {
        for (assessment, scorecard) in editableAssessments(simulator, count: 60) {
            for (categoryId, criterion) in criteria(of: scorecard)
            where assessment.criterion(categoryId: categoryId, criterionId: criterion.id)?.score == nil {
                return "assessmentId,categoryId,criterionId,score\n\(assessment.id),\(categoryId),\(criterion.id),\(criterion.maxPoints)\n"
                    + "99999999,1,1,1\n"
            }
        }
        Issue.record("no editable assessment with an unscored criterion in the seed")
        return ""
    }

    @Test func aRunThatWroteNothingReportsNothingUnrestorable() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            write(try input(simulator), to: "\(dir)/in.csv")
            // --strict: preflight refuses the unknown assessment, so nothing is written.
            let result = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run", strict: true)
            #expect(result.exitStatus == .invalidInput)
            let report = try #require(result.report)
            #expect(report.counts.applied == 0)
            #expect(report.unrestorableSummary.assessments == 0)
            #expect(report.unrestorableSummary.values == 0)
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/run/\(UnrestorableLog.fileName)"))
        }
    }

    @Test func aRunThatWroteCountsWhatItWrote() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            write(try input(simulator), to: "\(dir)/in.csv")
            let result = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run")
            #expect(result.exitStatus == .failures)
            let report = try #require(result.report)
            #expect(report.counts.applied == 1)
            #expect(report.unrestorableSummary.assessments == 1)
            // The criterion it scored (and, for an aiReady assessment, the state the PATCH moves on).
            #expect(report.unrestorableSummary.counts[.init(field: "criterion score", reason: "unscored on the server")] == 1)
            #expect(read("\(dir)/run/\(UnrestorableLog.fileName)")?.split(separator: "\n").count == 1)
        }
    }
}
