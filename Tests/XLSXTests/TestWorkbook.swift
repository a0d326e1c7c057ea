import Foundation
import ZIPFoundation

/// Builds `.xlsx` files for the tests from XML strings, part by part, with ZIPFoundation.
struct TestWorkbook {
    static let mainNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationshipType = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    /// Part name → content, written in this order.
    var parts: [(String, [UInt8])] = []

    /// A minimal workbook of one sheet named `Sheet1` with `sheetData` as its rows' XML
    /// (shared strings only when given).
    static func simple(sheetData: String, sharedStrings: [String]? = nil, styles: String? = nil, date1904: Bool = false) -> TestWorkbook {
        var book = TestWorkbook()
        book.add("[Content_Types].xml", #"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#)
        book.add("_rels/.rels", #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="\#(relationshipType)/officeDocument" Target="xl/workbook.xml"/></Relationships>"#)
        book.add("xl/workbook.xml", #"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="\#(mainNamespace)" xmlns:r="\#(relationshipType)">\#(date1904 ? #"<workbookPr date1904="1"/>"# : "")<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#)
        var rels = #"<Relationship Id="rId1" Type="\#(relationshipType)/worksheet" Target="worksheets/sheet1.xml"/>"#
        if let sharedStrings {
            rels += #"<Relationship Id="rId2" Type="\#(relationshipType)/sharedStrings" Target="sharedStrings.xml"/>"#
            let items = sharedStrings.map { "<si><t xml:space=\"preserve\">\(xmlEscaped($0))</t></si>" }.joined()
            book.add("xl/sharedStrings.xml", #"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="\#(mainNamespace)">\#(items)</sst>"#)
        }
        if let styles {
            rels += #"<Relationship Id="rId3" Type="\#(relationshipType)/styles" Target="styles.xml"/>"#
            book.add("xl/styles.xml", styles)
        }
        book.add("xl/_rels/workbook.xml.rels", #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\#(rels)</Relationships>"#)
        book.add("xl/worksheets/sheet1.xml", #"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="\#(mainNamespace)"><sheetData>\#(sheetData)</sheetData></worksheet>"#)
        return book
    }

    mutating func add(_ name: String, _ content: String) {
        add(name, Array(content.utf8))
    }

    mutating func add(_ name: String, _ content: [UInt8]) {
        parts.removeAll { $0.0 == name }
        parts.append((name, content))
    }

    /// Writes the zip to a new file in a fresh folder and returns its path.
    func write(name: String = "book.xlsx", compression: CompressionMethod = .deflate) throws -> String {
        let path = scratchFolder() + "/" + name
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for (part, content) in parts {
            try archive.addEntry(with: part, type: .file, uncompressedSize: Int64(content.count), compressionMethod: compression) { position, size in
                Data(content[Int(position)..<Int(position) + size])
            }
        }
        return path
    }

    /// Writes a zip whose part `part` is produced in chunks by a generator that `makeChunks`
    /// returns (nil ends it), so a large part is never held whole: once to count its size, once
    /// to write it.
    static func writeStreaming(base: TestWorkbook, part: String, makeChunks: () -> () -> [UInt8]?) throws -> String {
        let path = scratchFolder() + "/big.xlsx"
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for (name, content) in base.parts where name != part {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(content.count), compressionMethod: .deflate) { position, size in
                Data(content[Int(position)..<Int(position) + size])
            }
        }
        var total: Int64 = 0
        let counting = makeChunks()
        while let chunk = counting() { total += Int64(chunk.count) }
        let next = makeChunks()
        var pending: [UInt8] = []
        try archive.addEntry(with: part, type: .file, uncompressedSize: total, compressionMethod: .deflate) { _, size in
            while pending.count < size, let chunk = next() { pending += chunk }
            let take = min(size, pending.count)
            let out = Data(pending[0..<take])
            pending.removeFirst(take)
            return out
        }
        return path
    }

    static func xmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

/// A new empty folder under the system's temporary folder.
func scratchFolder() -> String {
    let path = NSTemporaryDirectory() + "xlsx-tests-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
