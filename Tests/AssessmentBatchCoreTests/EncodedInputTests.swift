import Foundation
import SharedSupport
import Testing

@testable import AssessmentBatchCore

/// A calibration sheet as a German Excel user saves it three ways, against its UTF-8 original.
enum CalibrationSheet {
    static let header = ["assessmentId", "categoryId", "criterionId", "score", "reason", "supervisorAssessment"]
    static let rows: [[String]] = [
        ["901", "1", "2", "5", "Begrüßung „herzlich“ – gut", "Gespräch über Öffnungszeiten"],
        ["901", "1", "3", "0", "Preis 5 € falsch genannt;\r\nzweite Zeile: Kundin „verärgert“", "Gespräch über Öffnungszeiten"],
        ["902", "2", "1", "3", "Maße & Größen – „korrekt“", "Straße, Übergabe"],
    ]

    /// The sheet as CSV text with `delimiter` and `lineEnding`, quoting where needed.
    static func text(delimiter: String, lineEnding: String) -> String {
        ([header] + rows).map { fields in
            fields.map { field in
                field.contains(delimiter) || field.utf8.contains(where: { $0 == 0x22 || $0 == 0x0A || $0 == 0x0D })
                    ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
            }.joined(separator: delimiter)
        }.joined(separator: lineEnding) + lineEnding
    }

    /// The three ways Excel saves it: name, bytes, and the options that read it.
    static let variants: [(name: String, bytes: [UInt8], options: LoadOptions)] = [
        ("excel_ansi.csv", TextEncoding.windows1252.encode(text(delimiter: ";", lineEnding: "\r\n")), LoadOptions(encoding: .windows1252)),
        ("excel_unicode.txt", [0xFF, 0xFE] + TextEncoding.utf16(bigEndian: false).encode(text(delimiter: "\t", lineEnding: "\r\n")), LoadOptions()),
        ("unicode_be.csv", [0xFE, 0xFF] + TextEncoding.utf16(bigEndian: true).encode(text(delimiter: "\t", lineEnding: "\r\n")), LoadOptions()),
    ]

    /// What a batch holds, comparable across encodings.
    static func summary(_ batch: LoadedBatch) -> [String] {
        batch.updates.map { update in
            "\(update.assessmentId) \(Array(update.criteria)) \(update.fields) lines \(update.sources.map(\.line))"
        }
    }
}

/// `BatchLoader` and `FailuresWriter` on files in Windows-1252, UTF-16 and ISO-8859-15.
struct EncodedInputTests {
    @Test(arguments: CalibrationSheet.variants.indices)
    func everyVariantReadsLikeTheUTF8Original(index: Int) throws {
        let variant = CalibrationSheet.variants[index]
        let original = load(CalibrationSheet.text(delimiter: ",", lineEnding: "\n"))
        try #require(original.isValid)
        let batch = BatchLoader.load([writeInput(variant.bytes, name: variant.name)], options: variant.options)
        #expect(batch.problems == [])
        #expect(CalibrationSheet.summary(batch) == CalibrationSheet.summary(original))
        #expect(batch.updates.first?.criteria.first?.reason == "Begrüßung „herzlich“ – gut")
        #expect(batch.inputs[0].lineEnding == "\r\n")
        #expect(batch.inputs[0].delimiter == UInt8(ascii: index == 0 ? ";" : "\t"))
    }

    @Test func encodingAndByteOrderMarkAreRecorded() {
        let names = CalibrationSheet.variants.map { variant in
            let input = BatchLoader.load([writeInput(variant.bytes, name: variant.name)], options: variant.options).inputs[0]
            return "\(input.encoding.name) \(input.hasByteOrderMark) \(input.format) \(input.fileExtension)"
        }
        #expect(names == ["Windows-1252 false csv csv", "UTF-16LE true tsv txt", "UTF-16BE true csv csv"])
    }

