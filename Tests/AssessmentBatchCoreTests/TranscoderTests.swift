import Foundation
import Testing

@testable import AssessmentBatchCore

extension ReaderTestSupport {
    /// What a transcoder made of some bytes: the UTF-8 text, and the error if it stopped.
    struct Transcoded: Equatable {
        var text: String
        var error: UndecodableText?
    }

    static func transcode(_ bytes: [UInt8], _ encoding: TextEncoding, byteOrderMark: Bool = false, chunkSize: Int) -> Transcoded {
        var transcoder = Transcoder(encoding: encoding, byteOrderMark: byteOrderMark)
        var utf8: [UInt8] = []
        do {
            try feedChunks(bytes, fixedChunks(bytes.count, size: chunkSize)) { chunk in
                try transcoder.decode(chunk) { utf8.append(contentsOf: $0) }
            }
            try transcoder.finish()
            return Transcoded(text: String(decoding: utf8, as: UTF8.self), error: nil)
        } catch let error as UndecodableText {
            return Transcoded(text: String(decoding: utf8, as: UTF8.self), error: error)
        } catch {
            Issue.record("unexpected error: \(error)")
            return Transcoded(text: "", error: nil)
        }
    }
}

/// The streaming decoder in front of the readers: exact text for every byte, errors for the
/// bytes that are not text, whatever the chunk boundaries.
struct TranscoderTests {
    static let sheet = "Prüfung für Groß „gut“ – 5 € (ok)\r\nzweite Zeile; Œuvre Šárka žluť Ÿ ß\r\n"

