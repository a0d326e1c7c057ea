import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import Testing

/// Applying exported sheets: unedited changes nothing, edits write exactly themselves, and an
/// edit someone else made meanwhile is never overwritten.
@Suite(.serialized)
struct SheetApplyTests {
    private func patches(_ simulator: RunningSimulator) -> Int {
        simulator.requestCount(method: "PATCH", path: "/api/mind/quality/assessment/{id}")
    }

    @Test func anUneditedSheetSendsNothingAndEveryAssessmentIsUnchanged() async throws {
        try await withSimulator(assessments: 80) { simulator in
            let dir = scratchDirectory()
            for (name, delimiter) in [("sheet.csv", UInt8(ascii: ",")), ("semi.csv", UInt8(ascii: ";")), ("sheet.tsv", UInt8(ascii: "\t")), ("sheet.jsonl", 0)] {
                let exported = await runExport(simulator, output: "\(dir)/\(name)", delimiter: delimiter)
                #expect(exported.exitStatus == .success)
                let getsBefore = simulator.requestCount(method: "GET", path: "/api/mind/quality/assessment/{id}")
                for preflight in [true, false] {
                    let result = await runJob(["\(dir)/\(name)"], simulator: simulator, out: "\(dir)/run-\(name)-\(preflight)", preflight: preflight)
                    #expect(result.exitStatus == .success, "\(name): \(result.diagnostics)")
                    #expect(result.report?.counts.unchanged == exported.exported)
                    #expect(result.report?.counts.assessments == exported.exported)
                }
                #expect(patches(simulator) == 0)
                // Nothing to send needs no read either.
                #expect(simulator.requestCount(method: "GET", path: "/api/mind/quality/assessment/{id}") == getsBefore)
            }
        }
    }

