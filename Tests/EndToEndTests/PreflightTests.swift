import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import Testing

/// Preflight, `plan`, unchanged detection, the stale-write guard and the undo file.
@Suite(.serialized)
struct PreflightTests {
    /// One criterion row per target assessment with a score that differs from the live one.
    private func changeFile(_ targets: [(SimAssessment, SimScorecard)], extraColumns: (SimAssessment) -> String = { _ in "" },
                            header: String = "assessmentId,categoryId,criterionId,score,reason") -> String {
        var csv = header + "\n"
        for (assessment, scorecard) in targets {
            let (categoryId, criterion) = criteria(of: scorecard)[0]
            let score = newScore(for: criterion, current: assessment.criterion(categoryId: categoryId, criterionId: criterion.id)?.score)
            csv += "\(assessment.id),\(categoryId),\(criterion.id),\(score),new reason \(assessment.id)\(extraColumns(assessment))\n"
        }
        return csv
    }

    @Test func eachRejectionKindSendsNoPatchAndLandsInTheFailuresFile() async throws {
        try await withSimulator(assessments: 120) { simulator in
            let dir = scratchDirectory()
            let store = simulator.store
            let all = store.allAssessments()
            let editable = editableAssessments(simulator, count: 6)
            let deleted = try #require(all.first { $0.state == .deleted })
            let processing = try #require(all.first { $0.state == .unprocessed || $0.state == .aiInProgress || $0.state == .error })
            let discussed = try #require(editableAssessments(simulator, count: 60).dropFirst(6).first { $0.0.state == .reviewedBySupervisor })
            try store.setState(.discussedWithAssessee, ofAssessment: discussed.0.id)
            let (stale, staleCard) = editable[0]
            let (wrongCard, wrongCardCard) = editable[1]
            let (badCriterion, _) = editable[2]
            let (fine, fineCard) = editable[3]
            let (c1, k1) = criteria(of: staleCard)[0]
            let (c2, k2) = criteria(of: wrongCardCard)[0]
            let (c4, k4) = criteria(of: fineCard)[0]
            let csv = """
                assessmentId,categoryId,criterionId,score,state,scorecardId,expectedModifiedAt
                \(deleted.id),,,,reviewedBySupervisor,,
                \(processing.id),,,,reviewedBySupervisor,,
                \(discussed.0.id),,,,reviewedBySupervisor,,
                \(stale.id),\(c1),\(k1.id),0,,,2020-01-01T00:00:00Z
                \(wrongCard.id),\(c2),\(k2.id),0,,\(wrongCard.scorecardId + 1000),
                \(badCriterion.id),99,99,1,,,
                \(fine.id),\(c4),\(k4.id),0,,\(fine.scorecardId),\(fine.modifiedAt)

                """
            write(csv, to: "\(dir)/in.csv")
            let result = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run")
            #expect(result.exitStatus == .failures)
            let kinds = Dictionary(uniqueKeysWithValues: (result.report?.outcomes ?? []).map { ($0.assessmentId ?? 0, $0.errorKind) })
            #expect(kinds[deleted.id] == .rejected)
            #expect(kinds[processing.id] == .rejected)
            #expect(kinds[discussed.0.id] == .conflict)
            #expect(kinds[stale.id] == .conflict)
            #expect(kinds[wrongCard.id] == .conflict)
            #expect(kinds[badCriterion.id] == .invalid)
            #expect(kinds[fine.id] == .some(nil))
            for id in [deleted.id, processing.id, discussed.0.id, stale.id, wrongCard.id, badCriterion.id] {
                #expect(simulator.patchCount(for: id) == 0)
            }
            #expect(simulator.patchCount(for: fine.id) == 1)
            let failures = try #require(read("\(dir)/run/in.failures.csv")).split(separator: "\n")
            #expect(failures.count == 7)
            #expect(failures[3].contains("state would move backwards from discussedWithAssessee to reviewedBySupervisor"))
            #expect(failures[3].hasSuffix(",conflict,4"))
        }
    }

