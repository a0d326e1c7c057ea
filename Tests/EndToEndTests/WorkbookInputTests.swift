import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import Testing

/// `.xlsx` inputs end to end: workbooks written by openpyxl and LibreOffice apply exactly the
/// edits made in them; cell problems name the cell; refusals say what the file is.
@Suite(.serialized)
struct WorkbookInputTests {
    /// Turns an exported CSV sheet into a workbook with openpyxl, as a reviewer's program would
    /// hold it (ids and scores as numbers, texts as text cells, export's formula apostrophe
    /// removed), then makes `edits` (sheet row, column, JSON value) in it.
    private static let csvToWorkbook = #"""
        import csv, json, sys, openpyxl
        src, dst, edits = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
        with open(src, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
        numeric = {"assessmentId", "categoryId", "criterionId", "score", "scoreBefore", "scorecardId", "maxPoints"}
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "assessments"
        header = rows[0]
        def put(r, c, v):
            cell = ws.cell(row=r, column=c)
            cell.value = v
            if isinstance(v, str):
                cell.data_type = "s"  # a text starting with "=" stays text
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v == "":
                    continue
                if r > 0 and header[c] in numeric:
                    put(r + 1, c + 1, int(v))
                else:
                    stripped = v.lstrip("'")
                    if r > 0 and v.startswith("'") and stripped[:1] in ("=", "+", "-", "@", "\t", "\r"):
                        v = v[1:]
                    put(r + 1, c + 1, v)
        for row, column, value in edits:
            put(row, header.index(column) + 1, value)
        wb.save(dst)
        """#

    private func workbook(from csv: String, to path: String, edits: [(Int, String, String)]) throws {
        let json = "[" + edits.map { "[\($0.0), \"\($0.1)\", \($0.2)]" }.joined(separator: ",") + "]"
        let result = runCommand("python3", ["-c", Self.csvToWorkbook, csv, path, json])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func anOpenpyxlWorkbookAppliesExactlyItsEdits() async throws {
        guard pythonHas("openpyxl") else { return skipNote("python3 openpyxl is not installed") }
        try await withSimulator(assessments: 60) { simulator in
            let dir = scratchDirectory()
            simulator.keepPatchBodies()
            let targets = editableAssessments(simulator, count: 3)
            let ids = targets.map(\.0.id)
            _ = await runExport(simulator, output: "\(dir)/sheet.csv", selection: ExportSelection(ids: ids))
            let sheet = try Sheet(path: "\(dir)/sheet.csv")

            try workbook(from: "\(dir)/sheet.csv", to: "\(dir)/unedited.xlsx", edits: [])
            let unedited = await runJob(["\(dir)/unedited.xlsx"], simulator: simulator, out: "\(dir)/run0")
            #expect(unedited.exitStatus == .success, "\(unedited.diagnostics)")
            #expect(unedited.report?.counts.unchanged == 3)
            #expect(simulator.requestCount(method: "PATCH", path: "/api/mind/quality/assessment/{id}") == 0)

            // Two score edits: one typed as a whole number, one as a float (openpyxl writes 2.0).
            let (c0, k0) = criteria(of: targets[0].1)[0]
            let score0 = newScore(for: k0, current: targets[0].0.criterion(categoryId: c0, criterionId: k0.id)?.score)
            let (c1, k1) = criteria(of: targets[1].1)[1]
            let score1 = newScore(for: k1, current: targets[1].0.criterion(categoryId: c1, criterionId: k1.id)?.score)
            let row0 = try #require(sheet.row(assessment: ids[0], categoryId: c0, criterionId: k0.id)) + 2
            let row1 = try #require(sheet.row(assessment: ids[1], categoryId: c1, criterionId: k1.id)) + 2
            try workbook(from: "\(dir)/sheet.csv", to: "\(dir)/edited.xlsx", edits: [(row0, "score", "\(score0)"), (row1, "score", "\(score1).0")])

            let plan = await runJob(["\(dir)/edited.xlsx"], simulator: simulator, out: "\(dir)/plan", planOnly: true)
            #expect(plan.exitStatus == .success, "\(plan.diagnostics)")
            var diff: [UInt8] = []
            try PlanFile.writeDiff(plan.plan, rendered: try #require(plan.renderedPlan)) { diff += $0 }
            let changes = String(decoding: diff, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("  ") && !$0.hasPrefix("  note:") }
            #expect(changes.count == 2, "\(changes)")

            let result = await runJob(["\(dir)/edited.xlsx"], simulator: simulator, out: "\(dir)/run")
            #expect(result.exitStatus == .success, "\(result.diagnostics)")
            #expect(result.report?.counts.applied == 2)
            #expect(result.report?.counts.unchanged == 1)
            #expect(simulator.patchBodies(for: ids[0]) == [#"{"criteria":[{"categoryId":\#(c0),"criterionId":\#(k0.id),"score":\#(score0)}]}"#])
            #expect(simulator.patchBodies(for: ids[1]) == [#"{"criteria":[{"categoryId":\#(c1),"criterionId":\#(k1.id),"score":\#(score1)}]}"#])
            #expect(simulator.patchBodies(for: ids[2]).isEmpty)
        }
    }

    @Test func aLibreOfficeWorkbookAppliesExactlyItsEdits() async throws {
        guard commandExists("soffice") else { return skipNote("LibreOffice (soffice) is not installed") }
        try await withSimulator(assessments: 60) { simulator in
            let dir = scratchDirectory()
            simulator.keepPatchBodies()
            let targets = editableAssessments(simulator, count: 2)
            let ids = targets.map(\.0.id)
            _ = await runExport(simulator, output: "\(dir)/sheet.csv", selection: ExportSelection(ids: ids))
            var sheet = try Sheet(path: "\(dir)/sheet.csv")
            let (c0, k0) = criteria(of: targets[0].1)[0]
            let score0 = newScore(for: k0, current: targets[0].0.criterion(categoryId: c0, criterionId: k0.id)?.score)
            sheet.set(try #require(sheet.row(assessment: ids[0], categoryId: c0, criterionId: k0.id)), "score", String(score0))
            let (c1, k1) = criteria(of: targets[1].1)[0]
            sheet.set(try #require(sheet.row(assessment: ids[1], categoryId: c1, criterionId: k1.id)), "reason", "Gut gemacht – danke")
            sheet.write(to: "\(dir)/edited.csv")
            // LibreOffice reads the CSV (UTF-8, comma) and saves it as Excel 2007-365.
            let converted = runCommand("soffice", ["--headless", "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", dir, "\(dir)/edited.csv"])
            #expect(converted.status == 0, "\(converted.stderr)")
            let result = await runJob(["\(dir)/edited.xlsx"], simulator: simulator, out: "\(dir)/run")
            #expect(result.exitStatus == .success, "\(result.diagnostics)")
            #expect(result.report?.counts.applied == 2)
            #expect(simulator.patchBodies(for: ids[0]) == [#"{"criteria":[{"categoryId":\#(c0),"criterionId":\#(k0.id),"score":\#(score0)}]}"#])
            #expect(simulator.patchBodies(for: ids[1]) == [#"{"criteria":[{"categoryId":\#(c1),"criterionId":\#(k1.id),"reason":"Gut gemacht – danke"}]}"#])
        }
    }

    /// A workbook openpyxl writes from rows of Python values (`None` leaves a cell empty);
    /// `formats` gives number formats by cell.
    private func pythonWorkbook(_ rows: String, formats: String = "{}", date1904: Bool = false, in dir: String) throws -> String {
        let path = "\(dir)/cells.xlsx"
        let script = """
            import datetime, openpyxl, sys
            wb = openpyxl.Workbook()
            wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904 if \(date1904 ? "True" : "False") else openpyxl.utils.datetime.CALENDAR_WINDOWS_1900
            ws = wb.active
            for row in \(rows):
                ws.append(row)
            for ref, fmt in \(formats).items():
                ws[ref].number_format = fmt
            wb.save(sys.argv[1])
            """
        let result = runCommand("python3", ["-c", script, path])
        #expect(result.status == 0, "\(result.stderr)")
        return path
    }

    @Test func cellProblemsNameTheCell() throws {
        guard pythonHas("openpyxl") else { return skipNote("python3 openpyxl is not installed") }
        let dir = scratchDirectory()
        let path = try pythonWorkbook("""
            [["assessmentId", "categoryId", "criterionId", "score", "reason", "assessmentDate"],
             [901, 1, 2, 4.5, "ok", None],
             [902, 1, 2, "#N/A", None, None],
             [903, 1, 2, "=SUM(A1:A2)", None, None],
             [904, None, None, None, None, datetime.datetime(2024, 6, 12, 13, 0)],
             [905, 1.0, 2, 3, True, None],
             [906, None, None, None, None, 45455]]
            """, in: dir)
        let batch = BatchLoader.load([path])
        #expect(batch.diagnostics.map(\.description) == [
            "\(path):2: score must be a whole number ≥ 0, got 4.5 (cell D2)",
            "\(path):3: score: the cell holds the error #N/A (cell D3)",
            "\(path):4: score: the cell's formula has no saved value (open and save the file in Excel or LibreOffice so that it is calculated, or type the value) (cell D4)",
            "\(path):5: assessmentDate \"2024-06-12T13:00:00\" has no UTC offset: write it like 2024-06-12T11:00:00+02:00 or pass --timezone (cell F5)",
            "\(path):7: assessmentDate must be a date-time, got the number 45455 (format the cell as a date, or type the date as text like 2024-06-12T11:00:00+02:00) (cell F7)",
        ])
        // Row 6: 1.0 is the whole number 1, and a boolean reason is its text.
        #expect(batch.updates.map(\.assessmentId) == [905])
        let criterion = try #require(batch.updates.first?.criteria.first)
        #expect(criterion.categoryId == 1 && criterion.criterionId == 2 && criterion.score == 3 && criterion.reason == "TRUE")
    }

    @Test func dateCellsAreLocalTimesInTheGivenZoneInBothDateSystems() throws {
        guard pythonHas("openpyxl") else { return skipNote("python3 openpyxl is not installed") }
        for date1904 in [false, true] {
            let dir = scratchDirectory()
            let path = try pythonWorkbook("""
                [["assessmentId", "assessmentDate", "discussionDate"],
                 [901, datetime.datetime(2024, 6, 12, 13, 0), datetime.datetime(2024, 1, 15, 9, 30, 15)]]
                """, formats: #"{"C2": "[$-409]d-mmm-yy h:mm:ss;@"}"#, date1904: date1904, in: dir)
            var options = LoadOptions()
            options.zone = Timestamp.Zone("Europe/Berlin")
            let batch = BatchLoader.load([path], options: options)
            #expect(batch.diagnostics.isEmpty, "\(batch.diagnostics)")
            #expect(batch.updates.first?.fields.assessmentDate?.description == "2024-06-12T11:00:00Z")
            #expect(batch.updates.first?.fields.discussionDate?.description == "2024-01-15T08:30:15Z")
        }
    }

    @Test func headerProblemsAndRefusalsAreFileErrors() throws {
        guard pythonHas("openpyxl") else { return skipNote("python3 openpyxl is not installed") }
        let dir = scratchDirectory()
        let unknown = try pythonWorkbook(#"[[None], ["assessmentId", "scroe", "assessmentId"], [1, 2, 3]]"#, in: dir)
        #expect(BatchLoader.load([unknown]).diagnostics.map(\.description) == [
            #"\#(unknown):2: unknown column "scroe" (did you mean "score"?) (cell B2)"#,
            #"\#(unknown):2: column "assessmentId" appears twice (cells A2 and C2)"#,
        ])
        let headerOnly = try pythonWorkbook(#"[["assessmentId", "score"]]"#, in: scratchDirectory())
        #expect(BatchLoader.load([headerOnly]).diagnostics.map(\.description) == [
            #"\#(headerOnly):1: the sheet "Sheet" has no data rows (a header row and at least one row are required)"#,
        ])
        var named = LoadOptions()
        named.sheet = "Reviews"
        #expect(BatchLoader.load([headerOnly], options: named).diagnostics.map(\.description) == [
            #"\#(headerOnly):1: the workbook has no sheet named "Reviews"; its sheets are "Sheet""#,
        ])
        let xls = "\(dir)/old.xlsx"
        _ = FileManager.default.createFile(atPath: xls, contents: Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 100)))
        let refused = BatchLoader.load([xls])
        #expect(refused.hasFileErrors)
        #expect(refused.diagnostics.first?.description.hasPrefix("\(xls):1: the file is an OLE compound file, not an .xlsx workbook: either an Excel 97–2003 workbook (.xls) or a password-protected (encrypted) workbook") == true)
    }

    @Test func exportIdsReadsAWorkbook() throws {
        guard pythonHas("openpyxl") else { return skipNote("python3 openpyxl is not installed") }
        let dir = scratchDirectory()
        let path = try pythonWorkbook(#"[["note", "assessmentId"], ["a", 903], ["b", "901"], ["c", 903.0], ["d", None], ["e", 902]]"#, in: dir)
        #expect(try AssessmentIdList.read(path: path) == [903, 901, 902])
        let bad = try pythonWorkbook(#"[["assessmentId"], [4.5]]"#, in: scratchDirectory())
        do {
            _ = try AssessmentIdList.read(path: bad)
            Issue.record("a fractional id was accepted")
        } catch {
            #expect(error.description == "\(bad):2: assessmentId must be a positive integer, got 4.5 (cell A2)")
        }
    }

    /// The first sheet of a workbook as openpyxl reads it: one JSON array per row.
    private func sheetRows(_ path: String) -> [String] {
        let script = "import json, openpyxl, sys\nws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]\nfor row in ws.iter_rows(values_only=True):\n    print(json.dumps(row, ensure_ascii=False))"
        let result = runCommand("python3", ["-c", script, path])
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test func skippedRowsOfAWorkbookGoToAFailuresFile() async throws {
        guard pythonHas("openpyxl") else { return skipNote("python3 openpyxl is not installed") }
        try await withSimulator(assessments: 40) { simulator in
            let dir = scratchDirectory()
            simulator.keepPatchBodies()
            let targets = editableAssessments(simulator, count: 2)
            let (c0, k0) = criteria(of: targets[0].1)[0]
            let score0 = newScore(for: k0, current: targets[0].0.criterion(categoryId: c0, criterionId: k0.id)?.score)
            let (c1, k1) = criteria(of: targets[1].1)[0]
            let path = try pythonWorkbook("""
                [["assessmentId", "categoryId", "criterionId", "score", "reason"],
                 [\(targets[0].0.id), \(c0), \(k0.id), \(score0), None],
                 [\(targets[1].0.id), \(c1), \(k1.id), 4.5, "+49 170 1234567"]]
                """, in: dir)
            let result = await runJob([path], simulator: simulator, out: "\(dir)/run", skipInvalid: true)
            #expect(result.exitStatus == .failures, "\(result.diagnostics)")
            #expect(simulator.patchBodies(for: targets[0].0.id) == [#"{"criteria":[{"categoryId":\#(c0),"criterionId":\#(k0.id),"score":\#(score0)}]}"#])
            #expect(sheetRows("\(dir)/run/cells.failures.xlsx") == [
                #"["assessmentId", "categoryId", "criterionId", "score", "reason", "error", "errorKind", "sourceLine"]"#,
                #"[\#(targets[1].0.id), \#(c1), \#(k1.id), 4.5, "+49 170 1234567", "score must be a whole number ≥ 0, got 4.5 (cell D3)", "invalid", 3]"#,
            ])
        }
    }

    @Test func aPlannedWorkbookAppliesFromThePlanWithItsFailuresAsCSV() async throws {
        guard pythonHas("openpyxl") else { return skipNote("python3 openpyxl is not installed") }
        try await withSimulator(assessments: 40) { simulator in
            let dir = scratchDirectory()
            let target = try #require(editableAssessments(simulator, count: 1).first)
            let (c0, k0) = criteria(of: target.1)[0]
            let score0 = newScore(for: k0, current: target.0.criterion(categoryId: c0, criterionId: k0.id)?.score)
            let path = try pythonWorkbook("""
                [["assessmentId", "categoryId", "criterionId", "score", "reason"],
                 [\(target.0.id), \(c0), \(k0.id), \(score0), "+49 170 1234567"]]
                """, in: dir)
            let planned = await runJob([path], simulator: simulator, out: "\(dir)/plan", planOnly: true)
            #expect(planned.exitStatus == .success, "\(planned.diagnostics)")
            // Someone else changes the reason meanwhile: the planned write is a conflict.
            _ = try simulator.store.modifyAssessment(id: target.0.id) { assessment in
                if let index = assessment.criteria.firstIndex(where: { $0.categoryId == c0 && $0.criterionId == k0.id }) {
                    assessment.criteria[index].reason = "moved"
                }
            }
            let applied = try await runPlanApply("\(dir)/plan", simulator: simulator, out: "\(dir)/run")
            #expect(applied.exitStatus == .failures)
            let rows = sheetRows("\(dir)/run/cells.failures.xlsx")
            #expect(rows.first == #"["assessmentId", "categoryId", "criterionId", "score", "reason", "error", "errorKind", "sourceLine"]"#)
            #expect(rows.count == 2 && rows[1].hasPrefix("[\(target.0.id), \(c0), \(k0.id), \(score0), \"+49 170 1234567\", ") && rows[1].hasSuffix(#", "conflict", 2]"#), "\(rows)")
        }
    }
}
