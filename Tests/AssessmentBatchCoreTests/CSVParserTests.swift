import Foundation
import Testing

@testable import AssessmentBatchCore

/// Helpers for the reader tests, in a namespace so other test files can use the same names.
enum ReaderTestSupport {
    /// A record copied out of its callback.
    struct ParsedRecord: Equatable, Sendable, CustomStringConvertible {
        var line: Int
        var fields: [String]

        init(_ line: Int, _ fields: [String]) {
            self.line = line
            self.fields = fields
        }

        var description: String { "\(line): \(fields)" }
    }

    /// Everything a parse produced: the records before the end or the first error, and that error.
    struct CSVOutcome: Equatable, CustomStringConvertible {
        var records: [ParsedRecord]
        var error: InputSyntaxError?

        var description: String { "\(records) \(error.map { "error \($0)" } ?? "ok")" }
    }

    /// Splits `count` bytes into chunks of `size` (0 = one chunk).
    static func fixedChunks(_ count: Int, size: Int) -> [Range<Int>] {
        guard size > 0 else { return [0..<count] }
        return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    }

    /// Hands each chunk to `body` in one reused buffer that is scribbled over afterwards, so a
    /// reader that keeps pointing into an old chunk sees garbage instead of the right bytes.
    static func feedChunks(_ input: [UInt8], _ chunks: [Range<Int>], _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, chunks.map(\.count).max() ?? 1), alignment: 8)
        defer { scratch.deallocate() }
        for chunk in chunks {
            let slice = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<chunk.count])
            input[chunk].withUnsafeBytes { slice.copyMemory(from: $0) }
            try body(UnsafeRawBufferPointer(slice))
            scratch.initializeMemory(as: UInt8.self, repeating: 0xAA)
        }
    }

    static func parseCSV(
        _ input: [UInt8],
        delimiter: UInt8 = UInt8(ascii: ","),
        limits: InputLimits = InputLimits(),
        chunks: [Range<Int>]
    ) -> CSVOutcome {
        var records: [ParsedRecord] = []
        var parser = CSVParser(delimiter: delimiter, limits: limits)
        let collect: (borrowing CSVRecord) -> Void = { record in
            records.append(ParsedRecord(record.line, record.strings()))
        }
        do {
            try feedChunks(input, chunks) { chunk in try parser.consume(chunk, onRecord: collect) }
            try parser.finish(onRecord: collect)
            return CSVOutcome(records: records, error: nil)
        } catch let error as InputSyntaxError {
            return CSVOutcome(records: records, error: error)
        } catch {
            Issue.record("unexpected error type: \(error)")
            return CSVOutcome(records: records, error: nil)
        }
    }

    static func parseCSV(
        _ text: String,
        delimiter: UInt8 = UInt8(ascii: ","),
        limits: InputLimits = InputLimits(),
        chunkSize: Int = 0
    ) -> CSVOutcome {
        let bytes = Array(text.utf8)
        return parseCSV(bytes, delimiter: delimiter, limits: limits, chunks: fixedChunks(bytes.count, size: chunkSize))
    }

    /// The chunk sizes every table case is fed at; 0 means the whole input at once.
    static let chunkSizes = [1, 2, 3, 5, 64, 0]
}

// MARK: - Cases

extension CSVParserTests {
    /// One table-driven input.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var input: [UInt8]
        var delimiter = UInt8(ascii: ",")
        var limits = InputLimits()
        var records: [ReaderTestSupport.ParsedRecord]
        var error: InputSyntaxError?

        var testDescription: String { name }

        init(
            _ name: String,
            _ input: String,
            delimiter: Character = ",",
            limits: InputLimits = InputLimits(),
            _ records: [ReaderTestSupport.ParsedRecord],
            error: InputSyntaxError? = nil
        ) {
            self.init(name, Array(input.utf8), delimiter: delimiter, limits: limits, records, error: error)
        }

