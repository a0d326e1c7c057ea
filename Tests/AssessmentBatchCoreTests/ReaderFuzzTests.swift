import Foundation
import SharedSupport
import Testing

@testable import AssessmentBatchCore

/// The core's seeded generator, so every fuzz run sees the same inputs.
private typealias SeededGenerator = SplitMix64

extension Array {
    /// A random element of a non-empty array.
    fileprivate func pick(using rng: inout SeededGenerator) -> Element {
        self[Int.random(in: indices, using: &rng)]
    }
}

/// Random chunk boundaries over `count` bytes, favouring tiny chunks.
private func randomChunks(_ count: Int, using rng: inout SeededGenerator) -> [Range<Int>] {
    var chunks: [Range<Int>] = []
    var start = 0
    while start < count {
        let size = Bool.random(using: &rng) ? Int.random(in: 1...4, using: &rng) : Int.random(in: 1...max(1, count), using: &rng)
        chunks.append(start..<min(count, start + size))
        start += size
    }
    return chunks
}

/// Counts physical lines the way the readers do: CR, LF and CRLF each end one line.
private func lineNumbers(of bytes: [UInt8]) -> [Int] {
    var numbers: [Int] = []
    numbers.reserveCapacity(bytes.count + 1)
    var line = 1
    for index in bytes.indices {
        numbers.append(line)
        if bytes[index] == 0x0D || (bytes[index] == 0x0A && (index == 0 || bytes[index - 1] != 0x0D)) {
            line += 1
        }
    }
    numbers.append(line)
    return numbers
}

