import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A German Excel user's three ways of saving a calibration sheet, applied against the
/// simulator: the same texts land as from the "CSV UTF-8" original.
@Suite(.serialized)
struct EncodingTests {
    /// One way of saving the sheet.
    struct Variant: Sendable, CustomStringConvertible {
        var name: String
        var encoding: TextEncoding
        var byteOrderMark: Bool
        var delimiter: String
        var options: LoadOptions
        /// `--encoding` for the command line, if the variant needs one.
        var flag: [String]
        var description: String { name }

        func bytes(_ rows: [[String]]) -> [UInt8] {
            (byteOrderMark ? encoding.byteOrderMark : []) + encoding.encode(EncodingTests.csv(rows, delimiter: delimiter, lineEnding: "\r\n"))
        }
    }

    static let utf8 = Variant(name: "calibration.csv", encoding: .utf8, byteOrderMark: false, delimiter: ",", options: LoadOptions(), flag: [])
    static let variants = [
        Variant(name: "excel_ansi.csv", encoding: .windows1252, byteOrderMark: false, delimiter: ";",
                options: LoadOptions(encoding: .windows1252), flag: ["--encoding", "windows-1252"]),
        Variant(name: "excel_unicode.txt", encoding: .utf16(bigEndian: false), byteOrderMark: true, delimiter: "\t", options: LoadOptions(), flag: []),
        Variant(name: "unicode_be.csv", encoding: .utf16(bigEndian: true), byteOrderMark: true, delimiter: "\t", options: LoadOptions(), flag: []),
    ]

    static func csv(_ rows: [[String]], delimiter: String, lineEnding: String) -> String {
        rows.map { fields in
            fields.map { field in
                field.contains(delimiter) || field.utf8.contains(where: { $0 == 0x22 || $0 == 0x0A || $0 == 0x0D })
                    ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
            }.joined(separator: delimiter)
        }.joined(separator: lineEnding) + lineEnding
    }

    /// The sheet for the first `count` editable assessments: two criteria each, with umlauts,
    /// ß, €, typographic quotes, an en dash and a multi-line reason.
    static func sheet(_ simulator: RunningSimulator, count: Int) -> (rows: [[String]], keys: [(Int, Int, Int)]) {
        var rows = [["assessmentId", "categoryId", "criterionId", "score", "reason", "supervisorAssessment"]]
        var keys: [(Int, Int, Int)] = []
        for (assessment, scorecard) in editableAssessments(simulator, count: count) {
            for (offset, (categoryId, criterion)) in criteria(of: scorecard).prefix(2).enumerated() {
                let score = newScore(for: criterion, current: assessment.criterion(categoryId: categoryId, criterionId: criterion.id)?.score)
                let reason = offset == 0
                    ? "Begrüßung „herzlich“ – Preis 5 € genannt (\(assessment.id))"
                    : "Kundin „verärgert“; Größe geklärt\r\nzweite Zeile – Straße \(assessment.id)"
                rows.append(["\(assessment.id)", "\(categoryId)", "\(criterion.id)", "\(score)", reason, "Gespräch über Öffnungszeiten – gut"])
                keys.append((assessment.id, categoryId, criterion.id))
            }
        }
        return (rows, keys)
    }

    /// What the store holds for `keys`, value by value.
    static func stored(_ simulator: RunningSimulator, _ keys: [(Int, Int, Int)]) -> [String] {
        keys.map { id, categoryId, criterionId in
            let assessment = simulator.store.assessment(id: id)
            let criterion = assessment?.criterion(categoryId: categoryId, criterionId: criterionId)
            return "\(id)/\(categoryId)/\(criterionId): \(criterion?.score as Int?) \(criterion?.reason as String?) \(assessment?.supervisorAssessment as String?)"
        }
    }

