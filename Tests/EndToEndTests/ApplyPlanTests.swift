import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import StrictJSON
import Testing

/// `apply --plan DIR`: writes exactly what `plan` put in DIR, checked against what the plan saw.
@Suite(.serialized)
struct ApplyPlanTests {
    /// One row per target changing its first criterion's score and reason.
    private func input(_ targets: [(SimAssessment, SimScorecard)], reason: (SimAssessment) -> String = { "changed \($0.id)" }) -> String {
        var csv = "assessmentId,categoryId,criterionId,score,reason\n"
        for (assessment, scorecard) in targets {
            let (categoryId, criterion) = criteria(of: scorecard)[0]
            let score = newScore(for: criterion, current: assessment.criterion(categoryId: categoryId, criterionId: criterion.id)?.score)
            csv += "\(assessment.id),\(categoryId),\(criterion.id),\(score),\(reason(assessment))\n"
        }
        return csv
    }

    @Test func theBodiesSentAreThePlansEvenAfterTheInputWasEdited() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 4)
            write(input(targets), to: "\(dir)/in.csv")
            let planned = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/plan", planOnly: true)
            #expect(planned.exitStatus == .success)
            #expect(simulator.patchCount(for: targets[0].0.id) == 0)
            // Edited after the review: other scores and reasons, and a fifth assessment.
            let extra = editableAssessments(simulator, count: 5)[4]
            write(input(Array(targets.dropFirst()) + [extra], reason: { "edited later \($0.id)" }), to: "\(dir)/in.csv")
            simulator.keepPatchBodies()
            let applied = try await runPlanApply("\(dir)/plan", simulator: simulator, out: "\(dir)/run")
            #expect(applied.exitStatus == .success)
            #expect(applied.report?.counts.applied == 4)
            let entries = try planEntries("\(dir)/plan")
            for (assessment, scorecard) in targets {
                let (categoryId, criterion) = criteria(of: scorecard)[0]
                let score = newScore(for: criterion, current: assessment.criterion(categoryId: categoryId, criterionId: criterion.id)?.score)
                let expected = #"{"criteria":[{"categoryId":\#(categoryId),"criterionId":\#(criterion.id),"score":\#(score),"reason":"changed \#(assessment.id)"}]}"#
                #expect(plannedBody(entries[assessment.id]) == expected)
                #expect(simulator.patchBodies(for: assessment.id) == [expected])
            }
            #expect(simulator.patchCount(for: extra.0.id) == 0)
            // The apply's page shows each written assessment's table too.
            if pythonHas("html5lib") {
                let page = try parseReviewPage("\(dir)/run/report.html")
                let articles = try #require(page["articles"]?.objectValue)
                #expect(Set(articles.keys) == Set(targets.map { String($0.0.id) }))
                for (assessment, scorecard) in targets {
                    let (categoryId, criterion) = criteria(of: scorecard)[0]
                    let rows = articles[String(assessment.id)]?.objectValue?["rows"]?.arrayValue?.compactMap(\.objectValue) ?? []
                    let reason = rows.first { $0["field"] == .string("reason") && $0["criterionId"] == .string(String(criterion.id)) }
                    #expect(reason?["new"] == .string("changed \(assessment.id)"))
                    #expect(reason?["category"] == .string(scorecard.categories.first { $0.categoryId == categoryId }?.label ?? ""))
                }
            } else {
                skipNote("the apply page's tables need python3 with html5lib")
            }
            // The run records the plan's inputs (as reviewed), not the edited file.
            #expect(applied.report?.inputs.first?.sha256 == planned.report?.inputs.first?.sha256)
        }
    }

    @Test func aServerChangeToAPlannedValueIsAConflictForThatAssessmentOnly() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 3)
            write(input(targets), to: "\(dir)/in.csv")
            let planned = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/plan", planOnly: true)
            #expect(planned.exitStatus == .success)
            let (moved, movedCard) = targets[0]
            let (touched, touchedCard) = targets[1]
            let (c0, k0) = criteria(of: movedCard)[0]
            let before = moved.criterion(categoryId: c0, criterionId: k0.id)?.reason
            _ = try simulator.store.modifyAssessment(id: moved.id) { assessment in
                if let index = assessment.criteria.firstIndex(where: { $0.categoryId == c0 && $0.criterionId == k0.id }) {
                    assessment.criteria[index].reason = "edited meanwhile"
                }
            }
            // Another value of a planned assessment: not one the plan changes.
            let (c1, k1) = criteria(of: touchedCard)[1]
            _ = try simulator.store.modifyAssessment(id: touched.id) { assessment in
                if let index = assessment.criteria.firstIndex(where: { $0.categoryId == c1 && $0.criterionId == k1.id }) {
                    assessment.criteria[index].reason = "someone else's note"
                }
                assessment.supervisorAssessment = "changed by someone else"
            }
            // The failures file comes from the plan, not the input.
            try FileManager.default.removeItem(atPath: "\(dir)/in.csv")
            let applied = try await runPlanApply("\(dir)/plan", simulator: simulator, out: "\(dir)/run")
            #expect(applied.exitStatus == .failures)
            let outcomes = Dictionary(uniqueKeysWithValues: (applied.report?.outcomes ?? []).map { ($0.assessmentId ?? 0, $0) })
            let category = movedCard.categories.first { $0.categoryId == c0 }?.label ?? ""
            let name = "category \(c0) \(JSONWriter.string(.string(category))) criterion \(k0.id) \(JSONWriter.string(.string(k0.label)))"
            let seen = before.map { $0.isEmpty ? "(empty)" : JSONWriter.string(.string($0)) } ?? "(empty)"
            #expect(outcomes[moved.id]?.errorKind == .conflict)
            #expect(outcomes[moved.id]?.error == "assessment \(moved.id) not written: \(name) reason changed on the server since the plan was made: the plan saw \(seen), the server now has \"edited meanwhile\", the plan sets \"changed \(moved.id)\"")
            #expect(simulator.patchCount(for: moved.id) == 0)
            #expect(outcomes[touched.id]?.status == .applied)
            #expect(outcomes[targets[2].0.id]?.status == .applied)
            #expect(simulator.store.assessment(id: touched.id)?.supervisorAssessment == "changed by someone else")
            let failures = try #require(read("\(dir)/run/in.failures.csv")).split(separator: "\n").map(String.init)
            #expect(failures.count == 2)
            #expect(failures.first == "assessmentId,categoryId,criterionId,score,reason,error,errorKind,sourceLine")
            let score = newScore(for: k0, current: moved.criterion(categoryId: c0, criterionId: k0.id)?.score)
            #expect(failures.last?.hasPrefix("\(moved.id),\(c0),\(k0.id),\(score),changed \(moved.id),\"assessment \(moved.id) not written: ") == true)
            #expect(failures.last?.hasSuffix(",conflict,2") == true)
        }
    }

    @Test func failuresFilesComeFromThePlanInEachInputsOwnFormat() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 2)
            let (csvTarget, csvCard) = targets[0]
            let (jsonTarget, jsonCard) = targets[1]
            let (c0, k0) = criteria(of: csvCard)[0]
            let (c1, k1) = criteria(of: jsonCard)[0]
            let csvScore = newScore(for: k0, current: csvTarget.criterion(categoryId: c0, criterionId: k0.id)?.score)
            let jsonScore = newScore(for: k1, current: jsonTarget.criterion(categoryId: c1, criterionId: k1.id)?.score)
            // A UTF-8 BOM, semicolons and CRLF, as Excel writes "CSV UTF-8" in some locales; and JSONL.
            let csv = "\u{FEFF}AssessmentID;categoryId;criterionId;score;reason\r\n\(csvTarget.id);\(c0);\(k0.id);\(csvScore);\"Grund; mit Semikolon\"\r\n"
            write(csv, to: "\(dir)/sheet.csv")
            let line = #"{"assessmentId":\#(jsonTarget.id),"criteria":[{"categoryId":\#(c1),"criterionId":\#(k1.id),"score":\#(jsonScore),"reason":"json reason"}]}"#
            write(line + "\n", to: "\(dir)/nightly.jsonl")
            let planned = await runJob(["\(dir)/sheet.csv", "\(dir)/nightly.jsonl"], simulator: simulator, out: "\(dir)/plan", planOnly: true)
            #expect(planned.exitStatus == .success)
            for (id, categoryId, criterionId) in [(csvTarget.id, c0, k0.id), (jsonTarget.id, c1, k1.id)] {
                _ = try simulator.store.modifyAssessment(id: id) { assessment in
                    if let index = assessment.criteria.firstIndex(where: { $0.categoryId == categoryId && $0.criterionId == criterionId }) {
                        assessment.criteria[index].reason = "moved"
                    }
                }
            }
            try FileManager.default.removeItem(atPath: "\(dir)/sheet.csv")
            write("not even a header\n", to: "\(dir)/nightly.jsonl")
            let applied = try await runPlanApply("\(dir)/plan", simulator: simulator, out: "\(dir)/run")
            #expect(applied.exitStatus == .failures)
            #expect(applied.report?.counts.failedByKind[.conflict] == 2)
            let csvBytes = try #require(FileManager.default.contents(atPath: "\(dir)/run/sheet.failures.csv"))
            #expect(csvBytes.starts(with: [0xEF, 0xBB, 0xBF]))
            let csvLines = String(decoding: csvBytes.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n")
            #expect(csvLines.count == 3)
            #expect(csvLines.first == "AssessmentID;categoryId;criterionId;score;reason;error;errorKind;sourceLine")
            #expect(csvLines[1].hasPrefix("\(csvTarget.id);\(c0);\(k0.id);\(csvScore);\"Grund; mit Semikolon\";\"assessment \(csvTarget.id) not written: "))
            #expect(csvLines[1].hasSuffix(";conflict;2"))
            let jsonText = try #require(read("\(dir)/run/nightly.failures.jsonl"))
            let object = try #require(try Array(jsonText.utf8).withUnsafeBytes { try JSONParser.parse($0) }.objectValue)
            #expect(object.keys == ["assessmentId", "criteria", "error", "errorKind", "sourceLine"])
            #expect(object["errorKind"] == .string("conflict"))
            #expect(object["sourceLine"] == .number("1"))
            #expect(object["error"]?.stringValue?.hasPrefix("assessment \(jsonTarget.id) not written: ") == true)
        }
    }

    @Test func anAlteredPlanIsRefusedAndNothingIsSent() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 2)
            write(input(targets), to: "\(dir)/in.csv")
            let planned = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/plan", planOnly: true)
            #expect(planned.exitStatus == .success)
            let original = try #require(read("\(dir)/plan/plan.json"))
            // A reason edited in the patch, a space added, the seal recomputed by nobody.
            for altered in [original.replacingOccurrences(of: "changed \(targets[0].0.id)", with: "changed \(targets[0].0.id)!"),
                            original.replacingOccurrences(of: "\"patch\": {", with: "\"patch\":  {")] {
                #expect(altered != original)
                write(altered, to: "\(dir)/plan/plan.json")
                #expect(throws: PlanFormatError.self) { try SavedPlan.load(directory: "\(dir)/plan") }
                let result = await runTool(["apply", "--plan", "plan", "--base-url", simulator.baseURL, "--out", "run"],
                                           environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
                #expect(result.status == 2)
                #expect(result.stderr.contains("assessment-batch: cannot apply the plan in plan: plan/plan.json is refused: its content does not match its \"planSHA256\" seal"))
                #expect(result.stderr.contains("the file was altered after plan wrote it. Nothing was sent; make a new plan."))
            }
            write(String(original.dropLast(20)), to: "\(dir)/plan/plan.json")
            let cut = await runTool(["apply", "--plan", "plan", "--base-url", simulator.baseURL, "--out", "run"],
                                    environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(cut.status == 2)
            #expect(cut.stderr.contains("its last member is not the \"planSHA256\" seal that plan writes: the file was altered"))
            for (assessment, _) in targets { #expect(simulator.patchCount(for: assessment.id) == 0) }
            write(original, to: "\(dir)/plan/plan.json")
            // The rows file is sealed too: plan.json records its SHA-256.
            let rows = try #require(read("\(dir)/plan/plan-rows.jsonl"))
            write(rows.replacingOccurrences(of: "changed \(targets[0].0.id)", with: "edited"), to: "\(dir)/plan/plan-rows.jsonl")
            let rowsAltered = await runTool(["apply", "--plan", "plan", "--base-url", simulator.baseURL, "--out", "run"],
                                            environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(rowsAltered.status == 2)
            #expect(rowsAltered.stderr.contains("plan/plan-rows.jsonl is refused: its SHA-256 "))
            #expect(rowsAltered.stderr.contains("that plan.json records: the file was altered after plan wrote it. Nothing was sent; make a new plan."))
            for (assessment, _) in targets { #expect(simulator.patchCount(for: assessment.id) == 0) }
            // The plan as written applies.
            write(rows, to: "\(dir)/plan/plan-rows.jsonl")
            let applied = try await runPlanApply("\(dir)/plan", simulator: simulator, out: "\(dir)/run2")
            #expect(applied.report?.counts.applied == 2)
        }
    }

    @Test func aPlanLockedByARunningApplyIsRefused() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 2)
            write(input(targets), to: "\(dir)/in.csv")
            _ = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/plan", planOnly: true)
            var lock: RunDirectoryLock? = try RunDirectoryLock(directory: "\(dir)/plan")
            let refused = try await runPlanApply("\(dir)/plan", simulator: simulator, out: "\(dir)/run")
            #expect(refused.exitStatus == .invalidInput)
            #expect(refused.report == nil)
            let viaTool = await runTool(["apply", "--plan", "plan", "--base-url", simulator.baseURL, "--out", "run2"],
                                        environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(viaTool.status == 2)
            #expect(viaTool.stderr.contains("cannot apply the plan: run directory plan is in use by another process (is an apply of this plan running?); nothing sent"))
            for (assessment, _) in targets { #expect(simulator.patchCount(for: assessment.id) == 0) }
            withExtendedLifetime(lock) {}
            lock = nil
            let applied = try await runPlanApply("\(dir)/plan", simulator: simulator, out: "\(dir)/run3")
            #expect(applied.exitStatus == .success)
        }
    }

    @Test func planWithInputFilesIsAUsageError() async throws {
        let dir = scratchDirectory()
        write("assessmentId,score\n1,2\n", to: "\(dir)/in.csv")
        let result = await runTool(["apply", "--plan", "plan", "in.csv"], environment: ["ENNEO_TOKEN": "x"], directory: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--plan applies the plan in plan without reading input files: give no files."))
    }

    @Test func aKilledApplyOfAPlanResumesToTheEnd() async throws {
        try await withSimulator(assessments: 400, faults: FaultSettings(latencyMs: 40)) { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 100)
            write(input(targets), to: "\(dir)/in.csv")
            let planned = await runTool(["plan", "in.csv", "--base-url", simulator.baseURL, "--out", "plan"],
                                        environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(planned.status == 0, "\(planned.stderr)")
            #expect(planned.stderr.hasSuffix("  apply:    assessment-batch apply --plan plan\n"))
            let ids = targets.map(\.0.id)
            let killed = await runTool(["apply", "--plan", "plan", "--base-url", simulator.baseURL, "--out", "run", "--concurrency", "4"],
                                       environment: ["ENNEO_TOKEN": simulator.token], directory: dir) { pid in
                // Killed once 30 PATCHes were answered, whatever the time that takes.
                var waited = 0
                while ids.reduce(0, { $0 + simulator.patchCount(for: $1) }) < 30 && waited < 30_000 {
                    usleep(1000)
                    waited += 1
                }
                kill(pid, SIGKILL)
            }
            #expect(killed.status == 9 || killed.status == 137)
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/run/report.json"))
            let resumed = await runTool(["apply", "--resume", "run"], environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(resumed.status == 0, "\(resumed.stderr)")
            let report = try report(in: "\(dir)/run")
            #expect((report.int("counts", "applied") ?? 0) + (report.int("counts", "unchanged") ?? 0) == targets.count)
            #expect(report.int("counts", "failed") == 0)
            for (assessment, scorecard) in targets {
                let (categoryId, criterion) = criteria(of: scorecard)[0]
                let score = newScore(for: criterion, current: assessment.criterion(categoryId: categoryId, criterionId: criterion.id)?.score)
                let live = simulator.store.assessment(id: assessment.id)?.criterion(categoryId: categoryId, criterionId: criterion.id)
                #expect(live?.score == score)
                #expect(live?.reason == "changed \(assessment.id)")
            }
        }
    }
}
