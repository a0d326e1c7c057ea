import StrictJSON
import Testing

/// The one JSON writer: exact punctuation, pretty layout, pieces that splice without surgery.
@Suite struct JSONStreamWriterTests {
    private func text(_ writer: JSONStreamWriter) -> String { String(decoding: writer.bytes, as: UTF8.self) }

    @Test(arguments: [0, 7, 10, 99, 100, -1, -45, 1_234_567_890, Int.max, Int.min])
    func integersAreSpelledLikeString(value: Int) {
        var writer = JSONStreamWriter()
        writer.int(value)
        #expect(text(writer) == String(value))
    }

    @Test func compactTextHasNoSpaces() {
        var writer = JSONStreamWriter()
        writer.beginObject()
        writer.key("a")
        writer.int(1)
        writer.key("list")
        writer.beginArray()
        writer.string("x\"y")
        writer.null()
        writer.beginObject()
        writer.endObject()
        writer.beginArray()
        writer.endArray()
        writer.endArray()
        writer.key("ok")
        writer.bool(true)
        writer.endObject()
        #expect(text(writer) == #"{"a":1,"list":["x\"y",null,{},[]],"ok":true}"#)
    }

    @Test func prettyTextPutsEachItemOnItsLine() {
        var writer = JSONStreamWriter(pretty: true)
        writer.beginObject()
        writer.key("n")
        writer.number("1.50")
        writer.key("items")
        writer.beginArray()
        writer.int(1)
        writer.beginObject()
        writer.key("k")
        writer.string("v")
        writer.endObject()
        writer.endArray()
        writer.key("empty")
        writer.beginArray()
        writer.endArray()
        writer.endObject()
        #expect(text(writer) == "{\n  \"n\": 1.50,\n  \"items\": [\n    1,\n    {\n      \"k\": \"v\"\n    }\n  ],\n  \"empty\": []\n}")
    }

    @Test func aPrerenderedValueSplicesExactlyAsIfWrittenInPlace() throws {
        let element = try Array(#"{"assessmentId": 7, "field": "state", "values": [1, 2]}"#.utf8).withUnsafeBytes { try JSONParser.parse($0) }
        var whole = JSONStreamWriter(pretty: true)
        whole.beginObject()
        whole.key("notRestorable")
        whole.beginArray()
        whole.value(element)
        whole.value(element)
        whole.endArray()
        whole.endObject()

        var piece = JSONStreamWriter(pretty: true, baseDepth: 2)
        piece.value(element)
        var spliced = JSONStreamWriter(pretty: true)
        spliced.beginObject()
        spliced.key("notRestorable")
        spliced.beginArray()
        spliced.prerendered(piece.bytes)
        spliced.prerendered(piece.bytes)
        spliced.endArray()
        spliced.endObject()
        #expect(text(spliced) == text(whole))
    }

    @Test func takenPiecesAddUpToTheWholeText() {
        var writer = JSONStreamWriter(pretty: true)
        var flushed: [UInt8] = []
        writer.beginArray()
        for index in 0..<100 {
            writer.int(index)
            if index % 7 == 0 { flushed += writer.takeBytes() }
        }
        writer.endArray()
        flushed += writer.takeBytes()
        let expected = "[\n" + (0..<100).map { "  \($0)" }.joined(separator: ",\n") + "\n]"
        #expect(String(decoding: flushed, as: UTF8.self) == expected)
    }

    @Test func nestingDeeperThanSixtyFourLevelsIsWritten() throws {
        var writer = JSONStreamWriter()
        for _ in 0..<70 { writer.beginArray() }
        writer.int(1)
        writer.int(2)
        for _ in 0..<70 { writer.endArray() }
        let expected = String(repeating: "[", count: 70) + "1,2" + String(repeating: "]", count: 70)
        #expect(text(writer) == expected)
        #expect(writer.depth == 0)
    }

    @Test func anASCIIStringIsQuotedAndPlacedLikeAnyOtherString() {
        var writer = JSONStreamWriter(pretty: true)
        writer.beginArray()
        writer.asciiString { $0.append(contentsOf: "2025-06-01T10:00:00Z".utf8) }
        writer.beginObject()
        writer.key("at")
        writer.asciiString { $0.append(contentsOf: "2025-06-01T10:00:00.5Z".utf8) }
        writer.endObject()
        writer.endArray()
        #expect(text(writer) == "[\n  \"2025-06-01T10:00:00Z\",\n  {\n    \"at\": \"2025-06-01T10:00:00.5Z\"\n  }\n]")
    }

    @Test func aLiteralKeyIsWrittenAsIsAndAKeyFromAStringIsEscaped() {
        let name = "a\"b\\c\n"
        var writer = JSONStreamWriter()
        writer.beginObject()
        writer.key("plain")
        writer.int(1)
        writer.key(name)
        writer.int(2)
        writer.endObject()
        #expect(text(writer) == #"{"plain":1,"a\"b\\c\n":2}"#)
    }
}