    @Test(arguments: ReaderTestSupport.chunkSizes)
    func windows1252TextDecodesExactly(chunkSize: Int) {
        let bytes: [UInt8] = [0x80, 0x84, 0x93, 0x94, 0x96, 0xFC, 0xDF, 0x41, 0x8C, 0x9F, 0xA0, 0xFF]
        #expect(ReaderTestSupport.transcode(bytes, .windows1252, chunkSize: chunkSize)
                    == .init(text: "€„“”–üßAŒŸ\u{A0}ÿ", error: nil))
    }

    @Test func windows1252TableAgreesWithFoundation() throws {
        // Foundation's whole-buffer decoder, where this toolchain has it (Swift 6.0 on Linux returned nil).
        let defined = (0x20...0xFF).map(UInt8.init).filter { ![0x7F, 0x81, 0x8D, 0x8F, 0x90, 0x9D].contains($0) }
        guard let reference = String(data: Data(defined), encoding: .windowsCP1252) else {
            print("note: Foundation cannot decode Windows-1252 here; compared against the hand-checked cases only")
            return
        }
        #expect(ReaderTestSupport.transcode(defined, .windows1252, chunkSize: 0).text == reference)
        #expect(TextEncoding.windows1252.encode(reference) == defined)
    }

    @Test(arguments: [0x81, 0x8D, 0x8F, 0x90, 0x9D] as [UInt8])
    func undefinedWindows1252BytesAreErrors(byte: UInt8) {
        let bytes = Array("ab\r\nc".utf8) + [byte] + Array("d".utf8)
        #expect(ReaderTestSupport.transcode(bytes, .windows1252, chunkSize: 3)
                    == .init(text: "ab\r\nc", error: UndecodableText(message: "byte \(byte.hex) is undefined in Windows-1252 (is the file in another encoding?)")))
    }

    @Test func iso885915HasItsEightLettersAndNoC1Controls() {
        let bytes: [UInt8] = [0xA4, 0xA6, 0xA8, 0xB4, 0xB8, 0xBC, 0xBD, 0xBE, 0xE4, 0xDF]
        #expect(ReaderTestSupport.transcode(bytes, .iso885915, chunkSize: 0) == .init(text: "€ŠšŽžŒœŸäß", error: nil))
        #expect(ReaderTestSupport.transcode([0x41, 0x84], .iso885915, chunkSize: 0).error?.message
                    == "byte 84 is a control code in ISO-8859-15, not text: in Windows-1252 it is „, pass --encoding windows-1252")
    }

    @Test(arguments: [false, true], ReaderTestSupport.chunkSizes + [4, 7])
    func utf16DecodesAcrossEveryChunkBoundary(bigEndian: Bool, chunkSize: Int) {
        // A surrogate pair (😀), three-byte (€ „ –) and two-byte (ü ß) characters, each split by some chunking.
        let text = "id\tGrund\r\n1\tPrüfung 😀 „gut“ – 5 €, Groß\r\n"
        let encoding = TextEncoding.utf16(bigEndian: bigEndian)
        let bytes = encoding.byteOrderMark + encoding.encode(text)
        #expect(ReaderTestSupport.transcode(bytes, encoding, byteOrderMark: true, chunkSize: chunkSize) == .init(text: text, error: nil))
    }

    @Test func utf16SlicesLongerThanTheOutputBufferStayWhole() {
        // Longer than one slice, with a pair at every offset parity.
        let text = String(repeating: "a😀bü€", count: 60_000)
        let encoding = TextEncoding.utf16(bigEndian: false)
        #expect(ReaderTestSupport.transcode(encoding.encode(text), encoding, chunkSize: 0).text == text)
        #expect(ReaderTestSupport.transcode(encoding.encode(text), encoding, chunkSize: 1 << 20).text == text)
        let windows = String(repeating: "x„ü€", count: 100_000)
        #expect(ReaderTestSupport.transcode(TextEncoding.windows1252.encode(windows), .windows1252, chunkSize: 0).text == windows)
    }

    /// File chunks of every small size through transcoder and CSV parser together: surrogate
    /// pairs split between file chunks, and the UTF-8 they become (2, 3 and 4 bytes) handed on
    /// whole, give the same records and line numbers as the UTF-8 text.
    @Test(arguments: [1, 2, 3, 5, 7, 64, 0])
    func transcoderAndParserTogetherKeepRecordsAndLines(chunkSize: Int) throws {
        let text = "id\tGrund\r\n1\t\"Größe „gut“\r\nzweite – 😀\"\r\n\r\n2\tß€\r\n"
        let expected = [ReaderTestSupport.ParsedRecord(1, ["id", "Grund"]), .init(2, ["1", "Größe „gut“\r\nzweite – 😀"]), .init(5, ["2", "ß€"])]
        for encoding in [TextEncoding.utf16(bigEndian: false), .utf16(bigEndian: true), .windows1252] {
            let printable = encoding == .windows1252 ? text.replacingOccurrences(of: "😀", with: "x") : text
            let bytes = encoding.encode(printable)
            var transcoder = Transcoder(encoding: encoding, byteOrderMark: false)
            var parser = CSVParser(delimiter: UInt8(ascii: "\t"))
            var records: [ReaderTestSupport.ParsedRecord] = []
            let collect: (borrowing CSVRecord) -> Void = { record in records.append(.init(record.line, record.strings())) }
            try ReaderTestSupport.feedChunks(bytes, ReaderTestSupport.fixedChunks(bytes.count, size: chunkSize)) { chunk in
                try transcoder.decode(chunk) { utf8 in try parser.consume(utf8, onRecord: collect) }
            }
            try transcoder.finish()
            try parser.finish(onRecord: collect)
            let wanted = encoding == .windows1252
                ? expected.map { .init($0.line, $0.fields.map { $0.replacingOccurrences(of: "😀", with: "x") }) } : expected
            #expect(records == wanted, "\(encoding.name)")
        }
    }

    @Test(arguments: ReaderTestSupport.chunkSizes)
    func unpairedSurrogatesAndTruncatedUnitsAreErrors(chunkSize: Int) {
        let lone: [UInt8] = [0x61, 0x00, 0x3D, 0xD8, 0x62, 0x00]
        #expect(ReaderTestSupport.transcode(lone, .utf16(bigEndian: false), chunkSize: chunkSize)
                    == .init(text: "a", error: UndecodableText(message: "invalid UTF-16: unpaired surrogate D83D")))
        let lowFirst: [UInt8] = [0x00, 0x61, 0xDE, 0x00]
        #expect(ReaderTestSupport.transcode(lowFirst, .utf16(bigEndian: true), chunkSize: chunkSize)
                    == .init(text: "a", error: UndecodableText(message: "invalid UTF-16: unpaired surrogate DE00")))
        let odd: [UInt8] = [0x61, 0x00, 0x62]
        #expect(ReaderTestSupport.transcode(odd, .utf16(bigEndian: false), chunkSize: chunkSize)
                    == .init(text: "a", error: UndecodableText(message: "the file ends inside a UTF-16LE character (bytes 62)")))
    }
}
