import Foundation
import Testing
@testable import XLSX

/// `WorkbookWriter`: what it writes reads back exactly through openpyxl and python-calamine,
/// with the guard rails in place, byte-identical for the same content, mode 0600.
@Suite struct WorkbookWriterTests {
    /// Texts a spreadsheet program or a naive writer would damage.
    static let awkwardTexts: [String] = [
        "00123", "=SUM(A1)", "+49 30 1234567", "@mention", "-5 points", "  spaces both ends  ", "line one\nline two",
        "crlf\r\nend\r", "Grüße, Ärger, ß", "emoji 👩‍💻 🎉", "ctrl \u{01}\u{08}\u{0B}\u{0C}\u{1B}\u{1F} end", "literal _x000D_ stays",
        "_x005F_ and _xABCD_ and _x12_", "tab\tinside", "<b>&amp; \"quoted\" 'single'</b>", "2025-03-01T09:30:00+01:00",
        "\t=leading tab", "123456789012", "1e5", "TRUE",
    ]

    static let columns = [
        WriteColumn(name: "id", width: 15, kind: .identifier),
        WriteColumn(name: "text", width: 30, kind: .text),
        WriteColumn(name: "score", width: 8, kind: .number),
    ]

    /// Writes the awkward texts, one per row, beside a 12-digit id and a score.
    static func writeAwkward(to path: String, about: [(label: String, value: String)]? = nil) throws {
        let writer = try WorkbookWriter(path: path, sheetName: "assessments", columns: columns, protected: true)
        let score = WriteValidation(rule: .wholeNumber(minimum: 0, maximum: 5), errorTitle: "score", error: "0 to 5")
        for (index, text) in awkwardTexts.enumerated() {
            try writer.append(WriteRow(cells: [.number(123_456_789_012 + index), .text(text), .number(index % 6)], unlocked: [2],
                                       validations: [(2, score)]))
        }
        try writer.append(WriteRow(cells: [.number(7), .empty, .decimal("2.5")]))
        try writer.finish(about: about)
    }

    /// Each sheet's rows as `n:NUMBER`/`s:TEXT`/nil through openpyxl and python-calamine.
    static func readBack(_ path: String) throws -> [String: [String: [[String?]]]]? {
        guard writeTestPythonHas("openpyxl"), writeTestPythonHas("python_calamine") else {
            print("note: WorkbookWriterTests read-back needs python3 with openpyxl and python-calamine: skipped")
            return nil
        }
        let result = try #require(writeTestPython(writeTestReadBackScript, [path]))
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode([String: [String: [[String?]]]].self, from: Data(result.stdout.utf8))
    }