        init(
            _ name: String,
            _ input: [UInt8],
            delimiter: Character = ",",
            limits: InputLimits = InputLimits(),
            _ records: [ReaderTestSupport.ParsedRecord],
            error: InputSyntaxError? = nil
        ) {
            self.name = name
            self.input = input
            self.delimiter = delimiter.asciiValue ?? 0
            self.limits = limits
            self.records = records
            self.error = error
        }

        static let valid: [Case] = [
            Case("simple CRLF", "a,b,c\r\n1,2,3\r\n", [.init(1, ["a", "b", "c"]), .init(2, ["1", "2", "3"])]),
            Case(
                "quoted delimiter", "name,note\n\"Acme, Inc.\",x\n",
                [.init(1, ["name", "note"]), .init(2, ["Acme, Inc.", "x"])]
            ),
            Case("doubled quotes", "\"say \"\"hi\"\"\",\"\"\"\"\n", [.init(1, ["say \"hi\"", "\""])]),
            Case(
                "quoted CRLF", "id,note\r\n1,\"line1\r\nline2\"\r\n2,x\r\n",
                [.init(1, ["id", "note"]), .init(2, ["1", "line1\r\nline2"]), .init(4, ["2", "x"])]
            ),
            Case(
                "quoted LF", "id,note\n1,\"a\nb\nc\"\n2,x\n",
                [.init(1, ["id", "note"]), .init(2, ["1", "a\nb\nc"]), .init(5, ["2", "x"])]
            ),
            Case("empty quoted field", "a,\"\",c\n\"\"\n", [.init(1, ["a", "", "c"]), .init(2, [""])]),
            Case("empty last field", "a,b,\n1,2,\n", [.init(1, ["a", "b", ""]), .init(2, ["1", "2", ""])]),
            Case("only delimiters", ";;;\n", delimiter: ";", [.init(1, ["", "", "", ""])]),
            Case("LF", "a,b\n1,2\n", [.init(1, ["a", "b"]), .init(2, ["1", "2"])]),
            Case("CR only", "a,b\r1,2\r3,4", [.init(1, ["a", "b"]), .init(2, ["1", "2"]), .init(3, ["3", "4"])]),
            Case(
                "mixed line ends", "a\r\nb\nc\rd",
                [.init(1, ["a"]), .init(2, ["b"]), .init(3, ["c"]), .init(4, ["d"])]
            ),
            Case("LF then CR is two breaks", "a\n\rb", [.init(1, ["a"]), .init(3, ["b"])]),
            // The BOM is dropped where bytes become text (`forEachUTF8Chunk`): here it is data.
            Case("a BOM reaching the parser is data", "\u{FEFF}id,name\n", [.init(1, ["\u{FEFF}id", "name"])]),
            Case("BOM not at the start is data", "a\n\u{FEFF}b\n", [.init(1, ["a"]), .init(2, ["\u{FEFF}b"])]),
            Case("empty input", "", []),
            Case("only blank lines", "\n\r\n\r", []),
            Case("blank lines", "\n\r\n\nid\n\n\n1\r\n\r\n", [.init(4, ["id"]), .init(7, ["1"])]),
            Case("no final newline", "a,b\n1,2", [.init(1, ["a", "b"]), .init(2, ["1", "2"])]),
            Case("trailing delimiter at end of input", "a,b,", [.init(1, ["a", "b", ""])]),
            Case("quoted last field at end of input", "a,\"b\"", [.init(1, ["a", "b"])]),
            Case(
                "semicolon", "id;name;score\n1;\"A; B\";5\n", delimiter: ";",
                [.init(1, ["id", "name", "score"]), .init(2, ["1", "A; B", "5"])]
            ),
            Case(
                "tab", "id\tname\n1\t\"x\ty\"\n", delimiter: "\t",
                [.init(1, ["id", "name"]), .init(2, ["1", "x\ty"])]
            ),
            Case("comma is data with a semicolon delimiter", "a,b;c\n", delimiter: ";", [.init(1, ["a,b", "c"])]),
            Case("quote inside unquoted field is literal", "a\"b,c\"\"d\n", [.init(1, ["a\"b", "c\"\"d"])]),
            Case("space before a quote is unquoted", " \"a\",b\n", [.init(1, [" \"a\"", "b"])]),
            Case("whitespace-only line is a record", "  \n", [.init(1, ["  "])]),
            Case(
                "blank lines inside and after a quoted field", "\"a\r\n\r\nb\"\r\n\r\nc\r\n",
                [.init(1, ["a\r\n\r\nb"]), .init(5, ["c"])]
            ),
            Case("CR inside quotes", "\"a\rb\",c\rd\r", [.init(1, ["a\rb", "c"]), .init(3, ["d"])]),
            Case("quoted field ending in CR", "\"a\r\"\n", [.init(1, ["a\r"])]),
            Case("unicode", "name\nGrüße 😀,ü\n", [.init(1, ["name"]), .init(2, ["Grüße 😀", "ü"])]),
            Case("quoted then empty", "\"x\",\n", [.init(1, ["x", ""])]),
            Case(
                "excel export", "assessmentId;reason\r\n901;\"Sehr gut; \"\"klar\"\"\r\nzweite Zeile\"\r\n902;\r\n",
                delimiter: ";",
                [
                    .init(1, ["assessmentId", "reason"]), .init(2, ["901", "Sehr gut; \"klar\"\r\nzweite Zeile"]),
                    .init(4, ["902", ""]),
                ]
            ),
        ]