/// A deliberately simple whole-input CSV parser to compare the streaming one against
/// (no limits, NUL or UTF-8 checks: feed it inputs without those problems).
private func referenceCSV(_ bytes: [UInt8], delimiter: UInt8) -> ReaderTestSupport.CSVOutcome {
    let quote = UInt8(ascii: "\""), cr: UInt8 = 0x0D, lf: UInt8 = 0x0A
    var records: [ReaderTestSupport.ParsedRecord] = []
    var i = 0
    var line = 1
    func endLine() {
        line += 1
        if bytes[i] == cr && i + 1 < bytes.count && bytes[i + 1] == lf { i += 1 }
        i += 1
    }
    while i < bytes.count {
        if bytes[i] == cr || bytes[i] == lf {
            endLine()
            continue
        }
        let recordLine = line
        var fields: [String] = []
        fields: while true {
            var field: [UInt8] = []
            if i < bytes.count && bytes[i] == quote {
                let openLine = line
                i += 1
                while true {
                    guard i < bytes.count else {
                        return ReaderTestSupport.CSVOutcome(
                            records: records,
                            error: InputSyntaxError(line: openLine, message: "unterminated quoted field (opened on line \(openLine))")
                        )
                    }
                    let byte = bytes[i]
                    if byte == quote {
                        if i + 1 < bytes.count && bytes[i + 1] == quote {
                            field.append(quote)
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    if byte == cr || (byte == lf && (field.last != cr)) { line += 1 }
                    field.append(byte)
                    i += 1
                }
                if i < bytes.count && bytes[i] != delimiter && bytes[i] != cr && bytes[i] != lf {
                    return ReaderTestSupport.CSVOutcome(
                        records: records,
                        error: InputSyntaxError(
                            line: line,
                            message: "unexpected character after closing quote in field \(fields.count + 1)",
                            field: fields.count
                        )
                    )
                }
            } else {
                while i < bytes.count && bytes[i] != delimiter && bytes[i] != cr && bytes[i] != lf {
                    field.append(bytes[i])
                    i += 1
                }
            }
            fields.append(String(decoding: field, as: UTF8.self))
            if i == bytes.count { break fields }
            if bytes[i] == delimiter {
                i += 1
                continue fields
            }
            endLine()
            break fields
        }
        records.append(ReaderTestSupport.ParsedRecord(recordLine, fields))
    }
    return ReaderTestSupport.CSVOutcome(records: records, error: nil)
}

struct ReaderFuzzTests {
    static let seeds: [UInt64] = [1, 42, 2024]
    static let delimiters: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")]
    static let lineEnds: [[UInt8]] = [[0x0A], [0x0D, 0x0A], [0x0D]]
    static let fieldPieces = ["a", "b", "Zz", "1", " ", "é", "😀", ",", ";", "\t", "\"", "\r", "\n", "\r\n", "x y", "\"\""]

    /// Random records written RFC 4180 style come back identical at random chunk sizes.
    @Test(arguments: seeds)
    func csvRoundTrip(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        for iteration in 0..<500 {
            let delimiter = Self.delimiters.pick(using: &rng)
            var out: [UInt8] = []
            var recordStarts: [Int] = []
            var expectedFields: [[String]] = []
            let recordCount = Int.random(in: 0...6, using: &rng)
            for index in 0..<recordCount {
                while Int.random(in: 0..<4, using: &rng) == 0 {
                    out += Self.lineEnds.pick(using: &rng)
                }
                let fields = (0..<Int.random(in: 1...5, using: &rng)).map { _ in
                    (0..<Int.random(in: 0...4, using: &rng)).map { _ in Self.fieldPieces.pick(using: &rng) }
                        .joined()
                }
                recordStarts.append(out.count)
                expectedFields.append(fields)
                for (position, field) in fields.enumerated() {
                    if position > 0 { out.append(delimiter) }
                    let bytes = Array(field.utf8)
                    let special: Set<UInt8> = [delimiter, 0x22, 0x0D, 0x0A]
                    let mustQuote = bytes.contains(where: special.contains) || (fields.count == 1 && bytes.isEmpty)
                    if mustQuote || Int.random(in: 0..<4, using: &rng) == 0 {
                        out.append(0x22)
                        for byte in bytes {
                            out.append(byte)
                            if byte == 0x22 { out.append(0x22) }
                        }
                        out.append(0x22)
                    } else {
                        out += bytes
                    }
                }
                if index < recordCount - 1 || Bool.random(using: &rng) {
                    out += Self.lineEnds.pick(using: &rng)
                }
            }
            let lines = lineNumbers(of: out)
            let expected = ReaderTestSupport.CSVOutcome(
                records: zip(recordStarts, expectedFields).map { ReaderTestSupport.ParsedRecord(lines[$0.0], $0.1) },
                error: nil
            )
            let whole = ReaderTestSupport.parseCSV(out, delimiter: delimiter, chunks: [0..<out.count])
            let chunked = ReaderTestSupport.parseCSV(out, delimiter: delimiter, chunks: randomChunks(out.count, using: &rng))
            #expect(whole == expected, "seed \(seed) iteration \(iteration): \(out)")
            #expect(chunked == expected, "seed \(seed) iteration \(iteration): \(out)")
            #expect(referenceCSV(out, delimiter: delimiter) == expected, "seed \(seed) iteration \(iteration)")
            if whole != expected || chunked != expected { return }
        }
    }

    /// Random text from CSV's special characters parses like the reference parser, in any chunking.
    @Test(arguments: seeds)
    func csvMatchesReference(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let alphabet = Array("ab,;\"\"\r\n \t".utf8) + [0xC3, 0xA9]
        for iteration in 0..<500 {
            var input: [UInt8] = []
            for _ in 0..<Int.random(in: 0...40, using: &rng) {
                let byte = alphabet.pick(using: &rng)
                input.append(byte)
                if byte == 0xC3 { input.append(0xA9) }
                if byte == 0xA9 { input[input.count - 1] = 0x61 }
            }
            let delimiter = Bool.random(using: &rng) ? UInt8(ascii: ",") : UInt8(ascii: ";")
            let expected = referenceCSV(input, delimiter: delimiter)
            let chunked = ReaderTestSupport.parseCSV(input, delimiter: delimiter, chunks: randomChunks(input.count, using: &rng))
            #expect(chunked == expected, "seed \(seed) iteration \(iteration): \(String(decoding: input, as: UTF8.self).debugDescription)")
            if chunked != expected { return }
        }
    }

    /// Hostile bytes either parse or throw `InputSyntaxError`, with the same result in any chunking.
    @Test(arguments: seeds)
    func csvRandomBytes(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let alphabet: [UInt8] = Array("a,;\t\"\r\n ".utf8) + [0, 0xC3, 0xA9, 0xFF, 0xEF, 0xBB, 0xBF, 0xED, 0xA0, 0xF4, 0x90]
        for iteration in 0..<500 {
            let input = (0..<Int.random(in: 0...48, using: &rng)).map { _ in alphabet.pick(using: &rng) }
            let limits =
                Bool.random(using: &rng)
                ? InputLimits(maxFieldBytes: Int.random(in: 0...6, using: &rng), maxColumns: Int.random(in: 1...4, using: &rng), maxRecordBytes: Int.random(in: 0...12, using: &rng))
                : InputLimits()
            let delimiter = Self.delimiters.pick(using: &rng)
            let whole = ReaderTestSupport.parseCSV(input, delimiter: delimiter, limits: limits, chunks: [0..<input.count])
            let chunked = ReaderTestSupport.parseCSV(input, delimiter: delimiter, limits: limits, chunks: randomChunks(input.count, using: &rng))
            #expect(whole == chunked, "seed \(seed) iteration \(iteration): \(input) \(limits)")
            if whole != chunked { return }
        }
    }

    /// Random lines split the same way in any chunking, and every line either parses as JSON or
    /// throws `JSONSyntaxError`.
    @Test(arguments: seeds)
    func linesAndJSONFromRandomBytes(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let alphabet: [UInt8] = Array("{}[]\":,\\/ \r\n\tatrufelsn0123-+.eE'u".utf8) + [0, 0x1F, 0xC3, 0xA9, 0xFF, 0xEF, 0xBB, 0xBF]
        for iteration in 0..<500 {
            let input = (0..<Int.random(in: 0...64, using: &rng)).map { _ in alphabet.pick(using: &rng) }
            let limits = InputLimits(maxLineBytes: Int.random(in: 0...40, using: &rng))
            let whole = ReaderTestSupport.splitLines(input, limits: limits, chunks: [0..<input.count])
            let chunked = ReaderTestSupport.splitLines(input, limits: limits, chunks: randomChunks(input.count, using: &rng))
            #expect(whole == chunked, "seed \(seed) iteration \(iteration): \(input)")
            for line in whole.lines {
                ReaderTestSupport.expectScanMatchesParse(Array(line.text.utf8), maxDepth: 4, maxStringBytes: 8, "seed \(seed) iteration \(iteration)")
            }
            // Random bytes: whatever the parser accepts, a lenient reference parser accepts too
            // and our writer round-trips; whatever it refuses, it places inside the text.
            switch ReaderTestSupport.parseJSON(input, maxDepth: 3) {
            case .success(let value):
                #expect((try? JSONSerialization.jsonObject(with: Data(input), options: [.fragmentsAllowed])) != nil,
                        "seed \(seed) iteration \(iteration): accepted what Foundation refuses: \(input)")
                var written: [UInt8] = []
                JSONWriter.write(value, into: &written)
                #expect(ReaderTestSupport.parseJSON(written, maxDepth: 3) == .success(value), "seed \(seed) iteration \(iteration)")
            case .failure(let error):
                #expect((1...input.count + 1).contains(error.column), "seed \(seed) iteration \(iteration): column \(error.column) of \(input.count) bytes")
            }
        }
    }

    /// Random JSON values survive writing (compact and pretty) and parsing back; mutated texts
    /// either parse (and then round-trip) or throw `JSONSyntaxError`.
    @Test(arguments: seeds)
    func jsonRoundTripAndMutations(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        for iteration in 0..<500 {
            let value = randomJSON(depth: 0, using: &rng)
            let pretty = Bool.random(using: &rng)
            var text: [UInt8] = []
            JSONWriter.write(value, pretty: pretty, into: &text)
            #expect(ReaderTestSupport.parseJSON(text) == .success(value), "seed \(seed) iteration \(iteration): \(String(decoding: text, as: UTF8.self))")
            ReaderTestSupport.expectScanMatchesParse(text, "seed \(seed) iteration \(iteration)")

            var mutated = text
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let position = Int.random(in: 0...mutated.count, using: &rng)
                let byte = Array("{}[]\",:\\ 0-.eu'x".utf8).pick(using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0 where position < mutated.count: mutated.remove(at: position)
                case 1 where position < mutated.count: mutated[position] = byte
                default: mutated.insert(byte, at: position)
                }
            }
            ReaderTestSupport.expectScanMatchesParse(mutated, maxDepth: 3, maxStringBytes: 12, "seed \(seed) iteration \(iteration) mutated")
            if case .success(let reparsed) = ReaderTestSupport.parseJSON(mutated) {
                #expect(ReaderTestSupport.parseJSON(Array(JSONWriter.string(reparsed).utf8)) == .success(reparsed))
            }
        }
    }

    /// The validator agrees with the standard library on random near-UTF-8 byte strings.
    @Test(arguments: seeds)
    func utf8ValidationMatchesStandardLibrary(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let alphabet: [UInt8] = [0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF]
        for iteration in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0...20, using: &rng)).map { _ in alphabet.pick(using: &rng) }
            let expected = Array(String(decoding: bytes, as: UTF8.self).utf8) == bytes
            let actual = bytes.withUnsafeBytes { UTF8Validation.isValid($0) }
            #expect(actual == expected, "seed \(seed) iteration \(iteration): \(bytes)")
        }
        // Every 1- to 4-byte sequence starting with a lead byte, plus long ASCII runs around them.
        for lead in UInt8(0x80)...0xFF {
            for second in [0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0] as [UInt8] {
                for padding in [0, 9] {
                    let bytes = [UInt8](repeating: 0x61, count: padding) + [lead, second, 0x80, 0x80] + [UInt8](repeating: 0x62, count: padding)
                    for length in 1...4 {
                        let slice = Array(bytes[..<(padding + length)])
                        let expected = Array(String(decoding: slice, as: UTF8.self).utf8) == slice
                        #expect(slice.withUnsafeBytes { UTF8Validation.isValid($0) } == expected, "\(slice)")
                    }
                }
            }
        }
    }

    private func randomJSON(depth: Int, using rng: inout SeededGenerator) -> JSONValue {
        let scalarKinds = 4
        let kind = Int.random(in: 0..<(depth >= 4 ? scalarKinds : scalarKinds + 2), using: &rng)
        switch kind {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2:
            let numbers = ["0", "-0", "7", "-12", "3.25", "1e9", "-2.5E-3", "123456789012345678901234567890", "0.000001"]
            return .number(numbers.pick(using: &rng))
        case 3: return .string(randomString(using: &rng))
        case 4:
            return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomJSON(depth: depth + 1, using: &rng) })
        default:
            var object = JSONObject()
            var keys = Set<String>()
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                let key = randomString(using: &rng)
                if keys.insert(key).inserted {
                    object.append(key, randomJSON(depth: depth + 1, using: &rng))
                }
            }
            return .object(object)
        }
    }

    private func randomString(using rng: inout SeededGenerator) -> String {
        let pieces = ["a", "score", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "€", "😀", "\u{10FFFF}"]
        return (0..<Int.random(in: 0...5, using: &rng)).map { _ in pieces.pick(using: &rng) }.joined()
    }
}
