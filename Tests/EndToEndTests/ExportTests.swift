import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import Testing

/// `export` against the simulator: selection, the sheet's shape, file handling.
@Suite(.serialized)
struct ExportTests {
    /// Assessments the list endpoint shows the demo token (all but deleted ones), by a filter.
    private func listed(_ simulator: RunningSimulator, _ include: (SimAssessment) -> Bool) -> [Int] {
        simulator.store.allAssessments().filter { $0.state != .deleted && include($0) }.map(\.id)
    }

    @Test func eachFilterSelectsExactlyTheMatchingAssessments() async throws {
        try await withSimulator(assessments: 120) { simulator in
            let dir = scratchDirectory()
            let all = simulator.store.allAssessments()
            let everything = await runExport(simulator, output: "\(dir)/all.csv", pageSize: 7)
            #expect(everything.exitStatus == .success)
            #expect(try Sheet(path: "\(dir)/all.csv").assessmentIds == listed(simulator) { _ in true })

            let states = await runExport(simulator, output: "\(dir)/states.csv", selection: ExportSelection(states: ["aiReady", "reviewOngoing"]), pageSize: 9)
            #expect(states.exitStatus == .success)
            let byState = listed(simulator) { [.aiReady, .reviewOngoing].contains($0.state) }
            #expect(!byState.isEmpty)
            #expect(try Sheet(path: "\(dir)/states.csv").assessmentIds == byState)

            let user = try #require(all.first { $0.state != .deleted }?.assessedUser)
            _ = await runExport(simulator, output: "\(dir)/user.csv", selection: ExportSelection(user: user))
            #expect(try Sheet(path: "\(dir)/user.csv").assessmentIds == listed(simulator) { $0.assessedUser == user })

            let base = try #require(all.first { $0.state != .deleted }?.scorecardBaseId)
            _ = await runExport(simulator, output: "\(dir)/base.csv", selection: ExportSelection(scorecardBaseId: base))
            let byBase = listed(simulator) { $0.scorecardBaseId == base }
            #expect(byBase.count < listed(simulator) { _ in true }.count)
            #expect(try Sheet(path: "\(dir)/base.csv").assessmentIds == byBase)

            let visible = listed(simulator) { _ in true }
            let chosen = [visible[5], visible[2]]
            _ = await runExport(simulator, output: "\(dir)/ids.csv", selection: ExportSelection(ids: chosen))
            #expect(try Sheet(path: "\(dir)/ids.csv").assessmentIds == chosen)
        }
    }