        static let errors: [Case] = [
            Case(
                "unterminated quote", "a,b\n1,\"abc\n\ndef\n", [.init(1, ["a", "b"])],
                error: .init(line: 2, message: "unterminated quoted field (opened on line 2)")
            ),
            Case(
                "unterminated quote in the first field", "\"abc", [],
                error: .init(line: 1, message: "unterminated quoted field (opened on line 1)")
            ),
            Case(
                "unterminated quote after a doubled quote", "x\n\n\"a\"\"", [.init(1, ["x"])],
                error: .init(line: 3, message: "unterminated quoted field (opened on line 3)")
            ),
            Case(
                "character after closing quote", "a\n\"abc\"x,1\n", [.init(1, ["a"])],
                error: .init(line: 2, message: "unexpected character after closing quote in field 1", field: 0)
            ),
            Case(
                "space after closing quote", "\"a\" ,b\n", [],
                error: .init(line: 1, message: "unexpected character after closing quote in field 1", field: 0)
            ),
            Case(
                "character after a multi-line quoted field", "a,\"x\ny\" z\n", [],
                error: .init(line: 2, message: "unexpected character after closing quote in field 2", field: 1)
            ),
            Case(
                "NUL in unquoted field", "a,b\nc,d\u{0}e\n", [.init(1, ["a", "b"])],
                error: .init(line: 2, message: "NUL byte in field 2", field: 1)
            ),
            Case(
                "NUL in quoted field", "\"a\nb\u{0}\"\n", [],
                error: .init(line: 2, message: "NUL byte in field 1", field: 0)
            ),
            Case(
                "invalid UTF-8", [0x61, 0x2C, 0xFF, 0x0A], [],
                error: .init(line: 1, message: "invalid UTF-8 in field 2: bytes FF", field: 1)
            ),
            Case(
                "invalid UTF-8 in a multi-line field", Array("x\n1,\"a\n".utf8) + [0xC3] + Array("\"\n".utf8),
                [.init(1, ["x"])],
                error: .init(line: 3, message: "invalid UTF-8 in field 2: bytes C3", field: 1)
            ),
            Case(
                "truncated UTF-8 at end of input", [0x61, 0x2C, 0xE2, 0x82], [],
                error: .init(line: 1, message: "invalid UTF-8 in field 2: bytes E2 82", field: 1)
            ),
            Case("overlong UTF-8", [0xC0, 0x80], [], error: .init(line: 1, message: "invalid UTF-8 in field 1: bytes C0 80", field: 0)),
            Case("encoded surrogate", [0xED, 0xA0, 0x80], [], error: .init(line: 1, message: "invalid UTF-8 in field 1: bytes ED A0 80", field: 0)),
            Case("partial BOM", [0xEF, 0xBB], [], error: .init(line: 1, message: "invalid UTF-8 in field 1: bytes EF BB", field: 0)),
            Case("BOM prefix then text", [0xEF, 0x41, 0x0A], [], error: .init(line: 1, message: "invalid UTF-8 in field 1: bytes EF 41", field: 0)),
            Case(
                "too many fields", "a,b,c\n1,2,3,4\n", limits: InputLimits(maxColumns: 3), [.init(1, ["a", "b", "c"])],
                error: .init(line: 2, message: "more than 3 fields in record")
            ),
            Case(
                "too many fields through a trailing delimiter", "a,b,c,", limits: InputLimits(maxColumns: 3), [],
                error: .init(line: 1, message: "more than 3 fields in record")
            ),
            Case(
                "field too long", "abcd\nabcde\n", limits: InputLimits(maxFieldBytes: 4), [.init(1, ["abcd"])],
                error: .init(line: 2, message: "field 1 longer than 4 bytes")
            ),
            Case(
                "quoted field too long", "x,\"ab\"\"cd\n", limits: InputLimits(maxFieldBytes: 4), [],
                error: .init(line: 1, message: "field 2 longer than 4 bytes (unterminated quote?)")
            ),
            Case(
                "record too long", "abc,def\nabc,defg\n", limits: InputLimits(maxRecordBytes: 6),
                [.init(1, ["abc", "def"])],
                error: .init(line: 2, message: "record longer than 6 bytes")
            ),
            Case(
                "field limit wins a tie with the record limit", "ab,cdefgh\n",
                limits: InputLimits(maxFieldBytes: 4, maxRecordBytes: 6), [],
                error: .init(line: 1, message: "field 2 longer than 4 bytes")
            ),
            Case(
                "record limit crossed first", "abcd,efghij\n",
                limits: InputLimits(maxFieldBytes: 5, maxRecordBytes: 6), [],
                error: .init(line: 1, message: "record longer than 6 bytes")
            ),
            Case(
                "length limit before a later NUL", "abcdefg\u{0}\n", limits: InputLimits(maxFieldBytes: 4), [],
                error: .init(line: 1, message: "field 1 longer than 4 bytes")
            ),
        ]
    }
}