    @Test func awkwardTextsAndNumbersReadBackExactly() throws {
        let dir = writeTestDirectory()
        let path = "\(dir)/book.xlsx"
        try Self.writeAwkward(to: path, about: [("server", "http://127.0.0.1:1/api/mind"), ("empty", "")])
        guard let read = try Self.readBack(path) else { return }
        var expected: [[String?]] = [["s:id", "s:text", "s:score"]]
        for (index, text) in Self.awkwardTexts.enumerated() {
            expected.append(["n:\(123_456_789_012 + index)", "s:\(text)", "n:\(index % 6)"])
        }
        expected.append(["n:7", nil, "n:2.5"])
        for reader in ["openpyxl", "calamine"] {
            let rows = try #require(read[reader]?["assessments"], "\(reader) found no sheet 'assessments'")
            #expect(rows.count == expected.count, "\(reader)")
            for (got, want) in zip(rows, expected) {
                #expect(got == want, "\(reader)")
            }
            #expect(read[reader]?["about"] == [["s:server", "s:http://127.0.0.1:1/api/mind"], ["s:empty", nil]], "\(reader)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["book.xlsx"])
    }

    @Test func libreOfficeReadsTheTextsAsWritten() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/soffice"), writeTestPythonHas("python_calamine") else {
            return print("note: WorkbookWriterTests LibreOffice round trip needs soffice and python-calamine: skipped")
        }
        let dir = writeTestDirectory()
        try Self.writeAwkward(to: "\(dir)/book.xlsx")
        // LibreOffice reads the workbook and saves its own (shared strings, its own escapes).
        let script = #"""
        import subprocess, sys, json
        from python_calamine import CalamineWorkbook
        d = sys.argv[1]
        subprocess.run(["soffice", "--headless", "-env:UserInstallation=file://" + d + "/profile", "--convert-to", "xlsx",
                        "--outdir", d + "/lo", d + "/book.xlsx"], check=True, capture_output=True, timeout=240)
        rows = CalamineWorkbook.from_path(d + "/lo/book.xlsx").get_sheet_by_name("assessments").to_python()
        print(json.dumps([row[1] for row in rows[1:-1]]))
        """#
        let result = try #require(writeTestPython(script, [dir]))
        #expect(result.status == 0, "\(result.stderr)")
        // LibreOffice keeps line breaks as line feeds: a carriage return comes back as one.
        let expected = Self.awkwardTexts.map { $0.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n") }
        #expect(try JSONDecoder().decode([String].self, from: Data(result.stdout.utf8)) == expected)
    }

    @Test func theSameContentGivesTheSameBytesWithMode0600() throws {
        let dir = writeTestDirectory()
        try Self.writeAwkward(to: "\(dir)/a.xlsx", about: [("exported at", "2026-01-01T00:00:00Z")])
        sleep(2)  // a timestamp taken from the clock would now differ
        try Self.writeAwkward(to: "\(dir)/b.xlsx", about: [("exported at", "2026-01-01T00:00:00Z")])
        let first = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/a.xlsx"))
        let second = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/b.xlsx"))
        #expect(first == second)
        #expect(first.starts(with: [0x50, 0x4B, 0x03, 0x04]))
        for name in ["a.xlsx", "b.xlsx"] {
            let mode = try FileManager.default.attributesOfItem(atPath: "\(dir)/\(name)")[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }

    @Test func thePartsComeInECMAOrderWithTheWorksheetElementsInSchemaOrder() throws {
        let dir = writeTestDirectory()
        try Self.writeAwkward(to: "\(dir)/book.xlsx", about: [("a", "b")])
        let script = #"""
        import sys, zipfile, re
        z = zipfile.ZipFile(sys.argv[1])
        print("\n".join(z.namelist()))
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        print(" ".join(re.findall(r"<(sheetPr|dimension|sheetViews|sheetFormatPr|cols|sheetData|sheetProtection|autoFilter|dataValidations|pageMargins)\b", sheet)))
        print(" ".join(sorted({str(i.date_time) for i in z.infolist()})))
        print(z.testzip())
        """#
        let result = try #require(writeTestPython(script, ["\(dir)/book.xlsx"]))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            [Content_Types].xml
            _rels/.rels
            xl/workbook.xml
            xl/_rels/workbook.xml.rels
            xl/styles.xml
            xl/worksheets/sheet1.xml
            xl/worksheets/sheet2.xml
            dimension sheetViews sheetFormatPr cols sheetData sheetProtection autoFilter dataValidations pageMargins
            (1980, 1, 1, 0, 0, 0)
            None

            """)
    }

    /// What openpyxl reports of the guard rails, as lines.
    static let guardRailsScript = #"""
    import sys
    import openpyxl
    book = openpyxl.load_workbook(sys.argv[1])
    sheet = book.worksheets[0]
    print("protected", sheet.protection.sheet, "password", sheet.protection.password, "autoFilter", sheet.protection.autoFilter)
    print("freeze", sheet.freeze_panes)
    print("filter", sheet.auto_filter.ref)
    print("bold", all(cell.font.b for cell in sheet[1]))
    for dv in sheet.data_validations.dataValidation:
        print("validation", dv.type, dv.operator, dv.formula1, dv.formula2, str(dv.sqref), "|", dv.errorTitle, "|", dv.error, "|", dv.prompt, "|", dv.allow_blank, dv.showErrorMessage)
    unlocked = [c.coordinate for row in sheet.iter_rows() for c in row if not c.protection.locked]
    print("unlocked", " ".join(unlocked))
    shaded = sorted({c.row for row in sheet.iter_rows(min_row=2) for c in row if c.fill.fgColor.rgb == "FFE7E6E6"})
    print("shaded", " ".join(map(str, shaded)))
    print("formats", " ".join(sheet.cell(row=2, column=i).number_format for i in range(1, sheet.max_column + 1)))
    print("widths", " ".join(str(sheet.column_dimensions[c].width) for c in "ABCD"))
    """#

    @Test func theGuardRailsReadBackThroughOpenpyxl() throws {
        guard writeTestPythonHas("openpyxl") else { return print("note: needs python3 with openpyxl: skipped") }
        let dir = writeTestDirectory()
        let path = "\(dir)/guarded.xlsx"
        let columns = [
            WriteColumn(name: "id", width: 12, kind: .identifier), WriteColumn(name: "score", width: 8, kind: .number),
            WriteColumn(name: "state", width: 24, kind: .text), WriteColumn(name: "note", width: 40.5, kind: .text),
        ]
        let five = WriteValidation(rule: .wholeNumber(minimum: 0, maximum: 5), errorTitle: "score", error: "from 0 to 5", prompt: "0 to 5")
        let metNotMet = WriteValidation(rule: .list(["0", "3"]), errorTitle: "score", error: "0 or 3 & nothing else")
        let state = WriteValidation(rule: .list(["reviewedBySupervisor", "discussedWithAssessee"]), errorTitle: "state", error: "pick one")
        let writer = try WorkbookWriter(path: path, sheetName: "assessments", columns: columns, protected: true)
        // Rows 2–4 one assessment (5, 5, metNotMet 3); row 5 read-only; rows 6–7 another (5, 5).
        try writer.append(WriteRow(cells: [.number(1), .number(4), .empty, .text("x")], unlocked: [1, 2], validations: [(1, five), (2, state)]))
        try writer.append(WriteRow(cells: [.number(1), .number(5)], unlocked: [1], validations: [(1, five)]))
        try writer.append(WriteRow(cells: [.number(1), .number(3)], unlocked: [1], validations: [(1, metNotMet)]))
        try writer.append(WriteRow(cells: [.number(2), .number(1), .empty, .text("read-only")], unlocked: [1, 2], shaded: true))
        try writer.append(WriteRow(cells: [.number(3), .empty], unlocked: [1, 2], validations: [(1, five), (2, state)]))
        try writer.append(WriteRow(cells: [.number(3), .number(0)], unlocked: [1], validations: [(1, five)]))
        try writer.finish()
        let result = try #require(writeTestPython(Self.guardRailsScript, [path]))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            protected True password None autoFilter False
            freeze A2
            filter A1:D7
            bold True
            validation whole between 0 5 B2:B3 B6:B7 | score | from 0 to 5 | 0 to 5 | True True
            validation list None "reviewedBySupervisor,discussedWithAssessee" None C2 C6 | state | pick one | None | True True
            validation list None "0,3" None B4 | score | 0 or 3 & nothing else | None | True True
            unlocked B2 C2 B3 B4 B6 C6 B7
            shaded 5
            formats 0 General @ @
            widths 12.0 8.0 24.0 40.5

            """)
    }

    @Test func aTextLongerThanAnExcelCellHoldsIsRefused() throws {
        let dir = writeTestDirectory()
        let writer = try WorkbookWriter(path: "\(dir)/long.xlsx", sheetName: "assessments", columns: Self.columns, protected: false)
        try writer.append(WriteRow(cells: [.number(1), .text(String(repeating: "ä", count: 32_767))]))
        #expect(throws: WriteError.self) { try writer.append(WriteRow(cells: [.number(2), .text(String(repeating: "x", count: 32_768))])) }
        do {
            try writer.append(WriteRow(cells: [.number(3), .text(String(repeating: "👩", count: 16_384))]))
            Issue.record("a text of 32,768 UTF-16 units was accepted")
        } catch {
            #expect(error.description == "assessments: cell B3 holds 32768 characters; an Excel cell holds at most 32767")
        }
        try writer.append(WriteRow(cells: [.number(4)]))
        #expect(writer.rowCount == 2)
    }

    @Test func manyRowsStreamThroughTheScratchFile() throws {
        let dir = writeTestDirectory()
        let path = "\(dir)/big.xlsx"
        let writer = try WorkbookWriter(path: path, sheetName: "assessments", columns: Self.columns, protected: true)
        let rule = WriteValidation(rule: .wholeNumber(minimum: 0, maximum: 5), errorTitle: "score", error: "0 to 5")
        for index in 0..<30_000 {
            try writer.append(WriteRow(cells: [.number(index), .text("reason \(index) with some words to fill the buffer"), .number(index % 6)],
                                       unlocked: [2], validations: index % 3 == 0 ? [] : [(2, rule)]))
        }
        try writer.finish()
        #expect(writer.rowCount == 30_000)
        guard writeTestPythonHas("python_calamine") else { return print("note: needs python-calamine: skipped") }
        let script = #"""
        import sys, zipfile, re
        from python_calamine import CalamineWorkbook
        rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()
        print(len(rows), rows[-1][0], rows[-1][1])
        sheet = zipfile.ZipFile(sys.argv[1]).read("xl/worksheets/sheet1.xml").decode()
        print(len(re.findall(r"<dataValidation ", sheet)), re.search(r'<dataValidation [^>]*sqref="([^" ]*)', sheet).group(1))
        """#
        let result = try #require(writeTestPython(script, [path]))
        #expect(result.status == 0, "\(result.stderr)")
        // 20,000 validated rows in 10,000 runs of two: 20 elements of at most 500 runs.
        #expect(result.stdout == "30001 29999.0 reason 29999 with some words to fill the buffer\n20 C3:C4\n")
    }
}
