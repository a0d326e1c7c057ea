import Foundation
import Testing
@testable import AssessmentBatchCore

/// `FailuresWorkbook`: the failed rows of an `.xlsx` input, its columns first as spelled, then
/// `error`, `errorKind`, `sourceLine`, read back exactly through openpyxl.
@Suite struct FailuresWorkbookTests {
    /// Prints each row of the first sheet as JSON cells (`n:`/`s:`/null), texts decoded from
    /// ECMA-376's `_xHHHH_` escapes as Excel does (openpyxl leaves them as stored).
    private static let script = #"""
    import json, re, sys
    import openpyxl
    def ecma(text):
        return re.sub(r'_x([0-9A-Fa-f]{4})_', lambda m: chr(int(m.group(1), 16)), text)
    def cell(value):
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return "n:%s" % value
        return "s:" + ecma(value)
    book = openpyxl.load_workbook(sys.argv[1])
    sheet = book.worksheets[0]
    print(json.dumps({"name": sheet.title, "protected": bool(sheet.protection.sheet), "freeze": sheet.freeze_panes,
                      "rows": [[cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]}))
    """#

    private struct Read: Decodable {
        var name: String
        var protected: Bool
        var freeze: String?
        var rows: [[String?]]
    }

    private static func readBack(_ path: String) throws -> Read? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            print("note: FailuresWorkbookTests needs python3 with openpyxl: skipped")
            return nil
        }
        return try JSONDecoder().decode(Read.self, from: data)
    }

    @Test func failedRowsKeepTheInputsColumnsAndValuesThenTheReason() throws {
        let dir = NSTemporaryDirectory() + "failures-workbook-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = "\(dir)/in.failures.xlsx"
        // An earlier failures file re-fed: its error columns are replaced, not repeated.
        let header = ["AssessmentId", "categoryId", "criterionId", "Score", "reason", " error", "errorKind", "sourceLine", "note"]
        let rows: [(Int, [String])] = [
            (2, ["901", "1", "2", "7", "=SUM(A1)", "old", "invalid", "9", "x"]),
            (3, ["901", "1", "3", "2", "fine", "", "", "", ""]),
            (5, ["00902", "1", "3", "", "line\nbreak _x000D_ \u{01}", "", "", "", "  spaces  "]),
            (6, ["903"]),
            (7, ["904", "1", "2", "4.5", "", "", "", "", ""]),
            (8, ["905", "1", "2", "4.50", "", "", "", "", ""]),
        ]
        let failures: [Int: RowFailure] = [
            2: RowFailure(kind: .invalid, message: "score 7 is out of range 0…5 (cell D2)"),
            5: RowFailure(kind: .conflict, message: "reason changed on the server since the export"),
            6: RowFailure(kind: .rejected, message: "assessment 903 cannot be edited"),
            7: RowFailure(kind: .invalid, message: "score must be a whole number ≥ 0, got 4.5 (cell D7)"),
            8: RowFailure(kind: .invalid, message: "score must be a whole number ≥ 0, got 4.50 (cell D8)"),
        ]
        let written = try FailuresWorkbook.write(header: header, rows: { emit in for (line, cells) in rows { try emit(line, cells) } },
                                                 failures: failures, to: path)
        #expect(written == 5)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        guard let read = try Self.readBack(path) else { return }
        #expect(read.name == "failures")
        #expect(!read.protected)
        #expect(read.freeze == "A2")
        #expect(read.rows == [
            ["s:AssessmentId", "s:categoryId", "s:criterionId", "s:Score", "s:reason", "s:note", "s:error", "s:errorKind", "s:sourceLine"],
            ["n:901", "n:1", "n:2", "n:7", "s:=SUM(A1)", "s:x", "s:score 7 is out of range 0…5 (cell D2)", "s:invalid", "n:2"],
            ["s:00902", "n:1", "n:3", nil, "s:line\nbreak _x000D_ \u{01}", "s:  spaces  ", "s:reason changed on the server since the export", "s:conflict", "n:5"],
            ["n:903", nil, nil, nil, nil, nil, "s:assessment 903 cannot be edited", "s:rejected", "n:6"],
            ["n:904", "n:1", "n:2", "n:4.5", nil, nil, "s:score must be a whole number ≥ 0, got 4.5 (cell D7)", "s:invalid", "n:7"],
            ["n:905", "n:1", "n:2", "s:4.50", nil, nil, "s:score must be a whole number ≥ 0, got 4.50 (cell D8)", "s:invalid", "n:8"],
        ])
    }
}