// MARK: - Tests

struct CSVParserTests {
    @Test(arguments: Case.valid, ReaderTestSupport.chunkSizes)
    func validInput(_ testCase: Case, chunkSize: Int) {
        let outcome = ReaderTestSupport.parseCSV(
            testCase.input,
            delimiter: testCase.delimiter,
            limits: testCase.limits,
            chunks: ReaderTestSupport.fixedChunks(testCase.input.count, size: chunkSize)
        )
        #expect(outcome == ReaderTestSupport.CSVOutcome(records: testCase.records, error: nil))
    }

    @Test(arguments: Case.errors, ReaderTestSupport.chunkSizes)
    func rejectedInput(_ testCase: Case, chunkSize: Int) {
        let outcome = ReaderTestSupport.parseCSV(
            testCase.input,
            delimiter: testCase.delimiter,
            limits: testCase.limits,
            chunks: ReaderTestSupport.fixedChunks(testCase.input.count, size: chunkSize)
        )
        #expect(outcome == ReaderTestSupport.CSVOutcome(records: testCase.records, error: testCase.error))
    }

    @Test func errorDescriptionNamesTheLine() {
        let outcome = ReaderTestSupport.parseCSV("a\n\"b")
        #expect(outcome.error?.description == "line 2: unterminated quoted field (opened on line 2)")
    }