    @Test func editsSendExactlyTheEditedValues() async throws {
        try await withSimulator(assessments: 80) { simulator in
            let dir = scratchDirectory()
            simulator.keepPatchBodies()
            let targets = editableAssessments(simulator, count: 3)
            let ids = targets.map(\.0.id)
            _ = await runExport(simulator, output: "\(dir)/sheet.csv", selection: ExportSelection(ids: ids))
            let before = ids.map { simulator.store.assessment(id: $0)! }
            var sheet = try Sheet(path: "\(dir)/sheet.csv")
            // Assessment 0: one score; assessment 1: one reason and its state; assessment 2: nothing.
            let (c0, k0) = criteria(of: targets[0].1)[1]
            let score0 = newScore(for: k0, current: targets[0].0.criterion(categoryId: c0, criterionId: k0.id)?.score)
            sheet.set(try #require(sheet.row(assessment: ids[0], categoryId: c0, criterionId: k0.id)), "score", String(score0))
            let (c1, k1) = criteria(of: targets[1].1)[0]
            sheet.set(try #require(sheet.row(assessment: ids[1], categoryId: c1, criterionId: k1.id)), "reason", "Kunde mit Namen begrüßt, \"gut\"")
            let target1State: AssessmentSimulator.AssessmentState = targets[1].0.state == .reviewedBySupervisor ? .discussedWithAssessee : .reviewedBySupervisor
            sheet.set(try #require(sheet.firstRow(assessment: ids[1])), "state", target1State.rawValue)
            sheet.write(to: "\(dir)/edited.csv")

            let plan = await runJob(["\(dir)/edited.csv"], simulator: simulator, out: "\(dir)/plan", planOnly: true)
            var diff: [UInt8] = []
            try PlanFile.writeDiff(plan.plan, rendered: try #require(plan.renderedPlan)) { diff += $0 }
            let lines = String(decoding: diff, as: UTF8.self).split(separator: "\n").map(String.init)
            let name0 = "category \(c0) \"\(targets[0].1.categories.first { $0.categoryId == c0 }!.label)\" criterion \(k0.id) \"\(k0.label)\""
            let old0 = targets[0].0.criterion(categoryId: c0, criterionId: k0.id)?.score.map(String.init) ?? "(unscored)"
            #expect(lines.contains("  \(name0) score: \(old0) → \(score0)"))
            #expect(lines.filter { $0.hasPrefix("  ") && !$0.hasPrefix("  note:") }.count == 3, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("assessment \(ids[2]) ") && $0.hasSuffix(": unchanged") })
            #expect(patches(simulator) == 0)

            let result = await runJob(["\(dir)/edited.csv"], simulator: simulator, out: "\(dir)/run")
            #expect(result.exitStatus == .success)
            #expect(result.report?.counts.applied == 2)
            #expect(result.report?.counts.unchanged == 1)
            #expect(simulator.patchBodies(for: ids[0]) == [#"{"criteria":[{"categoryId":\#(c0),"criterionId":\#(k0.id),"score":\#(score0)}]}"#])
            #expect(simulator.patchBodies(for: ids[1]) == [#"{"criteria":[{"categoryId":\#(c1),"criterionId":\#(k1.id),"reason":"Kunde mit Namen begrüßt, \"gut\""}],"state":"\#(target1State.rawValue)"}"#])
            #expect(simulator.patchBodies(for: ids[2]).isEmpty)

            // Value by value: only the edited ones moved; every other criterion kept its state.
            for (index, id) in ids.enumerated() {
                let after = try #require(simulator.store.assessment(id: id))
                for (old, new) in zip(before[index].criteria, after.criteria) {
                    let edited = (index == 0 && old.categoryId == c0 && old.criterionId == k0.id) || (index == 1 && old.categoryId == c1 && old.criterionId == k1.id)
                    if edited {
                        #expect(new.state == .humanVerified)
                        if index == 0 { #expect(new.score == score0 && new.reason == old.reason) }
                        if index == 1 { #expect(new.reason == "Kunde mit Namen begrüßt, \"gut\"" && new.score == old.score) }
                    } else {
                        #expect(new == old)
                    }
                }
                #expect(after.aiSummary == before[index].aiSummary)
                #expect(after.supervisorAssessment == before[index].supervisorAssessment)
            }
            #expect(simulator.store.assessment(id: ids[1])?.state == target1State)
        }
    }

    @Test func withoutPreflightUneditedValuesAreStillLeftOut() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            simulator.keepPatchBodies()
            let targets = editableAssessments(simulator, count: 2)
            _ = await runExport(simulator, output: "\(dir)/sheet.jsonl", selection: ExportSelection(ids: targets.map(\.0.id)))
            // Edit one score in the JSONL sheet, as a script would.
            let (c, k) = criteria(of: targets[0].1)[0]
            let score = newScore(for: k, current: targets[0].0.criterion(categoryId: c, criterionId: k.id)?.score)
            let lines = try #require(read("\(dir)/sheet.jsonl")).split(separator: "\n").map { line -> String in
                let prefix = #"{"assessmentId":\#(targets[0].0.id),"#
                guard line.hasPrefix(prefix), line.contains(#""categoryId":\#(c),"#), line.contains(#""criterionId":\#(k.id),"#) else { return String(line) }
                return String(line).replacing(#/"score":(null|\d+),/#, with: #""score":\#(score),"#)
            }
            write(lines.joined(separator: "\n") + "\n", to: "\(dir)/edited.jsonl")
            let result = await runJob(["\(dir)/edited.jsonl"], simulator: simulator, out: "\(dir)/run", preflight: false)
            #expect(result.exitStatus == .success)
            #expect(result.report?.counts.applied == 1)
            #expect(result.report?.counts.unchanged == 1)
            #expect(simulator.patchBodies(for: targets[0].0.id) == [#"{"criteria":[{"categoryId":\#(c),"criterionId":\#(k.id),"score":\#(score)}]}"#])
            #expect(simulator.patchBodies(for: targets[1].0.id).isEmpty)
        }
    }

    @Test func anEditSomeoneElseChangedMeanwhileIsAConflictAndAnUneditedOneIsNot() async throws {
        try await withSimulator(assessments: 80) { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 2)
            _ = await runExport(simulator, output: "\(dir)/sheet.csv", selection: ExportSelection(ids: targets.map(\.0.id)), delimiter: UInt8(ascii: ";"))
            var sheet = try Sheet(path: "\(dir)/sheet.csv", delimiter: UInt8(ascii: ";"))
            // Both assessments: the reviewer edits the first criterion's score.
            var edits: [(Int, Int, Int)] = []
            for (assessment, scorecard) in targets {
                let (c, k) = criteria(of: scorecard)[0]
                let score = newScore(for: k, current: assessment.criterion(categoryId: c, criterionId: k.id)?.score)
                sheet.set(try #require(sheet.row(assessment: assessment.id, categoryId: c, criterionId: k.id)), "score", String(score))
                edits.append((c, k.id, score))
            }
            sheet.write(to: "\(dir)/edited.csv", delimiter: ";")
            // Meanwhile, in the UI: the same score of assessment 0, and another criterion's reason of assessment 1.
            let (c0, k0) = criteria(of: targets[0].1)[0]
            let live0 = targets[0].0.criterion(categoryId: c0, criterionId: k0.id)?.score
            let other0 = k0.scoringType == .metNotMet ? (live0 == 0 ? k0.maxPoints : 0) : (live0 == 0 ? 1 : 0)
            try simulator.store.modifyAssessment(id: targets[0].0.id) { assessment in
                let index = assessment.criteria.firstIndex { $0.categoryId == c0 && $0.criterionId == k0.id }!
                assessment.criteria[index].score = other0 == edits[0].2 ? (other0 == 0 ? k0.maxPoints : 0) : other0
                assessment.criteria[index].state = .humanVerified
            }
            let (c1b, k1b) = criteria(of: targets[1].1)[1]
            try simulator.store.modifyAssessment(id: targets[1].0.id) { assessment in
                let index = assessment.criteria.firstIndex { $0.categoryId == c1b && $0.criterionId == k1b.id }!
                assessment.criteria[index].reason = "changed in the UI"
            }
            let seen0 = simulator.store.assessment(id: targets[0].0.id)!
            let result = await runJob(["\(dir)/edited.csv"], simulator: simulator, out: "\(dir)/run")
            #expect(result.exitStatus == .failures)
            let outcomes = Dictionary(uniqueKeysWithValues: (result.report?.outcomes ?? []).map { ($0.assessmentId ?? 0, $0) })
            #expect(outcomes[targets[0].0.id]?.errorKind == .conflict)
            let name = "category \(c0) \"\(targets[0].1.categories.first { $0.categoryId == c0 }!.label)\" criterion \(k0.id) \"\(k0.label)\""
            let liveNow = seen0.criterion(categoryId: c0, criterionId: k0.id)!.score!
            #expect(outcomes[targets[0].0.id]?.error == "assessment \(targets[0].0.id) not written: \(name) score changed on the server since the file was made: the file saw \(live0.map(String.init) ?? "(unscored)"), the server now has \(liveNow), the file sets \(edits[0].2)")
            #expect(simulator.patchCount(for: targets[0].0.id) == 0)
            #expect(simulator.store.assessment(id: targets[0].0.id) == seen0)
            #expect(outcomes[targets[1].0.id]?.status == .applied)
            let after1 = simulator.store.assessment(id: targets[1].0.id)!
            #expect(after1.criterion(categoryId: c1b, criterionId: k1b.id)?.reason == "changed in the UI")
            #expect(after1.criterion(categoryId: edits[1].0, criterionId: edits[1].1)?.score == edits[1].2)
            // The failures file keeps the Before columns: re-applied, it is the same conflict.
            let failures = try #require(read("\(dir)/run/edited.failures.csv"))
            #expect(failures.contains("scoreBefore"))
        }
    }

    @Test func formulaLikeTextsSurviveExportApplyExportByteForByte() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let (assessment, scorecard) = try #require(editableAssessments(simulator, count: 60).max { criteria(of: $0.1).count < criteria(of: $1.1).count })
            let all = ["=HYPERLINK(\"x\")", "'=quoted", "\rCR", "''+two", "@SUM(A1)", "\tTab", "+1", "-2", "'plain", "fine"]
            let texts = Array(all.prefix(criteria(of: scorecard).count - 1))
            #expect(texts.count >= 5)
            let keys = criteria(of: scorecard).prefix(texts.count)
            try simulator.store.modifyAssessment(id: assessment.id) { value in
                for ((categoryId, criterion), text) in zip(keys, texts) {
                    let index = value.criteria.firstIndex { $0.categoryId == categoryId && $0.criterionId == criterion.id }!
                    value.criteria[index].reason = text
                }
                value.aiSummary = "=cmd|' /C calc'!A0"
                value.supervisorAssessment = "-minus"
            }
            let stored = simulator.store.assessment(id: assessment.id)!
            for format in ["csv", "tsv", "jsonl"] {
                let first = await runExport(simulator, output: "\(dir)/a.\(format)", selection: ExportSelection(ids: [assessment.id]))
                #expect(first.exitStatus == .success)
                if format != "jsonl" {
                    let sheet = try Sheet(path: "\(dir)/a.\(format)", delimiter: format == "tsv" ? 9 : 44)
                    let reasons = sheet.rows.map { $0[sheet.column("reason")] }
                    #expect(Array(reasons.prefix(texts.count)) == texts.map { text in ["=", "+", "-", "@", "\t", "\r", "'=", "''"].contains { text.hasPrefix($0) } ? "'" + text : text })
                    for reason in reasons { #expect(reason.first.map { !"=+-@\t\r".contains($0) } ?? true) }
                }
                let result = await runJob(["\(dir)/a.\(format)"], simulator: simulator, out: "\(dir)/run-\(format)")
                #expect(result.report?.counts.unchanged == 1)
                #expect(simulator.patchCount(for: assessment.id) == 0)
                let second = await runExport(simulator, output: "\(dir)/b.\(format)", selection: ExportSelection(ids: [assessment.id]))
                #expect(second.exitStatus == .success)
                #expect(FileManager.default.contents(atPath: "\(dir)/a.\(format)") == FileManager.default.contents(atPath: "\(dir)/b.\(format)"))
            }
            // An edit elsewhere in the sheet sends no formula text and leaves them all as they were.
            var sheet = try Sheet(path: "\(dir)/a.csv")
            let (lastCategory, lastCriterion) = criteria(of: scorecard)[texts.count]
            sheet.set(try #require(sheet.row(assessment: assessment.id, categoryId: lastCategory, criterionId: lastCriterion.id)), "reason", "=new formula-like text")
            sheet.write(to: "\(dir)/edited.csv")
            let result = await runJob(["\(dir)/edited.csv"], simulator: simulator, out: "\(dir)/run-edited")
            #expect(result.report?.counts.applied == 1)
            let after = simulator.store.assessment(id: assessment.id)!
            #expect(after.criterion(categoryId: lastCategory, criterionId: lastCriterion.id)?.reason == "=new formula-like text")
            for ((categoryId, criterion), text) in zip(keys, texts) {
                #expect(after.criterion(categoryId: categoryId, criterionId: criterion.id)?.reason == text)
            }
            #expect(after.aiSummary == stored.aiSummary)
        }
    }
}