    @Test func windows1252WithoutEncodingNamesColumnBytesAndHint() {
        let bytes = CalibrationSheet.variants[0].bytes
        let batch = BatchLoader.load([writeInput(bytes, name: "excel_ansi.csv")])
        #expect(batch.problems == [
            "2: invalid UTF-8 in column \"reason\": bytes FC DF 75 6E …; the file looks like Windows-1252 (Excel's \"CSV\" on Windows): "
                + "save as \"CSV UTF-8\" or pass --encoding windows-1252",
        ])
        #expect(batch.hasFileErrors)
    }

    @Test func invalidUTF8OnALaterLineOfAMultiLineField() {
        let bytes = Array("assessmentId;reason\n901;\"erste\nzweite ".utf8) + [0xE4] + Array("\"\n".utf8)
        #expect(BatchLoader.load([writeInput(bytes, name: "x.csv")]).problems == [
            "3: invalid UTF-8 in column \"reason\": bytes E4; the file \(TextInput.windows1252Hint)",
        ])
    }

    @Test func randomBinaryGetsNoHint() throws {
        var generator = SplitMix64(seed: 0x5EED_0019)
        var bytes = Array("assessmentId,reason\n1,".utf8)
        bytes += (0..<4096).map { _ in UInt8.random(in: 0x80...0xFF, using: &generator) }
        let problems = BatchLoader.load([writeInput(bytes, name: "x.csv")]).problems
        #expect(problems.count == 1)
        let problem = try #require(problems.first)
        #expect(problem.hasPrefix("2: invalid UTF-8 in column \"reason\": bytes "))
        #expect(!problem.contains("Windows-1252"))
        // Text with NULs and control codes is not Windows-1252 text either.
        let control = Array("assessmentId,reason\n1,\u{01}\u{02}".utf8) + [0xFC] + Array("\n".utf8)
        #expect(BatchLoader.load([writeInput(control, name: "x.csv")]).problems == ["2: invalid UTF-8 in column \"reason\": bytes FC"])
    }

    @Test func explicitUTF8GetsNoHint() {
        let batch = BatchLoader.load([writeInput(CalibrationSheet.variants[0].bytes, name: "a.csv")], options: LoadOptions(encoding: .utf8))
        #expect(batch.problems == ["2: invalid UTF-8 in column \"reason\": bytes FC DF 75 6E …"])
    }

    @Test func undefinedWindows1252ByteIsReportedOnItsLine() {
        let bytes = Array("assessmentId;supervisorAssessment\r\n901;ok\r\n902;\"a\r\nb".utf8) + [0x81] + Array("\"\r\n".utf8)
        let batch = BatchLoader.load([writeInput(bytes, name: "x.csv")], options: LoadOptions(encoding: .windows1252))
        #expect(batch.problems == ["4: byte 81 is undefined in Windows-1252 (is the file in another encoding?)"])
        #expect(batch.hasFileErrors)
    }

    @Test func utf16WithoutByteOrderMarkSaysUTF16() {
        let text = CalibrationSheet.text(delimiter: "\t", lineEnding: "\r\n")
        for bigEndian in [false, true] {
            let bytes = TextEncoding.utf16(bigEndian: bigEndian).encode(text)
            let order = bigEndian ? "big-endian" : "little-endian"
            #expect(BatchLoader.load([writeInput(bytes, name: "x.tsv")]).problems == [
                "1: the file looks like UTF-16 (\(order)) without a byte order mark (a NUL in every other byte): "
                    + "pass --encoding utf-16, or save it from Excel as \"Unicode Text\" or \"CSV UTF-8\"",
            ])
            let read = BatchLoader.load([writeInput(bytes, name: "x.tsv")], options: LoadOptions(encoding: .utf16))
            #expect(read.problems == [])
            #expect(read.inputs[0].encoding == .utf16(bigEndian: bigEndian))
        }
    }

    @Test func byteOrderMarkWinsOverEncodingOption() {
        let variant = CalibrationSheet.variants[1]
        let batch = BatchLoader.load([writeInput(variant.bytes, name: variant.name)], options: LoadOptions(encoding: .windows1252))
        #expect(batch.problems == [])
        #expect(batch.inputs[0].encoding == .utf16(bigEndian: false))
    }

    @Test func utf16JSONLIsRead() {
        let line = "{\"assessmentId\": 901, \"supervisorAssessment\": \"Größe „ok“ 😀\"}\r\n"
        let bytes = [0xFF, 0xFE] + TextEncoding.utf16(bigEndian: false).encode(line + line)
        let batch = BatchLoader.load([writeInput(bytes, name: "x.jsonl")])
        #expect(batch.problems == [])
        #expect(batch.updates.first?.fields.supervisorAssessment == "Größe „ok“ 😀")
    }

    @Test func utf16JSONLFailuresFileIsUTF16WithItsBOM() throws {
        let lines = "{\"assessmentId\": 901, \"supervisorAssessment\": \"Größe „ok“\"}\r\n{\"assessmentId\": 902, \"supervisorAssessment\": \"ß\"}\r\n"
        let encoding = TextEncoding.utf16(bigEndian: true)
        let batch = BatchLoader.load([writeInput(encoding.byteOrderMark + encoding.encode(lines), name: "x.ndjson")])
        try #require(batch.isValid)
        let directory = temporaryDirectory()
        let written = try FailuresWriter.write(inputs: batch.inputs, failures: [SourceLocation(input: 0, line: 1): RowFailure(kind: .conflict, message: "x ≥ y")],
                                               directory: directory)
        #expect(written.map(\.path) == ["\(directory)/x.failures.ndjson"])
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: written[0].path)))
        let expected = "{\"assessmentId\":901,\"supervisorAssessment\":\"Größe „ok“\",\"error\":\"x ≥ y\",\"errorKind\":\"conflict\",\"sourceLine\":1}\r\n"
        #expect(bytes == encoding.byteOrderMark + encoding.encode(expected))
    }

    @Test(arguments: CalibrationSheet.variants.indices)
    func failuresFileKeepsEncodingBOMLineEndingAndOriginalBytes(index: Int) throws {
        let variant = CalibrationSheet.variants[index]
        let path = writeInput(variant.bytes, name: variant.name)
        let batch = BatchLoader.load([path], options: variant.options)
        try #require(batch.isValid)
        let directory = temporaryDirectory()
        let failure = RowFailure(kind: .rejected, message: "score must be ≥ 0 → „bitte prüfen“ … ✓")
        let written = try FailuresWriter.write(inputs: batch.inputs, failures: [SourceLocation(input: 0, line: 3): failure], directory: directory)
        let stem = variant.name.split(separator: ".")[0]
        let ext = variant.name.split(separator: ".")[1]
        #expect(written.map(\.path) == ["\(directory)/\(stem).failures.\(ext)"])
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: written[0].path)))
        let encoding = batch.inputs[0].encoding
        let delimiter = index == 0 ? ";" : "\t"
        let expectedError = encoding == .windows1252 ? "score must be >= 0 -> „bitte prüfen“ … ok" : failure.message
        let expectedText = ([CalibrationSheet.header + ["error", "errorKind", "sourceLine"],
                             CalibrationSheet.rows[1] + [expectedError, "rejected", "3"]])
            .map { fields in
                fields.map { $0.contains(delimiter) || $0.utf8.contains(0x0A) ? "\"\($0)\"" : $0 }.joined(separator: delimiter)
            }.joined(separator: "\r\n") + "\r\n"
        #expect(bytes == (batch.inputs[0].hasByteOrderMark ? encoding.byteOrderMark : []) + encoding.encode(expectedText))
        // The original row's bytes stand in the failures file unchanged.
        let originalRow = encoding.encode(CalibrationSheet.rows[1][4])
        #expect(bytes.firstRange(of: originalRow) != nil)
        // Read back the same way, it holds exactly that row.
        let again = BatchLoader.load([written[0].path], options: variant.options)
        #expect(again.problems == [])
        #expect(again.updates.map { Array($0.criteria) } == [[batch.updates[0].criteria[1]]])
    }
}