    @Test func recordAccessors() throws {
        var parser = CSVParser(delimiter: UInt8(ascii: ","))
        var seen = 0
        try Array("x,\"\",\"q\"\"\",é\n".utf8).withUnsafeBytes { bytes in
            try parser.consume(bytes) { record in
                seen += 1
                let (line, count) = (record.line, record.count)
                let (first, last) = (Array(record.bytes(0)), Array(record.bytes(3)))
                let (secondEmpty, thirdEmpty) = (record.isEmpty(1), record.isEmpty(2))
                let (third, all) = (record.string(2), record.strings())
                #expect(line == 1 && count == 4)
                #expect(first == [UInt8(ascii: "x")] && last == [0xC3, 0xA9])
                #expect(secondEmpty && !thirdEmpty)
                #expect(third == "q\"")
                #expect(all == ["x", "", "q\"", "é"])
            }
        }
        try parser.finish { _ in seen += 100 }
        #expect(seen == 1)
    }

    @Test func finishResetsForAnotherInput() throws {
        var parser = CSVParser(delimiter: UInt8(ascii: ";"))
        var records: [ReaderTestSupport.ParsedRecord] = []
        for text in ["\n\na;b", "c;d\n"] {
            try Array(text.utf8).withUnsafeBytes { bytes in
                try parser.consume(bytes) { records.append(ReaderTestSupport.ParsedRecord($0.line, $0.strings())) }
            }
            try parser.finish { records.append(ReaderTestSupport.ParsedRecord($0.line, $0.strings())) }
        }
        #expect(records == [.init(3, ["a", "b"]), .init(1, ["c", "d"])])
    }

    @Test func callbackErrorsPropagate() {
        struct Stop: Error {}
        var parser = CSVParser(delimiter: UInt8(ascii: ","))
        #expect(throws: Stop.self) {
            try Array("a\nb\n".utf8).withUnsafeBytes { bytes in
                try parser.consume(bytes) { _ in throw Stop() }
            }
        }
    }

    /// An unterminated quote at the start of a huge file fails after about `maxFieldBytes` of
    /// buffering instead of reading (and keeping) the whole file.
    @Test func runawayQuoteFailsEarly() {
        var parser = CSVParser(delimiter: UInt8(ascii: ","))
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10)
        var fed = 0
        var failure: (any Error)?
        do {
            try Array("\"".utf8).withUnsafeBytes { try parser.consume($0) { _ in } }
            while fed < 1 << 30 {
                try chunk.withUnsafeBytes { try parser.consume($0) { _ in } }
                fed += chunk.count
            }
        } catch {
            failure = error
        }
        #expect(failure as? InputSyntaxError == InputSyntaxError(line: 1, message: "field 1 longer than 1048576 bytes (unterminated quote?)"))
        #expect(fed <= (1 << 20) + chunk.count)
    }

    @Test func longFieldsAcrossChunksParse() {
        let long = String(repeating: "x", count: 100_000)
        let text = "a,\"\(long)\"\"\(long)\",\(long)\n"
        let expected = [ReaderTestSupport.ParsedRecord(1, ["a", long + "\"" + long, long])]
        #expect(ReaderTestSupport.parseCSV(text, chunkSize: 4096) == ReaderTestSupport.CSVOutcome(records: expected, error: nil))
        #expect(ReaderTestSupport.parseCSV(text, chunkSize: 0) == ReaderTestSupport.CSVOutcome(records: expected, error: nil))
    }

    @Test func manyColumnsUpToTheLimit() {
        let fields = (0..<1_000).map(String.init)
        let text = fields.joined(separator: ",") + "\n" + fields.joined(separator: ",") + ",x\n"
        let outcome = ReaderTestSupport.parseCSV(text, chunkSize: 777)
        #expect(outcome.records == [ReaderTestSupport.ParsedRecord(1, fields)])
        #expect(outcome.error == InputSyntaxError(line: 2, message: "more than 1000 fields in record"))
    }
}