    @Test func theSheetHasOneRowPerCriterionInScorecardOrderWithLiveValuesTwice() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let (assessment, scorecard) = try #require(editableAssessments(simulator, count: 1).first)
            let result = await runExport(simulator, output: "\(dir)/one.csv", selection: ExportSelection(ids: [assessment.id]))
            #expect(result.exitStatus == .success)
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(dir)/one.csv")))
            #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
            let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
            #expect(text.hasPrefix("assessmentId,assessedUser,ticketId,canEdit,scorecardId,categoryId,categoryName,criterionId,criterionName,scoringType,maxPoints,score,scoreBefore,reason,reasonBefore,state,stateBefore,aiSummary,aiSummaryBefore,supervisorAssessment,supervisorAssessmentBefore,assessmentDate,assessmentDateBefore,discussionDate,discussionDateBefore\r\n"))
            #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n") || text.contains("\""))
            let sheet = try Sheet(path: "\(dir)/one.csv")
            let expected = scorecard.categories.sorted { $0.order < $1.order }.flatMap { category in category.criteria.map { (category, $0) } }
            #expect(sheet.rows.count == expected.count)
            for (index, (category, criterion)) in expected.enumerated() {
                let live = assessment.criterion(categoryId: category.categoryId, criterionId: criterion.id)
                #expect(sheet.cell(index, "categoryId") == String(category.categoryId))
                #expect(sheet.cell(index, "categoryName") == FormulaGuard.escaped(category.label))
                #expect(sheet.cell(index, "criterionId") == String(criterion.id))
                #expect(sheet.cell(index, "criterionName") == FormulaGuard.escaped(criterion.label))
                #expect(sheet.cell(index, "maxPoints") == String(criterion.maxPoints))
                #expect(sheet.cell(index, "scoringType") == criterion.scoringType.rawValue)
                #expect(sheet.cell(index, "score") == (live?.score.map(String.init) ?? ""))
                #expect(sheet.cell(index, "scoreBefore") == sheet.cell(index, "score"))
                #expect(sheet.cell(index, "reason") == FormulaGuard.escaped(live?.reason ?? ""))
                #expect(sheet.cell(index, "reasonBefore") == sheet.cell(index, "reason"))
                #expect(sheet.cell(index, "assessedUser") == String(assessment.assessedUser))
                #expect(sheet.cell(index, "ticketId") == String(assessment.ticketId))
                #expect(sheet.cell(index, "canEdit") == "true")
                #expect(sheet.cell(index, "state") == "")
                #expect(sheet.cell(index, "stateBefore") == (index == 0 ? assessment.state.rawValue : ""))
                #expect(sheet.cell(index, "aiSummary") == (index == 0 ? FormulaGuard.escaped(assessment.aiSummary) : ""))
                #expect(sheet.cell(index, "assessmentDateBefore") == (index == 0 ? assessment.assessmentDate ?? "" : ""))
            }
        }
    }

    /// The same rule for every format the export writes, the workbook included.
    @Test(arguments: ["sheet.csv", "sheet.xlsx"])
    func theFileIsPrivateAndAnExistingOneIsKeptUnlessForced(name: String) async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let path = "\(dir)/\(name)"
            let first = await runExport(simulator, output: path)
            #expect(first.exitStatus == .success)
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
            #expect(mode == 0o600)
            write("reviewer's edits", to: path)
            let refused = await runExport(simulator, output: path)
            #expect(refused.exitStatus == .invalidInput)
            #expect(refused.problem == "\(path) exists and may hold a reviewer's edits: choose another name or pass --force")
            #expect(read(path) == "reviewer's edits")
            let forced = await runExport(simulator, output: path, force: true)
            #expect(forced.exitStatus == .success)
            if name.hasSuffix(".xlsx") {
                #expect(FileManager.default.contents(atPath: path)?.starts(with: [0x50, 0x4B, 0x03, 0x04]) == true, "a zip")
            } else {
                #expect(read(path)?.hasPrefix("\u{FEFF}assessmentId,") == true)
            }
            let entries = try FileManager.default.contentsOfDirectory(atPath: dir)
            #expect(entries == [name])
        }
    }

    @Test func theCommandRefusesAnExistingFileWithExit2() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            write("keep", to: "\(dir)/sheet.csv")
            let result = await runTool(["export", "--output", "sheet.csv", "--state", "aiReady"],
                                       environment: ["ENNEO_BASE_URL": simulator.baseURL, "ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(result.status == 2)
            #expect(result.stderr.contains("sheet.csv exists and may hold a reviewer's edits: choose another name or pass --force."))
            #expect(read("\(dir)/sheet.csv") == "keep")
            let fresh = await runTool(["export", "--output", "new.tsv", "--state", "aiReady,reviewOngoing"],
                                      environment: ["ENNEO_BASE_URL": simulator.baseURL, "ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(fresh.status == 0, "\(fresh.stderr)")
            #expect(fresh.stderr.contains("written to new.tsv"))
            #expect(fresh.stdout.isEmpty)
        }
    }

    @Test func unreadableAssessmentsAreNamedAndTheRestIsWritten() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let good = try #require(editableAssessments(simulator, count: 1).first?.0.id)
            let result = await runExport(simulator, output: "\(dir)/some.csv", selection: ExportSelection(ids: [good, 999_999]))
            #expect(result.exitStatus == .failures)
            #expect(result.failures.map(\.assessmentId) == [999_999])
            #expect(result.failures.first?.message.hasPrefix("assessment 999999 does not exist or was deleted (HTTP 404") == true)
            #expect(try Sheet(path: "\(dir)/some.csv").assessmentIds == [good])
        }
    }

    @Test func aRejectedTokenWritesNothingAndExits3() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let result = await runExport(simulator, output: "\(dir)/x.csv", token: "wrong")
            #expect(result.exitStatus == .aborted)
            #expect(result.path == nil)
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/x.csv"))
        }
    }

    @Test func anInterruptedExportWritesNothing() async throws {
        try await withSimulator(assessments: 200, faults: FaultSettings(latencyMs: 40)) { simulator in
            let dir = scratchDirectory()
            let control = RunControl()
            Thread {
                // After a few answers, while pages and assessments are still being read.
                _ = simulator.waitForAnswers(12)
                control.abort(.interrupted(signal: SIGINT), abortTransfers: false)
            }.start()
            // Small pages: the interruption lands while pages and assessments are still being read.
            let result = await runExport(simulator, output: "\(dir)/x.csv", pageSize: 5, control: control)
            #expect(result.exitStatus == .interrupted)
            #expect(result.path == nil)
            let entries = try FileManager.default.contentsOfDirectory(atPath: dir)
            #expect(entries == [])
        }
    }

    @Test func idsComeFromAFailuresFile() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 3)
            // One valid update and two whose criterion the scorecard does not have.
            let (c, k) = criteria(of: targets[0].1)[0]
            write("""
                assessmentId,categoryId,criterionId,score
                \(targets[0].0.id),\(c),\(k.id),0
                \(targets[1].0.id),99,99,1
                \(targets[2].0.id),98,98,1

                """, to: "\(dir)/in.csv")
            let applied = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run")
            #expect(applied.exitStatus == .failures)
            let ids = try AssessmentIdList.read(path: "\(dir)/run/in.failures.csv")
            #expect(ids == [targets[1].0.id, targets[2].0.id])
            let result = await runExport(simulator, output: "\(dir)/retry.csv", selection: ExportSelection(ids: ids))
            #expect(result.exitStatus == .success)
            #expect(try Sheet(path: "\(dir)/retry.csv").assessmentIds == ids)
            write("\(targets[2].0.id)\n\n \(targets[0].0.id)\n\(targets[2].0.id)\n", to: "\(dir)/ids.txt")
            #expect(try AssessmentIdList.read(path: "\(dir)/ids.txt") == [targets[2].0.id, targets[0].0.id])
            write("\(targets[2].0.id)\nabc\n", to: "\(dir)/bad.txt")
            #expect(throws: IdListError.self) { try AssessmentIdList.read(path: "\(dir)/bad.txt") }
        }
    }

    @Test func windows1252SheetsHaveNoBOMAndSingleByteUmlauts() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let (assessment, _) = try #require(editableAssessments(simulator, count: 1).first)
            try simulator.store.modifyAssessment(id: assessment.id) { $0.aiSummary = "Begrüßung – gut" }
            let result = await runExport(simulator, output: "\(dir)/w.csv", selection: ExportSelection(ids: [assessment.id]), encoding: .windows1252)
            #expect(result.exitStatus == .success)
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(dir)/w.csv")))
            #expect(bytes.starts(with: Array("assessmentId,".utf8)))
            let summary: [UInt8] = [0x42, 0x65, 0x67, 0x72, 0xFC, 0xDF, 0x75, 0x6E, 0x67, 0x20, 0x96, 0x20, 0x67, 0x75, 0x74]
            #expect(bytes.indices.contains { bytes[$0...].starts(with: summary) })
            try simulator.store.modifyAssessment(id: assessment.id) { $0.aiSummary = "Łódź" }
            let refused = await runExport(simulator, output: "\(dir)/w2.csv", selection: ExportSelection(ids: [assessment.id]), encoding: .windows1252)
            #expect(refused.exitStatus == .invalidInput)
            #expect(refused.problem == "the sheet holds \"Ł\" (U+141), which windows-1252 cannot hold: export with --encoding utf-8")
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/w2.csv"))
        }
    }
}
