import Foundation
import Testing
@testable import XLSX

/// Records every event as a line.
private final class EventLog: WorkbookXMLHandler {
    var events: [String] = []
    var wantsText: Bool { true }

    func startElement(_ name: UnsafeBufferPointer<UInt8>, _ attributes: WorkbookXMLAttributes, selfClosing: Bool) throws(WorkbookReadError) {
        var pairs: [String] = []
        attributes.forEach { name, value in pairs.append("\(String(decoding: name, as: UTF8.self))=\(String(decoding: value, as: UTF8.self))") }
        events.append("<\(String(decoding: name, as: UTF8.self))\(pairs.map { " " + $0 }.joined())\(selfClosing ? "/" : "")>")
    }

    func endElement(_ name: UnsafeBufferPointer<UInt8>) throws(WorkbookReadError) {
        events.append("</\(String(decoding: name, as: UTF8.self))>")
    }

    func text(_ bytes: UnsafeBufferPointer<UInt8>) throws(WorkbookReadError) {
        events.append("'\(String(decoding: bytes, as: UTF8.self))'")
    }
}

/// The hand-written XML scanner: the same events however the bytes are split, and nothing of a
/// DTD is ever expanded.
@Suite struct WorkbookXMLScannerTests {
    private func scan(_ xml: String, chunkSize: Int) throws -> [String] {
        let log = EventLog()
        var scanner = WorkbookXMLScanner(part: "test.xml")
        let bytes = Array(xml.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunkSize)
            try bytes[start..<end].withUnsafeBytes { chunk in try scanner.consume(chunk, handler: log) }
            start = end
        }
        try scanner.finish(handler: log)
        return log.events
    }

    @Test func givesTheSameEventsWhateverTheChunkSize() throws {
        let xml = """
            <?xml version="1.0"?>\r\n<!-- a > comment --><x:a  k = "v>1" x:j='q&amp;"'><b/><c>t&lt;1&#65;&#x42;\r\nz</c><![CDATA[<no tag>]]><?pi x?></x:a >\n
            """
        let expected = ["'\n'", "<a k=v>1 j=q&amp;\">", "<b/>", "</b>", "<c>", "'t<1AB\nz'", "</c>", "'<no tag>'", "</a>"]
        for size in [1, 2, 3, 7, 4096] {
            #expect(try scan(xml, chunkSize: size) == expected, "chunk size \(size)")
        }
    }

    @Test func refusesEveryDTDBillionLaughsAndExternalEntitiesIncluded() {
        let laughs = """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>
            """
        let external = #"<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>"#
        let lowercase = #"<!doctype foo SYSTEM "http://127.0.0.1:9/evil.dtd"><foo/>"#
        let refusal = WorkbookReadError(.doctype, "test.xml declares a DTD (<!DOCTYPE …>), which no workbook from a spreadsheet program has; refused: entities are never expanded and nothing is fetched")
        for xml in [laughs, external, lowercase] {
            for size in [1, 5, 4096] {
                #expect(throws: refusal) { try scan(xml, chunkSize: size) }
            }
        }
        #expect(throws: WorkbookReadError(.doctype, #"test.xml uses the entity "&xxe;", which only a DTD could define; refused: entities are never expanded and nothing is fetched"#)) {
            try scan("<foo>&xxe;</foo>", chunkSize: 4096)
        }
    }

    @Test func refusesMalformedMarkup() {
        #expect(throws: WorkbookReadError(.malformed, #"test.xml is not well-formed XML: unexpected markup "<!""#)) { try scan("<a><!ELEMENT a ANY></a>", chunkSize: 4096) }
        #expect(throws: WorkbookReadError(.malformed, "test.xml is not well-formed XML: text outside the root element")) { try scan("<a/>junk", chunkSize: 4096) }
        #expect(throws: WorkbookReadError(.malformed, "test.xml is not well-formed XML: the part holds no XML element")) { try scan("  ", chunkSize: 4096) }
        #expect(throws: WorkbookReadError(.malformed, #"test.xml is not well-formed XML: a bad character reference "&#0;""#)) { try scan("<a>&#0;</a>", chunkSize: 4096) }
    }

    @Test func refusesATokenBeyondItsCap() {
        var scanner = WorkbookXMLScanner(part: "test.xml", maxTokenBytes: 1 << 20)
        let log = EventLog()
        let open = Array("<a>".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 600_000)
        let more = [UInt8](repeating: UInt8(ascii: "x"), count: 600_000)
        #expect(throws: WorkbookReadError(.tooLarge, "test.xml holds an XML token longer than 1 MB: not a workbook Excel writes")) {
            try open.withUnsafeBytes { chunk in try scanner.consume(chunk, handler: log) }
            try more.withUnsafeBytes { chunk in try scanner.consume(chunk, handler: log) }
        }
    }

    @Test func decodesOfficeEscapes() {
        func decoded(_ text: String) -> String {
            var out: [UInt8] = []
            Array(text.utf8).withUnsafeBufferPointer { WorkbookStringEscape.decode($0, into: &out) }
            return String(decoding: out, as: UTF8.self)
        }
        #expect(decoded("a_x000D__x000A_b") == "a\r\nb")
        #expect(decoded("_x005F_x000D_") == "_x000D_")
        #expect(decoded("_xD83D__xDE00_") == "😀")
        #expect(decoded("_xD83D_x") == "\u{FFFD}x")
        #expect(decoded("_x00e9_ _x12_ _xZZZZ_") == "é _x12_ _xZZZZ_")
        #expect(decoded("plain_text") == "plain_text")
    }
}
