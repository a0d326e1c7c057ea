import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import Testing

/// The whole path against the simulator: files in, store values out, exit codes, files written.
@Suite(.serialized)
struct ApplyTests {
    @Test func csvIsAppliedValueByValue() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 3)
            #expect(targets.count == 3)
            var csv = "\u{FEFF}assessmentId;categoryId;criterionId;score;reason;supervisorAssessment;state;assessmentDate\r\n"
            var expected: [(Int, Int, Int, Int, String)] = []
            for (assessment, scorecard) in targets {
                for (categoryId, criterion) in criteria(of: scorecard).prefix(2) {
                    let score = newScore(for: criterion, current: assessment.criterion(categoryId: categoryId, criterionId: criterion.id)?.score)
                    let reason = "Kalibriert; \"ok\" für \(assessment.id)\r\nzweite Zeile"
                    csv += "\(assessment.id);\(categoryId);\(criterion.id);\(score);\"\(reason.replacingOccurrences(of: "\"", with: "\"\""))\";Gespräch gut;discussedWithAssessee;2024-06-12T13:00:00+02:00\r\n"
                    expected.append((assessment.id, categoryId, criterion.id, score, reason))
                }
            }
            write(csv, to: "\(dir)/calibration.csv")
            let result = await runJob(["\(dir)/calibration.csv"], simulator: simulator, out: "\(dir)/run")
            #expect(result.exitStatus == .success)
            for (id, categoryId, criterionId, score, reason) in expected {
                let stored = try #require(simulator.store.assessment(id: id))
                let criterion = try #require(stored.criterion(categoryId: categoryId, criterionId: criterionId))
                #expect(criterion.score == score)
                #expect(criterion.reason == reason)
                #expect(criterion.state == .humanVerified)
                #expect(stored.supervisorAssessment == "Gespräch gut")
                #expect(stored.state == .discussedWithAssessee)
                #expect(stored.assessmentDate == "2024-06-12T11:00:00Z")
                #expect(simulator.patchCount(for: id) == 1)
            }
            let report = try report(in: "\(dir)/run")
            #expect(report.int("counts", "rows") == 6)
            #expect(report.int("counts", "assessments") == 3)
            #expect(report.int("counts", "applied") == 3)
            #expect(report.int("counts", "failed") == 0)
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/run/calibration.failures.csv"))
            let mode = try FileManager.default.attributesOfItem(atPath: "\(dir)/run/report.json")[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }

    @Test func mixedJSONLIsApplied() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 2)
            let (first, firstCard) = (try element(targets, 0))
            let (second, secondCard) = (try element(targets, 1))
            let (cat1, crit1) = (try element(criteria(of: firstCard), 0))
            let (cat2, crit2) = (try element(criteria(of: secondCard), 1))
            let score1 = newScore(for: crit1, current: first.criterion(categoryId: cat1, criterionId: crit1.id)?.score)
            let jsonl = """
                {"assessmentId": \(first.id), "categoryId": \(cat1), "criterionId": \(crit1.id), "score": \(score1), "reason": "flat"}
                {"assessmentId": \(second.id), "criteria": [{"categoryId": \(cat2), "criterionId": \(crit2.id), "reason": "nested only reason"}], "aiSummary": "Zusammenfassung ✓", "discussionDate": "2024-06-13T09:00:00Z"}
                {"assessmentId": \(first.id), "supervisorAssessment": "from a third line"}

                """
            write(jsonl, to: "\(dir)/nightly.jsonl")
            let result = await runJob(["\(dir)/nightly.jsonl"], simulator: simulator, out: "\(dir)/run")
            #expect(result.exitStatus == .success)
            let a = try #require(simulator.store.assessment(id: first.id))
            #expect(a.criterion(categoryId: cat1, criterionId: crit1.id)?.score == score1)
            #expect(a.criterion(categoryId: cat1, criterionId: crit1.id)?.reason == "flat")
            #expect(a.supervisorAssessment == "from a third line")
            let b = try #require(simulator.store.assessment(id: second.id))
            let untouched = second.criterion(categoryId: cat2, criterionId: crit2.id)?.score
            #expect(b.criterion(categoryId: cat2, criterionId: crit2.id)?.score == untouched)
            #expect(b.criterion(categoryId: cat2, criterionId: crit2.id)?.reason == "nested only reason")
            #expect(b.criterion(categoryId: cat2, criterionId: crit2.id)?.state == .humanVerified)
            #expect(b.aiSummary == "Zusammenfassung ✓")
            #expect(b.discussionDate == "2024-06-13T09:00:00Z")
            #expect(simulator.patchCount(for: first.id) == 1)
        }
    }

    @Test func partialFailureThenFailuresFileFinishesTheJob() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 3)
            var csv = "assessmentId,categoryId,criterionId,score,Reason\n"
            var expected: [Int: (Int, Int, Int)] = [:]
            for (assessment, scorecard) in targets {
                let (categoryId, criterion) = (try element(criteria(of: scorecard), 0))
                let score = newScore(for: criterion, current: assessment.criterion(categoryId: categoryId, criterionId: criterion.id)?.score)
                csv += "\(assessment.id),\(categoryId),\(criterion.id),\(score),\"fixed, later\"\n"
                expected[assessment.id] = (categoryId, criterion.id, score)
            }
            write(csv, to: "\(dir)/batch.csv")
            // A supervisor puts one assessment back into AI processing: it cannot be edited.
            let blocked = (try element(targets, 1)).0.id
            try simulator.store.setState(.aiInProgress, ofAssessment: blocked)

            let first = await runJob(["\(dir)/batch.csv"], simulator: simulator, out: "\(dir)/run1")
            #expect(first.exitStatus == .failures)
            #expect(simulator.patchCount(for: blocked) == 0)
            let failures = try #require(read("\(dir)/run1/batch.failures.csv"))
            let lines = failures.split(separator: "\n").map(String.init)
            #expect(lines.count == 2)
            #expect((try element(lines, 0)) == "assessmentId,categoryId,criterionId,score,Reason,error,errorKind,sourceLine")
            let (categoryId, criterionId, score) = try #require(expected[blocked])
            #expect((try element(lines, 1)).hasPrefix("\(blocked),\(categoryId),\(criterionId),\(score),\"fixed, later\",\"assessment \(blocked) is in state aiInProgress, which cannot be edited\","))
            #expect((try element(lines, 1)).hasSuffix(",rejected,3"))

            try simulator.store.setState(.reviewOngoing, ofAssessment: blocked)
            let second = await runJob(["\(dir)/run1/batch.failures.csv"], simulator: simulator, out: "\(dir)/run2")
            #expect(second.exitStatus == .success)
            #expect(second.report?.counts.applied == 1)
            #expect(simulator.store.assessment(id: blocked)?.criterion(categoryId: categoryId, criterionId: criterionId)?.score == score)
            #expect(simulator.patchCount(for: blocked) == 1)
            #expect(simulator.patchCount(for: (try element(targets, 0)).0.id) == 1)
        }
    }

    @Test func withoutPreflightTheServersRefusalIsRejected() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let (assessment, scorecard) = (try element(editableAssessments(simulator, count: 1), 0))
            let (categoryId, criterion) = (try element(criteria(of: scorecard), 0))
            write("assessmentId,categoryId,criterionId,score\n\(assessment.id),\(categoryId),\(criterion.id),\(criterion.maxPoints + 5)\n99999,1,1,1\n",
                  to: "\(dir)/in.csv")
            let result = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run", preflight: false)
            #expect(result.exitStatus == .failures)
            let outcomes = try #require(result.report?.outcomes)
            #expect(outcomes.map(\.errorKind) == [.rejected, .rejected])
            #expect(outcomes.map(\.httpStatus) == [400, 404])
            #expect((try element(outcomes, 0)).error?.hasPrefix("HTTP 400") == true)
            #expect(simulator.store.assessment(id: assessment.id)?.criterion(categoryId: categoryId, criterionId: criterion.id)?.score
                == assessment.criterion(categoryId: categoryId, criterionId: criterion.id)?.score)
        }
    }

    @Test func invalidInputSendsNothingAndExits2() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let (assessment, _) = (try element(editableAssessments(simulator, count: 1), 0))
            write("assessmentId,categoryId,criterionId,score\n\(assessment.id),1,1,5\n\(assessment.id),1,2,x\n", to: "\(dir)/in.csv")
            let result = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run")
            #expect(result.exitStatus == .invalidInput)
            #expect(result.diagnostics.map(\.description) == ["\(dir)/in.csv:3: score must be a whole number ≥ 0, got \"x\""])
            #expect(simulator.apiRequestCount == 0)
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/run"))
        }
    }

    @Test func skipInvalidSendsTheValidAssessmentsOnly() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 2)
            let (good, goodCard) = (try element(targets, 0))
            let (bad, _) = (try element(targets, 1))
            let (categoryId, criterion) = (try element(criteria(of: goodCard), 0))
            write("""
                assessmentId,categoryId,criterionId,score,state
                \(bad.id),,,,reviewedBySupervisor
                \(good.id),\(categoryId),\(criterion.id),0,
                \(bad.id),1,,3,

                """, to: "\(dir)/in.csv")
            let result = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run", skipInvalid: true)
            #expect(result.exitStatus == .failures)
            #expect(simulator.patchCount(for: good.id) == 1)
            #expect(simulator.patchCount(for: bad.id) == 0)
            let failures = try #require(read("\(dir)/run/in.failures.csv"))
            #expect(failures == """
                assessmentId,categoryId,criterionId,score,state,error,errorKind,sourceLine
                \(bad.id),,,,reviewedBySupervisor,assessment \(bad.id) not sent: line 4: criterionId is missing: a criterion needs both categoryId and criterionId,invalid,2
                \(bad.id),1,,3,,criterionId is missing: a criterion needs both categoryId and criterionId,invalid,4

                """)
            #expect(result.report?.counts.failedByKind[.invalid] == 1)
        }
    }

    @Test func rejectedTokenAbortsWithExit3AndNothingWritten() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 5)
            var csv = "assessmentId,supervisorAssessment\n"
            for (assessment, _) in targets { csv += "\(assessment.id),note\n" }
            write(csv, to: "\(dir)/in.csv")
            let result = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run", token: "wrong-token")
            #expect(result.exitStatus == .aborted)
            #expect(result.report?.abortReason == .authenticationRejected)
            #expect(result.report?.counts.notAttempted == 5)
            #expect(simulator.requestCount(method: "PATCH", path: "/api/mind/quality/assessment/{id}") == 0)
            let failures = try #require(read("\(dir)/run/in.failures.csv"))
            #expect(failures.split(separator: "\n").count == 6)
            #expect(failures.contains(",notAttempted,2"))
        }
    }

    @Test func aTransportErrorRetryingCannotFixAbortsAtOnce() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            write("assessmentId,supervisorAssessment\n1001,x\n1002,y\n", to: "\(dir)/in.csv")
            // Port 99999 does not exist: libcurl rejects the URL, as it would fail a TLS verification.
            let result = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run", maxAttempts: 50,
                                      baseURL: "http://127.0.0.1:99999/api/mind")
            #expect(result.exitStatus == .aborted)
            #expect((result.report?.statistics.requests ?? 99) <= 2)  // one per worker at most, no retries
            guard case .transportFailure? = result.report?.abortReason else {
                Issue.record("expected transportFailure, got \(String(describing: result.report?.abortReason))")
                return
            }
        }
    }

    @Test func unreachableServerAbortsWithExit3() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            write("assessmentId,supervisorAssessment\n1001,x\n1002,y\n", to: "\(dir)/in.csv")
            // Nothing listens on port 9 of loopback: every connect is refused.
            // A long --give-up-after: a server never reached ends the run after a few refused
            // connects, whatever the window.
            let result = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run", maxAttempts: 50,
                                      giveUpAfter: 300, baseURL: "http://127.0.0.1:9/api/mind")
            #expect(result.exitStatus == .aborted)
            #expect(result.report?.abortReason == .unreachable("cannot connect to 127.0.0.1:9: connection refused"))
            #expect(result.report?.counts.notAttempted == 2)
            #expect(result.report?.counts.failed == 0)
            let failures = try #require(read("\(dir)/run/in.failures.csv"))
            #expect(failures.contains("1001,x,not attempted: cannot connect to 127.0.0.1:9: connection refused (no request of this run got an answer),notAttempted,2"))
        }
    }
}