    @Test func unchangedAssessmentsAreNotWrittenUnlessForced() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 4)
            write(changeFile(targets), to: "\(dir)/in.csv")
            let first = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run1")
            #expect(first.report?.counts.applied == 4)
            let second = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run2")
            #expect(second.exitStatus == .success)
            #expect(second.report?.counts.unchanged == 4)
            #expect(second.report?.counts.applied == 0)
            for (assessment, _) in targets { #expect(simulator.patchCount(for: assessment.id) == 1) }
            let forced = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run3", preflightOptions: PreflightOptions(force: true))
            #expect(forced.report?.counts.applied == 4)
            for (assessment, _) in targets { #expect(simulator.patchCount(for: assessment.id) == 2) }
        }
    }

    /// Before-images are kept by preflight order; the ones written must be those of the
    /// assessments sent, also when earlier assessments are not sent.
    @Test func undoLinesBelongToTheAssessmentsSent() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 4)
            try simulator.store.setState(.aiInProgress, ofAssessment: targets[0].0.id)
            write(changeFile(targets), to: "\(dir)/in.csv")
            let apply = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run")
            #expect(apply.report?.counts.applied == 3)
            #expect(apply.report?.counts.failed == 1)
            let undoLines = try #require(read("\(dir)/run/undo.jsonl")).split(separator: "\n")
            #expect(Set(undoLines.map { String($0.prefix(while: { $0 != "," })) })
                == Set(targets.dropFirst().map { "{\"assessmentId\":\($0.0.id)" }))
        }
    }

    @Test func undoFileRestoresTheStore() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 5).filter { !($0.0.supervisorAssessment ?? "").isEmpty }
            #expect(!targets.isEmpty)
            let before = targets.map { simulator.store.assessment(id: $0.0.id)! }
            write(changeFile(targets, extraColumns: { _ in ",Rewritten" }, header: "assessmentId,categoryId,criterionId,score,reason,supervisorAssessment"),
                  to: "\(dir)/in.csv")
            let apply = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run")
            #expect(apply.exitStatus == .success)
            #expect(simulator.store.assessment(id: targets[0].0.id)?.supervisorAssessment == "Rewritten")
            // One before-image line per written assessment; the spool they waited in is gone.
            let undoLines = try #require(read("\(dir)/run/undo.jsonl")).split(separator: "\n")
            #expect(Set(undoLines.map { $0.prefix(while: { $0 != "," }) }) == Set(targets.map { "{\"assessmentId\":\($0.0.id)" }))
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/run").sorted()
                == [RunDirectoryLock.fileName, "journal.jsonl", "report.html", "report.json", "undo.jsonl"])
            let undo = await runJob(["\(dir)/run/undo.jsonl"], simulator: simulator, out: "\(dir)/undo")
            #expect(undo.exitStatus == .success)
            for original in before {
                let restored = try #require(simulator.store.assessment(id: original.id))
                #expect(restored.supervisorAssessment == original.supervisorAssessment)
                let scorecard = try #require(simulator.store.scorecard(id: original.scorecardId))
                let (categoryId, criterion) = criteria(of: scorecard)[0]
                let was = original.criterion(categoryId: categoryId, criterionId: criterion.id)
                let now = restored.criterion(categoryId: categoryId, criterionId: criterion.id)
                if was?.score != nil { #expect(now?.score == was?.score) }
                if let reason = was?.reason, !reason.isEmpty { #expect(now?.reason == reason) }
            }
        }
    }

    @Test func planAgreesWithTheApplyThatFollowsAndSendsNoWrite() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 6)
            write(changeFile(Array(targets.prefix(4))), to: "\(dir)/a.csv")
            _ = await runJob(["\(dir)/a.csv"], simulator: simulator, out: "\(dir)/pre")  // 4 become unchanged
            try simulator.store.setState(.aiInProgress, ofAssessment: targets[5].0.id)
            write(changeFile(targets), to: "\(dir)/b.csv")
            let patchesBefore = simulator.requestCount(method: "PATCH", path: "/api/mind/quality/assessment/{id}")
            let plan = await runJob(["\(dir)/b.csv"], simulator: simulator, out: "\(dir)/plan", planOnly: true)
            #expect(simulator.requestCount(method: "PATCH", path: "/api/mind/quality/assessment/{id}") == patchesBefore)
            #expect(plan.exitStatus == .failures)
            #expect(FileManager.default.fileExists(atPath: "\(dir)/plan/plan.json"))
            var diffBytes: [UInt8] = []
            try PlanFile.writeDiff(plan.plan, rendered: try #require(plan.renderedPlan)) { diffBytes += $0 }
            let diff = String(decoding: diffBytes, as: UTF8.self)
            #expect(diff.contains("  category "))  // the changes of the writes are there
            // plan.json, streamed entry by entry, is the pretty text of its tree.
            let written = try #require(FileManager.default.contents(atPath: "\(dir)/plan/plan.json"))
            let tree = try Array(written).withUnsafeBytes { try JSONParser.parse($0) }
            var pretty: [UInt8] = []
            JSONWriter.write(tree, pretty: true, into: &pretty)
            #expect(Array(written) == pretty + [UInt8(ascii: "\n")])
            let entries = try #require(tree.objectValue?["assessments"]?.arrayValue)
            #expect(entries.compactMap { $0.objectValue?["assessmentId"]?.intValue } == targets.map(\.0.id))
            #expect(entries.map { $0.objectValue?["action"]?.stringValue } == ["unchanged", "unchanged", "unchanged", "unchanged", "write", "skip"])
            #expect(entries[4].objectValue?["changes"]?.arrayValue?.isEmpty == false)
            #expect(diff.contains("assessment \(targets[4].0.id) (line 6): write"))
            #expect(diff.contains("assessment \(targets[0].0.id) (line 2): unchanged"))
            let apply = await runJob(["\(dir)/b.csv"], simulator: simulator, out: "\(dir)/apply")
            let planned = plan.plan.map { entry -> String in
                switch entry.verdict {
                case .write?: return "applied"
                case .unchanged?: return "unchanged"
                default: return "failed"
                }
            }
            #expect(apply.report?.outcomes.map(\.status.rawValue) == planned)
        }
    }

    @Test func supervisorEditBetweenPlanAndApplyIsAConflict() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let (target, scorecard) = editableAssessments(simulator, count: 1)[0]
            let (categoryId, criterion) = criteria(of: scorecard)[0]
            write("assessmentId,categoryId,criterionId,score,expectedModifiedAt\n\(target.id),\(categoryId),\(criterion.id),0,\(target.modifiedAt)\n",
                  to: "\(dir)/in.csv")
            let plan = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/plan", planOnly: true)
            #expect(plan.exitStatus == .success)
            try simulator.store.modifyAssessment(id: target.id) { $0.supervisorAssessment = "a supervisor was here" }
            let apply = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/apply")
            #expect(apply.exitStatus == .failures)
            #expect(apply.report?.outcomes.first?.errorKind == .conflict)
            #expect(simulator.patchCount(for: target.id) == 0)
        }
    }

    @Test func strictStopsBeforeTheFirstWrite() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 3)
            try simulator.store.setState(.error, ofAssessment: targets[2].0.id)
            write(changeFile(targets), to: "\(dir)/in.csv")
            let result = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run", strict: true)
            #expect(result.exitStatus == .invalidInput)
            #expect(simulator.requestCount(method: "PATCH", path: "/api/mind/quality/assessment/{id}") == 0)
        }
    }

    @Test func eachScorecardRevisionIsFetchedOnce() async throws {
        try await withSimulator(assessments: 300) { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 150)
            write(changeFile(targets), to: "\(dir)/in.csv")
            let result = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run", concurrency: 8)
            #expect(result.exitStatus == .success)
            let revisions = Set(targets.map { $0.0.scorecardId }).count
            #expect(simulator.requestCount(method: "GET", path: "/api/mind/quality/scorecard/{id}") == revisions)
            #expect(simulator.requestCount(method: "GET", path: "/api/mind/quality/assessment/{id}") == targets.count)
        }
    }
}