    /// Applies `variant` of the sheet to a fresh simulator and returns what it stored.
    private func applied(_ variant: Variant) async throws -> (stored: [String], rows: [[String]]) {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let (rows, keys) = Self.sheet(simulator, count: 3)
            _ = FileManager.default.createFile(atPath: "\(dir)/\(variant.name)", contents: Data(variant.bytes(rows)))
            let validated = BatchLoader.load(["\(dir)/\(variant.name)"], options: variant.options)
            #expect(validated.problems == [], "\(variant.name)")
            #expect(validated.updates.count == 3)
            let result = await runJob(["\(dir)/\(variant.name)"], simulator: simulator, out: "\(dir)/run", load: variant.options)
            #expect(result.exitStatus == .success, "\(variant.name)")
            return (Self.stored(simulator, keys), rows)
        }
    }

    @Test(arguments: variants)
    func excelSaveStoresTheSameTextsAsUTF8(variant: Variant) async throws {
        let original = try await applied(Self.utf8)
        let saved = try await applied(variant)
        #expect(saved.stored == original.stored)
        // And those are the sheet's own texts, not equally garbled ones.
        #expect(original.stored.count == 6)
        for (line, row) in zip(original.stored, original.rows.dropFirst()) {
            #expect(line.contains("Optional(\"\(row[4].replacingOccurrences(of: "\r\n", with: "\\r\\n"))\")"), "\(line)")
            #expect(line.hasSuffix("Optional(\"Gespräch über Öffnungszeiten – gut\")"))
        }
    }

    @Test(arguments: variants)
    func failuresFileUnderFaultsIsInTheInputsEncodingAndFinishesTheJob(variant: Variant) async throws {
        try await withSimulator(assessments: 80, faults: FaultSettings(errorRate: 0.5, seed: 11)) { simulator in
            let dir = scratchDirectory()
            let (rows, keys) = Self.sheet(simulator, count: 12)
            let path = "\(dir)/\(variant.name)"
            _ = FileManager.default.createFile(atPath: path, contents: Data(variant.bytes(rows)))
            let first = await runJob([path], simulator: simulator, out: "\(dir)/run1", preflight: false, maxAttempts: 1, load: variant.options)
            #expect(first.exitStatus != .success)
            let stem = variant.name.split(separator: ".")[0], ext = variant.name.split(separator: ".")[1]
            let failuresPath = "\(dir)/run1/\(stem).failures.\(ext)"
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: failuresPath)))
            #expect(bytes.starts(with: variant.byteOrderMark ? variant.encoding.byteOrderMark : []))
            if variant.encoding == .windows1252 {
                #expect(bytes.contains(0x84) && bytes.contains(0x80))  // „ and € as Windows-1252 bytes
                #expect(!bytes.contains(0xE2))  // no UTF-8 sequence for them
            }
            // Decoded the way it was written, its header is the input's, its rows the input's rows.
            let decoded = BatchLoader.load([failuresPath], options: variant.options)
            #expect(decoded.problems == [])
            #expect(decoded.inputs.first?.encoding == variant.encoding)
            #expect(decoded.inputs.first?.delimiter == UInt8(ascii: variant.delimiter == "\t" ? "\t" : ";"))
            #expect(decoded.inputs.first?.header == rows[0] + ["error", "errorKind", "sourceLine"])
            #expect(decoded.rows > 0 && decoded.rows < rows.count - 1 + 1)
            let second = await runJob([failuresPath], simulator: simulator, out: "\(dir)/run2", preflight: false, maxAttempts: 30, load: variant.options)
            #expect(second.exitStatus == .success)
            let expected = rows.dropFirst().map { row in
                "\(row[0])/\(row[1])/\(row[2]): Optional(\(row[3])) \(Optional(row[4]) as String?) \(Optional(row[5]) as String?)"
            }
            #expect(Self.stored(simulator, keys) == expected)
        }
    }

    @Test func commandLineHintsAndReadsWindows1252() async throws {
        let dir = scratchDirectory()
        let rows = [["assessmentId", "supervisorAssessment"], ["901", "Gespräch „gut“ – 5 €"]]
        _ = FileManager.default.createFile(atPath: "\(dir)/excel_ansi.csv",
                                           contents: Data(TextEncoding.windows1252.encode(Self.csv(rows, delimiter: ";", lineEnding: "\r\n"))))
        let plain = await runTool(["validate", "excel_ansi.csv"], environment: [:], directory: dir)
        #expect(plain.status == 2)
        #expect(plain.stderr.contains("excel_ansi.csv:2: invalid UTF-8 in column \"supervisorAssessment\": bytes E4 63 68 20 …; the file looks like "
            + "Windows-1252 (Excel's \"CSV\" on Windows): save as \"CSV UTF-8\" or pass --encoding windows-1252"), "\(plain.stderr)")
        let read = await runTool(["validate", "--encoding", "windows-1252", "excel_ansi.csv"], environment: [:], directory: dir)
        #expect(read.status == 0, "\(read.stderr)")
        let wrong = await runTool(["validate", "--encoding", "latin1", "excel_ansi.csv"], environment: [:], directory: dir)
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("--encoding must be utf-8, windows-1252, iso-8859-15 or utf-16, not 'latin1'."))
        _ = FileManager.default.createFile(atPath: "\(dir)/empty.csv", contents: Data())
        let empty = await runTool(["validate", "empty.csv"], environment: [:], directory: dir)
        #expect(empty.stderr.contains("empty.csv:1: the file has no data rows (a header and at least one row are required)"), "\(empty.stderr)")
    }

    @Test func resumeReadsWithTheSameEncoding() async throws {
        try await withSimulator(assessments: 400, faults: FaultSettings(latencyMs: 60)) { simulator in
            let dir = scratchDirectory()
            let (rows, keys) = Self.sheet(simulator, count: 100)
            let variant = Self.variants[0]
            _ = FileManager.default.createFile(atPath: "\(dir)/\(variant.name)", contents: Data(variant.bytes(rows)))
            let killed = await runTool(
                ["apply", variant.name] + variant.flag + ["--base-url", simulator.baseURL, "--concurrency", "4", "--out", "run", "--no-preflight"],
                environment: ["ENNEO_TOKEN": simulator.token], directory: dir
            ) { pid in
                _ = simulator.waitForAnswers(30)
                kill(pid, SIGKILL)
            }
            #expect(killed.status == 9 || killed.status == 137)
            let resumed = await runTool(["apply", "--resume", "run"], environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(resumed.status == 0, "\(resumed.stderr)")
            let expected = rows.dropFirst().map { row in
                "\(row[0])/\(row[1])/\(row[2]): Optional(\(row[3])) \(Optional(row[4]) as String?) \(Optional(row[5]) as String?)"
            }
            #expect(Self.stored(simulator, keys) == expected)
            let report = try report(in: "\(dir)/run")
            #expect(report.int("counts", "applied") == 100)
            #expect(report["inputs"]?.arrayValue?.first?.objectValue?["encoding"]?.stringValue == "Windows-1252")
            #expect(report["options"]?.objectValue?["encoding"]?.stringValue == "windows-1252")
        }
    }

    /// LibreOffice, where installed, writes the sheet as Excel's plain "CSV" (Windows-1252, `;`)
    /// and as "Unicode Text" (UTF-16 with a BOM, tab): the tool reads both to the same texts.
    @Test func libreOfficeWrittenFilesAreRead() async throws {
        guard let soffice = ["/usr/bin/soffice", "/usr/bin/libreoffice", "/usr/local/bin/soffice"].first(where: FileManager.default.isExecutableFile) else {
            print("note: LibreOffice (soffice) is not installed; skipping the check with files LibreOffice writes")
            return
        }
        let dir = scratchDirectory()
        let texts = ["Gespräch „gut“ – 5 €, Straße", "zwei\nZeilen – Größe 😀"]
        let rows = [["assessmentId", "supervisorAssessment"], ["901", texts[0]], ["902", texts[1]]]
        write(Self.csv(rows, delimiter: ",", lineEnding: "\n"), to: "\(dir)/source.csv")
        func convert(_ target: String, into out: String) async -> Int32 {
            await runBlocking {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: soffice)
                process.arguments = ["--headless", "-env:UserInstallation=file://\(dir)/lo-profile", "--infilter=CSV:44,34,76,1",
                                     "--convert-to", target, "--outdir", "\(dir)/\(out)", "\(dir)/source.csv"]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                do { try process.run() } catch { return -1 }
                process.waitUntilExit()
                return process.terminationStatus
            }
        }
        // Windows-1252 with `;` (the first character of "😀" has no Windows-1252 form: LibreOffice writes "?").
        try #require(await convert("csv:Text - txt - csv (StarCalc):59,34,1,1", into: "ansi") == 0)
        let ansi = "\(dir)/ansi/source.csv"
        let plain = BatchLoader.load([ansi])
        #expect(plain.problems.first?.hasSuffix("; the file \(windows1252Hint)") == true, "\(plain.problems)")
        let read = BatchLoader.load([ansi], options: LoadOptions(encoding: .windows1252))
        #expect(read.problems == [])
        #expect(read.updates.map(\.fields.supervisorAssessment) == [texts[0], "zwei\nZeilen – Größe ?"])
        // UTF-16 with a BOM, tab-separated, as .txt.
        try #require(await convert("txt:Text - txt - csv (StarCalc):9,34,65535,1", into: "unicode") == 0)
        let unicode = BatchLoader.load(["\(dir)/unicode/source.txt"])
        #expect(unicode.problems == [])
        #expect(unicode.inputs.first?.encoding == .utf16(bigEndian: false))
        #expect(unicode.updates.map(\.fields.supervisorAssessment) == texts)
    }

    private let windows1252Hint = "looks like Windows-1252 (Excel's \"CSV\" on Windows): save as \"CSV UTF-8\" or pass --encoding windows-1252"
}

extension LoadedBatch {
    /// Diagnostics as `line: message`.
    fileprivate var problems: [String] { diagnostics.map { "\($0.line): \($0.message)" } }
}
