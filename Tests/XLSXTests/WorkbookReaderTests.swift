import Foundation
import Testing
import ZIPFoundation
@testable import XLSX

/// Every row of a sheet as text: `3: A3 number 5 | C3 text "inline"`.
func readRows(_ path: String, sheet: String? = nil, limits: WorkbookLimits = WorkbookLimits()) throws(WorkbookReadError) -> (rows: [String], summary: WorkbookSummary) {
    var rows: [String] = []
    let summary = try WorkbookReader.read(path: path, sheet: sheet, limits: limits) { row in
        let cells = row.cells.map { cell in "\(row.reference(cell)) \(cell.kind) \(cell.kind == .text ? "\"\(cell.string)\"" : cell.string)" }
        rows.append("\(row.number): " + cells.joined(separator: " | "))
    }
    return (rows, summary)
}

/// The error reading `path` throws, or nil.
func readError(_ path: String, sheet: String? = nil, limits: WorkbookLimits = WorkbookLimits()) -> WorkbookReadError? {
    do {
        _ = try readRows(path, sheet: sheet, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// The reader against a hand-made messy workbook, the date systems and formats, and sheet choice.
@Suite struct WorkbookReaderTests {
    /// A workbook with what real files throw at a reader: `x:` prefixes, an absolute relationship
    /// target, a chart sheet first, rich text with phonetic runs, `_xHHHH_` escapes, cells and
    /// rows without `r`, sparse rows, inline strings, str/b/e/d cells, formulas with and without
    /// a cached value, and custom number formats that are and are not dates.
    static func messyWorkbook(date1904: Bool = false) -> TestWorkbook {
        let main = TestWorkbook.mainNamespace
        let rel = TestWorkbook.relationshipType
        var book = TestWorkbook()
        book.add("_rels/.rels", #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="R1" Type="\#(rel)/officeDocument" Target="/xl/workbook.xml"/></Relationships>"#)
        book.add("xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <!-- written by hand -->
            <x:workbook xmlns:x="\(main)" xmlns:r="\(rel)">\(date1904 ? #"<x:workbookPr date1904="true"/>"# : "<x:workbookPr/>")
            <x:sheets><x:sheet name="Chart" sheetId="3" r:id="rId9"/><x:sheet name="Data &amp; more" sheetId="1" r:id="rId1"/><x:sheet name="Other" sheetId="2" r:id="rId2"/></x:sheets></x:workbook>
            """)
        book.add("xl/_rels/workbook.xml.rels", """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="rId9" Type="\(rel)/chartsheet" Target="chartsheets/sheet1.xml"/>
            <Relationship Id="rId1" Type="\(rel)/worksheet" Target="/xl/worksheets/data.xml"/>
            <Relationship Id='rId2' Type='\(rel)/worksheet' Target='./worksheets/../worksheets/other%20sheet.xml'/>
            <Relationship Id="rId3" Type="\(rel)/sharedStrings" Target="strings.xml"/>
            <Relationship Id="rId4" Type="\(rel)/styles" Target="/xl/styles.xml"/>
            <Relationship Id="rId5" Type="\(rel)/hyperlink" Target="http://example.invalid/" TargetMode="External"/>
            </Relationships>
            """)
        book.add("xl/chartsheets/sheet1.xml", #"<chartsheet xmlns="\#(main)"/>"#)
        book.add("xl/strings.xml", """
            <x:sst xmlns:x="\(main)" count="4" uniqueCount="4">
            <x:si><x:t>assessmentId</x:t></x:si>
            <x:si><x:r><x:rPr><x:b/></x:rPr><x:t>Rich </x:t></x:r><x:r><x:t xml:space="preserve">text</x:t></x:r><x:rPh sb="0" eb="1"><x:t>リッチ</x:t></x:rPh><x:phoneticPr fontId="1"/></x:si>
            <x:si><x:t>a_x000D_b &amp; _x005F_x000D_ &#x1F600; &lt;tag&gt; _xD83D__xDE00_<![CDATA[ <raw> ]]></x:t></x:si>
            <x:si><x:t/></x:si>
            </x:sst>
            """)
        book.add("xl/styles.xml", """
            <styleSheet xmlns="\(main)"><numFmts count="2"><numFmt numFmtId="164" formatCode="[$-409]d-mmm-yy;@"/><numFmt numFmtId="165" formatCode="0.0&quot; days&quot;"/></numFmts>
            <cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>
            <cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="165" applyNumberFormat="1"/><xf numFmtId="22"/></cellXfs></styleSheet>
            """)
        book.add("xl/worksheets/data.xml", """
            <?xml version="1.0" encoding="UTF-8"?>
            <x:worksheet xmlns:x="\(main)"><x:dimension ref="A1:J7"/><x:sheetData>
            <x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c><x:c t="s"><x:v>2</x:v></x:c><x:c t="s"><x:v>3</x:v></x:c></x:row>
            <x:row r="3" spans="1:10"><x:c r="A3"><x:v>5</x:v></x:c><x:c r="C3" t="inlineStr"><x:is><x:r><x:t>in</x:t></x:r><x:r><x:t>line_x000A_</x:t></x:r><x:rPh><x:t>x</x:t></x:rPh></x:is></x:c><x:c r="D3" t="str"><x:f>"calc"&amp;"ulated"</x:f><x:v>calculated</x:v></x:c><x:c r="E3" t="b"><x:v>1</x:v></x:c><x:c r="F3" t="e"><x:v>#N/A</x:v></x:c><x:c r="G3" s="1"><x:v>45455.5</x:v></x:c><x:c r="H3" s="2"><x:v>3.5</x:v></x:c><x:c r="I3"><x:f>SUM(A1:A2)</x:f></x:c><x:c r="J3" s="3"><x:v>45455.000011574074</x:v></x:c><x:c r="K3"><x:f>1/0</x:f><x:v></x:v></x:c><x:c r="L3" t="str"><x:f>""</x:f><x:v></x:v></x:c></x:row>
            <x:row><x:c><x:v>7.0</x:v></x:c><x:c r="E4" t="d"><x:v>2024-06-12T13:00:00</x:v></x:c><x:c r="F4" s="1"/></x:row>
            <x:row r="6"/>
            <x:row r="7"><x:c r="B7"><x:v> 1.5E3 </x:v></x:c><x:c r="C7" t="inlineStr"><x:is><x:t/></x:is></x:c></x:row>
            </x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A1:B1"/></x:mergeCells></x:worksheet>
            """)
        book.add("xl/worksheets/other sheet.xml", #"<worksheet xmlns="\#(main)"><sheetData><row><c t="inlineStr"><is><t>other</t></is></c></row></sheetData></worksheet>"#)
        return book
    }

    @Test func readsTheMessyWorkbookCellByCell() throws {
        let path = try Self.messyWorkbook().write()
        let (rows, summary) = try readRows(path)
        #expect(summary == WorkbookSummary(sheetName: "Data & more", sheetNames: ["Chart", "Data & more", "Other"], date1904: false))
        #expect(rows == [
            #"1: A1 text "assessmentId" | B1 text "Rich text" | C1 text "a\#rb & _x000D_ 😀 <tag> 😀 <raw> ""#,
            #"3: A3 number 5 | C3 text "inline\#n" | D3 text "calculated" | E3 boolean 1 | F3 error #N/A | G3 date 45455.5 | H3 number 3.5 | I3 formulaWithoutValue  | J3 date 45455.000011574074 | K3 formulaWithoutValue "#,
            "4: A4 number 7.0 | E4 isoDate 2024-06-12T13:00:00",
            "7: B7 number 1.5E3",
        ])
    }

    @Test func readsANamedSheetOrSaysWhichSheetsThereAre() throws {
        let path = try Self.messyWorkbook().write()
        #expect(try readRows(path, sheet: "Other").rows == [#"1: A1 text "other""#])
        #expect(try readRows(path, sheet: "other").summary.sheetName == "Other")
        #expect(readError(path, sheet: "Sheet1") == WorkbookReadError(.noSuchSheet, #"the workbook has no sheet named "Sheet1"; its sheets are "Chart", "Data & more", "Other""#))
        #expect(readError(path, sheet: "Chart") == WorkbookReadError(.noSuchSheet, #"the sheet "Chart" is not a worksheet with cells (a chart sheet?); the workbook's sheets are "Chart", "Data & more", "Other""#))
        #expect(try WorkbookReader.sheetNames(path: path) == ["Chart", "Data & more", "Other"])
    }

    @Test func readsBothDateSystems() throws {
        let path1904 = try Self.messyWorkbook(date1904: true).write()
        let summary = try readRows(path1904).summary
        #expect(summary.date1904)
        #expect(WorkbookDate.localDateTime(serial: "45455.5", date1904: false) == "2024-06-12T12:00:00")
        #expect(WorkbookDate.localDateTime(serial: "45455.5", date1904: true) == "2028-06-13T12:00:00")
        #expect(WorkbookDate.localDateTime(serial: "45455.000011574074", date1904: false) == "2024-06-12T00:00:01")
        #expect(WorkbookDate.localDateTime(serial: "1", date1904: false) == "1900-01-01T00:00:00")
        #expect(WorkbookDate.localDateTime(serial: "59", date1904: false) == "1900-02-28T00:00:00")
        #expect(WorkbookDate.localDateTime(serial: "60", date1904: false) == nil)  // 1900-02-29 never was
        #expect(WorkbookDate.localDateTime(serial: "61", date1904: false) == "1900-03-01T00:00:00")
        #expect(WorkbookDate.localDateTime(serial: "0", date1904: true) == "1904-01-01T00:00:00")
        #expect(WorkbookDate.localDateTime(serial: "0.25", date1904: false) == nil)  // a time of day only
        #expect(WorkbookDate.localDateTime(serial: "45455.1234567", date1904: false) == "2024-06-12T02:57:46.659")
        #expect(WorkbookDate.localDateTime(serial: "-1", date1904: false) == nil)
        #expect(WorkbookDate.localDateTime(serial: "abc", date1904: false) == nil)
    }

    @Test func tellsDateFormatsFromOtherNumberFormats() {
        for id in [14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 36, 45, 46, 47, 50, 58] { #expect(WorkbookDateFormats.isBuiltInDate(id), "\(id)") }
        for id in [0, 1, 2, 9, 10, 11, 12, 13, 23, 26, 37, 44, 48, 49, 59, 164] { #expect(!WorkbookDateFormats.isBuiltInDate(id), "\(id)") }
        for code in ["[$-409]d-mmm-yy;@", "yyyy-mm-dd hh:mm:ss", "[h]:mm", "[mm]:ss", "dd/mm/yyyy", "mmm", #""at" h:mm AM/PM"#, "[Red][$-F800]dddd, mmmm dd, yyyy"] {
            #expect(WorkbookDateFormats.isDate(code: code), "\(code)")
        }
        for code in [#"0.0" days""#, "General", "0.00", "#,##0 [$€-407]", #"0\d"#, "0_m", "@", "[Red]0;[Blue]-0", "0.00E+00", #""ymd"0"#] {
            #expect(!WorkbookDateFormats.isDate(code: code), "\(code)")
        }
    }

    @Test func readsAPlainWorkbookWithoutSharedStringsOrStyles() throws {
        let path = try TestWorkbook.simple(sheetData: #"<row r="2"><c r="B2"><v>12</v></c></row>"#).write(compression: .none)
        #expect(try readRows(path).rows == ["2: B2 number 12"])
    }

    @Test func aBrokenSheetIsAnErrorThatNamesItsRow() throws {
        let cases: [(String, WorkbookReadError)] = [
            (#"<row r="1"><c r="A1" t="s"><v>9</v></c></row>"#,
             WorkbookReadError(.malformed, "xl/worksheets/sheet1.xml is not a valid worksheet: cell A1 refers to shared string 9, which the workbook does not have", row: 1)),
            (#"<row r="2"><c r="A2" t="q"><v>1</v></c></row>"#,
             WorkbookReadError(.malformed, #"xl/worksheets/sheet1.xml is not a valid worksheet: cell A2 has an unknown type t="q""#, row: 2)),
            (#"<row r="0"/>"#,
             WorkbookReadError(.malformed, #"xl/worksheets/sheet1.xml is not a valid worksheet: a row number "0" that is not 1…1048576"#, row: nil)),
            (#"<row r="3"><c r="3A"><v>1</v></c></row>"#,
             WorkbookReadError(.malformed, #"xl/worksheets/sheet1.xml is not a valid worksheet: a cell reference "3A" that names no cell"#, row: 3)),
            (#"<row r="4"><c><v>1 &bogus; 2</v></c></row>"#,
             WorkbookReadError(.doctype, #"xl/worksheets/sheet1.xml uses the entity "&bogus;", which only a DTD could define; refused: entities are never expanded and nothing is fetched"#, row: 4)),
            (#"<row r="5"><c><v>1 & 2</v></c></row>"#,
             WorkbookReadError(.malformed, #"xl/worksheets/sheet1.xml is not well-formed XML: an "&" that starts no entity"#, row: 5)),
        ]
        for (sheetData, expected) in cases {
            let path = try TestWorkbook.simple(sheetData: sheetData, sharedStrings: ["x"]).write()
            #expect(readError(path) == expected)
        }
        var cut = TestWorkbook.simple(sheetData: "")
        cut.add("xl/worksheets/sheet1.xml", #"<worksheet xmlns="\#(TestWorkbook.mainNamespace)"><sheetData><row r="1"><c r="A1""#)
        #expect(readError(try cut.write()) == WorkbookReadError(.malformed, "xl/worksheets/sheet1.xml is not well-formed XML: the part ends inside a tag", row: 1))
    }

    @Test func readsASheetPartOver10MBAsAStream() throws {
        let base = TestWorkbook.simple(sheetData: "", sharedStrings: ["assessmentId", "reason"])
        let rowCount = 120_000
        let path = try TestWorkbook.writeStreaming(base: base, part: "xl/worksheets/sheet1.xml") {
            var row = 0
            return {
                if row > rowCount + 1 { return nil }
                defer { row += 1 }
                if row == 0 { return Array(#"<worksheet xmlns="\#(TestWorkbook.mainNamespace)"><sheetData>"#.utf8) }
                if row == rowCount + 1 { return Array("</sheetData></worksheet>".utf8) }
                return Array(#"<row r="\#(row)"><c r="A\#(row)"><v>\#(row)</v></c><c r="B\#(row)" t="inlineStr"><is><t>reason number \#(row) with some words</t></is></c></row>"#.utf8)
            }
        }
        var count = 0
        var last = ""
        let summary = try WorkbookReader.read(path: path) { row in
            count += 1
            if row.number == rowCount { last = row.cells.map(\.string).joined(separator: "|") }
        }
        #expect(summary.sheetName == "Sheet1")
        #expect(count == rowCount)
        #expect(last == "\(rowCount)|reason number \(rowCount) with some words")
    }

    /// Resident memory of this process, in bytes (Linux), from /proc/self/statm.
    private static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func memoryStaysFlatOverAMillionRows() throws {
        guard Self.residentBytes() != nil else { return print("note: /proc/self/statm is not readable: memory check skipped") }
        let rowCount = 1_000_000
        let base = TestWorkbook.simple(sheetData: "", sharedStrings: ["assessmentId", "score", "reviewed"])
        let path = try TestWorkbook.writeStreaming(base: base, part: "xl/worksheets/sheet1.xml") {
            var next = 0
            return {
                if next > rowCount { return nil }
                var chunk: [UInt8] = []
                if next == 0 {
                    chunk += Array(#"<worksheet xmlns="\#(TestWorkbook.mainNamespace)"><sheetData>"#.utf8)
                    next = 1
                }
                let end = min(rowCount, next + 9_999)
                for row in next...end {
                    chunk += Array(#"<row r="\#(row)"><c r="A\#(row)"><v>\#(row)</v></c><c r="B\#(row)"><v>\#(row % 6)</v></c><c r="C\#(row)" t="s"><v>2</v></c></row>"#.utf8)
                }
                next = end + 1
                if next > rowCount { chunk += Array("</sheetData></worksheet>".utf8) }
                return chunk
            }
        }
        var rows = 0
        var settled = 0
        var peak = 0
        var held = WorkbookReader.HeldMemory()
        _ = try WorkbookReader.read(path: path, sheet: nil, limits: WorkbookLimits(), held: &held) { row in
            rows += 1
            if rows == 50_000 { settled = Self.residentBytes() ?? 0 }
            if rows > 50_000 && rows % 50_000 == 0 { peak = max(peak, Self.residentBytes() ?? 0) }
        }
        #expect(rows == rowCount)
        // What the reader holds is one chunk's leftovers and one row, whatever the part's size
        // (about 90 MB here): a few kilobytes, and well under a megabyte.
        #expect(held.scannerBytes < 1 << 20, "the scanner held \(held.scannerBytes) bytes")
        #expect(held.rowBytes < 64 << 10, "a row held \(held.rowBytes) bytes")
        #expect(held.sharedStringBytes < 1 << 10)
        // The process as a whole is only reported: other suites run beside this one in the same
        // process and allocate too (hundreds of MB seen), so its resident memory says nothing
        // reliable about this read. scripts/bench measures the reader's peak RSS in a process of
        // its own.
        print("note: resident memory grew by \((peak - settled) >> 20) MB while reading rows 50,000 to \(rowCount) (the whole test process)")
    }
}
