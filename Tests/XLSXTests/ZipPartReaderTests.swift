import Foundation
import Testing
import ZIPFoundation
@testable import XLSX

/// What is not a workbook is refused with a message that says what it is and how to save it
/// as `.xlsx`; parts that inflate implausibly are refused while they inflate.
@Suite struct ZipPartReaderTests {
    private func file(_ bytes: [UInt8], name: String = "in.xlsx") -> String {
        let path = scratchFolder() + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    private static let saveAs = #"open it in Excel and use File > Save As > "Excel Workbook (*.xlsx)", or in LibreOffice File > Save As > "Excel 2007-365 (.xlsx)""#

    @Test func refusesAnOLECompoundFileAsXlsOrEncrypted() {
        let ole: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504)
        #expect(readError(file(ole)) == WorkbookReadError(.compoundFile, #"the file is an OLE compound file, not an .xlsx workbook: either an Excel 97–2003 workbook (.xls) or a password-protected (encrypted) workbook, which Excel stores that way. For an .xls, \#(Self.saveAs). For a password-protected workbook, remove the password first (Excel: File > Info > Protect Workbook > Encrypt with Password, clear it; LibreOffice: Save As without "Save with password") and save it as .xlsx"#))
    }

    @Test func refusesAnOpenDocumentSpreadsheet() throws {
        var ods = TestWorkbook()
        ods.add("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        ods.add("content.xml", "<office:document-content/>")
        #expect(readError(try ods.write(name: "sheet.ods", compression: .none)) == WorkbookReadError(.openDocument, #"the file is an OpenDocument spreadsheet (.ods), not an .xlsx workbook: open it in LibreOffice and use File > Save As > "Excel 2007-365 (.xlsx)" (or in Excel: File > Save As > "Excel Workbook (*.xlsx)")"#))
    }

    @Test func refusesWhatIsNotAZip() {
        #expect(readError(file(Array("assessmentId,score\n1,5\n".utf8))) == WorkbookReadError(.notZip, "the file is not an .xlsx workbook (an .xlsx is a zip archive; this file is not one): it looks like text; if it is CSV or TSV, name it .csv or .tsv. If a spreadsheet program opens it, \(Self.saveAs)"))
        #expect(readError(file([0x00, 0x01, 0xFF, 0x10])) == WorkbookReadError(.notZip, "the file is not an .xlsx workbook (an .xlsx is a zip archive; this file is not one). If a spreadsheet program opens it, \(Self.saveAs)"))
        #expect(readError(file([])) == WorkbookReadError(.notZip, "the file is empty, not an .xlsx workbook (an .xlsx is a zip archive)"))
        #expect(readError(scratchFolder() + "/missing.xlsx") == WorkbookReadError(.unreadable, "cannot read the file: No such file or directory"))
    }

    @Test func refusesATruncatedOrDamagedZip() throws {
        let path = try WorkbookReaderTests.messyWorkbook().write()
        let whole = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let damaged = WorkbookReadError(.damagedZip, "the file is a damaged or incomplete zip archive, so it cannot be read as an .xlsx workbook (its table of contents is missing or unreadable: was it cut short while downloading or copying?). Copy it again from where it came from, or open it in Excel, which may repair it, and save it as .xlsx")
        for length in [4, 100, whole.count / 2, whole.count - 10] {
            #expect(readError(file(Array(whole.prefix(length)))) == damaged, "cut at \(length)")
        }
        // A flipped byte inside the sheet's compressed data: bad deflate data or a bad checksum.
        var book = TestWorkbook.simple(sheetData: String(repeating: #"<row><c t="inlineStr"><is><t>some text to compress</t></is></c></row>"#, count: 200))
        book.add("xl/worksheets/sheet1.xml", String(repeating: " ", count: 10) + String(decoding: book.parts.last!.1, as: UTF8.self))
        let good = try Array(Data(contentsOf: URL(fileURLWithPath: try book.write())))
        let marker = Array("xl/worksheets/sheet1.xml".utf8)
        let header = try #require((0..<good.count - marker.count).first { Array(good[$0..<$0 + marker.count]) == marker })
        var flipped = good
        flipped[header + marker.count + 40] ^= 0x55
        let error = try #require(readError(file(flipped)))
        #expect(error.kind == .damagedZip)
        #expect(error.message.hasPrefix("the workbook's part xl/worksheets/sheet1.xml is damaged"))
        #expect(error.message.hasSuffix("copy the file again, or open it in Excel, which may repair it, and save it as .xlsx"))
    }

    @Test func neverReadsPastAPartsCompressedBytes() throws {
        // The directory says the sheet's compressed data is shorter than it is: the deflate stream
        // does not end within it, and reading stops there instead of running on through the file.
        let book = TestWorkbook.simple(sheetData: String(repeating: #"<row><c t="inlineStr"><is><t>text \#(UUID().uuidString)</t></is></c></row>"#, count: 300))
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: try book.write())))
        let marker = Array("xl/worksheets/sheet1.xml".utf8)
        let central: [UInt8] = [0x50, 0x4B, 0x01, 0x02]
        func isSheetEntry(_ at: Int) -> Bool {
            guard at + 46 + marker.count <= bytes.count, Array(bytes[at..<(at + 4)]) == central else { return false }
            return Array(bytes[(at + 46)..<(at + 46 + marker.count)]) == marker
        }
        let found: Int? = (0..<bytes.count).first(where: isSheetEntry)
        let entry = try #require(found)
        let size = Int(bytes[entry + 20]) | Int(bytes[entry + 21]) << 8 | Int(bytes[entry + 22]) << 16
        let half = size / 2
        bytes[entry + 20] = UInt8(half & 0xFF)
        bytes[entry + 21] = UInt8((half >> 8) & 0xFF)
        bytes[entry + 22] = UInt8((half >> 16) & 0xFF)
        let error = try #require(readError(file(bytes)))
        #expect(error == WorkbookReadError(.damagedZip, "the workbook's part xl/worksheets/sheet1.xml is damaged (its compressed data ends before its content does): copy the file again, or open it in Excel, which may repair it, and save it as .xlsx"))
    }

    @Test func refusesAZipThatIsNoWorkbook() throws {
        var docx = TestWorkbook()
        docx.add("word/document.xml", "<w:document/>")
        #expect(readError(try docx.write(name: "letter.xlsx")) == WorkbookReadError(.notWorkbook, "the file is a Word document (.docx), not an .xlsx workbook. If a spreadsheet program opens it, \(Self.saveAs)"))
        var other = TestWorkbook()
        other.add("readme.txt", "hello")
        #expect(readError(try other.write()) == WorkbookReadError(.notWorkbook, "the file is a zip archive but not an .xlsx workbook (it has no xl/workbook.xml). If a spreadsheet program opens it, \(Self.saveAs)"))
    }

    @Test func refusesAZipBombWhileItInflates() throws {
        // 100 MB of one repeated row deflates about 1000:1, as far as deflate goes.
        let base = TestWorkbook.simple(sheetData: "")
        let path = try TestWorkbook.writeStreaming(base: base, part: "xl/worksheets/sheet1.xml") {
            var left = 100
            return {
                defer { left -= 1 }
                if left == 100 { return Array(#"<worksheet xmlns="\#(TestWorkbook.mainNamespace)"><sheetData>"#.utf8) }
                return left > 0 ? [UInt8](repeating: 0x20, count: 1 << 20) : nil
            }
        }
        let error = try #require(readError(path))
        #expect(error.kind == .tooLarge)
        #expect(error.message.hasPrefix("the workbook's part xl/worksheets/sheet1.xml inflates to more than 32 MB from "))
        #expect(error.message.hasSuffix(" compressed bytes, which no spreadsheet holds: refused as a zip bomb"))
        // The absolute cap holds whatever the ratio.
        let capped = WorkbookLimits(ratio: 1 << 40, ratioFloorBytes: 1 << 40, maxPartBytes: 1 << 20)
        let small = try TestWorkbook.simple(sheetData: String(repeating: "<row/>", count: 300_000)).write()
        #expect(readError(small, limits: capped)?.message.hasPrefix("the workbook's part xl/worksheets/sheet1.xml inflates to more than 1 MB from ") == true)
    }
}
