import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import StrictJSON
import Testing

/// `export --output FILE.xlsx` against the simulator: the workbook holds exactly the values of
/// the JSONL export, with the guard rails on exactly the cells and rows they belong to.
@Suite(.serialized)
struct WorkbookExportTests {
    /// What openpyxl reads of an exported workbook.
    struct Read: Decodable {
        var sheets: [String]
        var rows: [[String?]]
        var unlocked: [String]
        var shaded: [Int]
        /// Cell → [type, formula1, formula2, error].
        var validations: [String: [String?]]
        var protected: Bool
        var freeze: String?
        var filter: String?
        var formats: [String]
        var about: [String: String]
    }

    static let script = #"""
    import json, re, sys
    import openpyxl
    from openpyxl.utils.cell import range_boundaries, get_column_letter

    def ecma(text):
        return re.sub(r'_x([0-9A-Fa-f]{4})_', lambda m: chr(int(m.group(1), 16)), text)

    def cell(value):
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return "n:%s" % value
        if isinstance(value, str):
            return "s:" + ecma(value)
        return "o:%r" % (value,)

    book = openpyxl.load_workbook(sys.argv[1])
    sheet = book["assessments"]
    validations = {}
    for dv in sheet.data_validations.dataValidation:
        for block in str(dv.sqref).split():
            c1, r1, c2, r2 = range_boundaries(block)
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    validations["%s%d" % (get_column_letter(c), r)] = [dv.type, dv.formula1, dv.formula2, dv.error]
    print(json.dumps({
        "sheets": book.sheetnames,
        "rows": [[cell(v) for v in row] for row in sheet.iter_rows(values_only=True)],
        "unlocked": [c.coordinate for row in sheet.iter_rows() for c in row if not c.protection.locked],
        "shaded": sorted({c.row for row in sheet.iter_rows(min_row=2) for c in row if c.fill.fgColor.rgb == "FFE7E6E6"}),
        "validations": validations,
        "protected": bool(sheet.protection.sheet),
        "freeze": sheet.freeze_panes,
        "filter": sheet.auto_filter.ref,
        "formats": [sheet.column_dimensions[get_column_letter(i)].number_format for i in range(1, sheet.max_column + 1)],
        "about": {row[0]: row[1] or "" for row in book["about"].iter_rows(values_only=True) if row[0]},
    }))
    """#

    static func readWorkbook(_ path: String) throws -> Read? {
        guard pythonHas("openpyxl") else {
            skipNote("WorkbookExportTests needs python3 with openpyxl (pip install openpyxl)")
            return nil
        }
        let result = runCommand("python3", ["-c", script, path])
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode(Read.self, from: Data(result.stdout.utf8))
    }

    /// The JSONL export's lines as workbook cells: numbers as `n:`, texts and booleans as `s:`.
    static func expectedRows(jsonl path: String) throws -> (header: [String], rows: [[String?]]) {
        var header: [String] = []
        var rows: [[String?]] = []
        for line in (read(path) ?? "").split(separator: "\n") {
            let object = try #require(try JSONParser.parse(String(line)).objectValue)
            if header.isEmpty { header = object.members.map { $0.key } }
            rows.append(object.members.map { member -> String? in
                switch member.value {
                case .null: nil
                case .number(let text): "n:\(text)"
                case .string(let text): "s:\(text)"
                case .bool(let flag): "s:\(flag)"
                default: "?"
                }
            })
        }
        return (header, rows)
    }

    @Test func theWorkbookHoldsTheLiveValuesWithGuardRailsOnExactlyTheEditableCells() async throws {
        try await withSimulator(assessments: 80) { simulator in
            let dir = scratchDirectory()
            let jsonl = await runExport(simulator, output: "\(dir)/sheet.jsonl")
            #expect(jsonl.exitStatus == .success)
            let result = await runExport(simulator, output: "\(dir)/sheet.xlsx")
            #expect(result.exitStatus == .success, "\(result.problem ?? "")")
            #expect(result.rows == jsonl.rows)
            guard let book = try Self.readWorkbook("\(dir)/sheet.xlsx") else { return }
            let (header, rows) = try Self.expectedRows(jsonl: "\(dir)/sheet.jsonl")
            #expect(book.sheets == ["assessments", "about"])
            #expect(book.rows.first == header.map { "s:\($0)" })
            #expect(book.rows.count == rows.count + 1)
            for (index, (got, want)) in zip(book.rows.dropFirst(), rows).enumerated() {
                #expect(got == want, "row \(index + 2)")
            }
            #expect(book.protected)
            #expect(book.freeze == "A2")
            #expect(book.filter == "A1:Y\(rows.count + 1)")
            #expect(book.formats == ["0", "0", "0", "@", "0", "0", "@", "0", "@", "@", "0", "General", "General", "@", "@", "@", "@", "@", "@", "@", "@", "@", "@", "@", "@"])
            #expect(book.about["server"] == simulator.baseURL)
            #expect(book.about["selection"] == "every assessment the token can list")
            #expect(book.about["rows"]?.hasPrefix("\(rows.count) ") == true)

            // Which cells a reviewer may change, which rows are grey, which validations apply.
            func column(_ name: String) -> Int { header.firstIndex(of: name)! }
            func letter(_ name: String) -> String { String(UnicodeScalar(UInt8(ascii: "A") + UInt8(column(name)))) }
            let uneditable: Set<String> = ["unprocessed", "aiInProgress", "error", "deleted"]
            var expectedUnlocked: [String] = []
            var expectedShaded: [Int] = []
            var expectedValidations: [String: [String?]] = [:]
            var assessmentState: String?
            var sawReadOnly = false
            var sawMetNotMet = false
            for (index, row) in rows.enumerated() {
                let sheetRow = index + 2
                let first = index == 0 || rows[index - 1][column("assessmentId")] != row[column("assessmentId")]
                if first { assessmentState = row[column("stateBefore")].map { String($0.dropFirst(2)) } }
                if row[column("canEdit")] == "s:false" || assessmentState.map(uneditable.contains) == true {
                    expectedShaded.append(sheetRow)
                    sawReadOnly = true
                    continue
                }
                var unlocked: [String] = []
                if row[column("categoryId")] != nil {
                    unlocked += ["score", "reason"]
                    let maxPoints = try #require(row[column("maxPoints")]).dropFirst(2)
                    if row[column("scoringType")] == "s:metNotMet" {
                        sawMetNotMet = true
                        expectedValidations["\(letter("score"))\(sheetRow)"] = [
                            "list", "\"0,\(maxPoints)\"", nil, "This criterion is met or not met: score must be 0 (not met) or \(maxPoints) (met).",
                        ]
                    } else {
                        expectedValidations["\(letter("score"))\(sheetRow)"] = [
                            "whole", "0", String(maxPoints), "score must be a whole number from 0 to \(maxPoints) (this criterion's maxPoints).",
                        ]
                    }
                }
                if first {
                    unlocked += ["state", "aiSummary", "supervisorAssessment", "assessmentDate", "discussionDate"]
                    expectedValidations["\(letter("state"))\(sheetRow)"] = [
                        "list", "\"reviewedBySupervisor,discussedWithAssessee\"", nil,
                        "state must be reviewedBySupervisor or discussedWithAssessee, or empty to leave the state as it is.",
                    ]
                }
                expectedUnlocked += unlocked.map(column).sorted().map { "\(String(UnicodeScalar(UInt8(ascii: "A") + UInt8($0))))\(sheetRow)" }
            }
            #expect(sawReadOnly && sawMetNotMet, "the seed should hold read-only assessments and met/not-met criteria")
            #expect(book.unlocked == expectedUnlocked)
            #expect(book.shaded == expectedShaded)
            #expect(book.validations == expectedValidations)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["sheet.jsonl", "sheet.xlsx"])
        }
    }

    @Test func theCommandWritesAWorkbookAndRefusesCSVOptionsForIt() async throws {
        try await withSimulator(assessments: 20) { simulator in
            let dir = scratchDirectory()
            let environment = ["ENNEO_BASE_URL": simulator.baseURL, "ENNEO_TOKEN": simulator.token]
            let delimiter = await runTool(["export", "--output", "sheet.xlsx", "--delimiter", ";"], environment: environment, directory: dir)
            #expect(delimiter.status == 2)
            #expect(delimiter.stderr.contains("--delimiter applies to CSV; sheet.xlsx is an Excel workbook."))
            let encoding = await runTool(["export", "--output", "sheet.xlsx", "--encoding", "windows-1252"], environment: environment, directory: dir)
            #expect(encoding.status == 2)
            #expect(encoding.stderr.contains("--encoding applies to CSV and TSV; sheet.xlsx is an Excel workbook, which holds every character."))
            let written = await runTool(["export", "--output", "sheet.xlsx", "--state", "aiReady"], environment: environment, directory: dir)
            #expect(written.status == 0, "\(written.stderr)")
            #expect(written.stderr.contains("written to sheet.xlsx"))
            let again = await runTool(["export", "--output", "sheet.xlsx", "--state", "aiReady"], environment: environment, directory: dir)
            #expect(again.status == 2)
            #expect(again.stderr.contains("sheet.xlsx exists and may hold a reviewer's edits: choose another name or pass --force."))
        }
    }
}
