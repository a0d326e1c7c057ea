import Testing

@testable import AssessmentBatchCore

extension ReaderTestSupport {
    /// A line copied out of its callback.
    struct SplitLine: Equatable, CustomStringConvertible {
        var number: Int
        var text: String

        init(_ number: Int, _ text: String) {
            self.number = number
            self.text = text
        }

        var description: String { "\(number): \(text.debugDescription)" }
    }

    struct SplitOutcome: Equatable {
        var lines: [SplitLine]
        var error: InputSyntaxError?
    }

    static func splitLines(_ input: [UInt8], limits: InputLimits = InputLimits(), chunks: [Range<Int>]) -> SplitOutcome {
        var lines: [SplitLine] = []
        var splitter = LineSplitter(limits: limits)
        let collect: (UnsafeRawBufferPointer, Int) -> Void = { bytes, number in
            lines.append(SplitLine(number, String(decoding: bytes, as: UTF8.self)))
        }
        do {
            try feedChunks(input, chunks) { chunk in try splitter.consume(chunk, onLine: collect) }
            try splitter.finish(onLine: collect)
            return SplitOutcome(lines: lines, error: nil)
        } catch let error as InputSyntaxError {
            return SplitOutcome(lines: lines, error: error)
        } catch {
            Issue.record("unexpected error type: \(error)")
            return SplitOutcome(lines: lines, error: nil)
        }
    }

    static func splitLines(_ text: String, limits: InputLimits = InputLimits(), chunkSize: Int) -> SplitOutcome {
        let bytes = Array(text.utf8)
        return splitLines(bytes, limits: limits, chunks: fixedChunks(bytes.count, size: chunkSize))
    }
}

struct LineSplitterTests {
    @Test(arguments: ReaderTestSupport.chunkSizes)
    func stitchesAcrossChunks(_ chunkSize: Int) {
        let text = "{\"a\":1}\r\n\n  \t\n{\"b\":\"two words\"}\n\r\n{\"c\":3}"
        #expect(
            ReaderTestSupport.splitLines(text, chunkSize: chunkSize)
                == ReaderTestSupport.SplitOutcome(
                    lines: [.init(1, "{\"a\":1}"), .init(4, "{\"b\":\"two words\"}"), .init(6, "{\"c\":3}")],
                    error: nil
                )
        )
    }

    @Test(arguments: ReaderTestSupport.chunkSizes)
    func dropsTrailingCR(_ chunkSize: Int) {
        let text = "{}\r\n[1]\r\r\n \u{FEFF}x\n"
        #expect(
            ReaderTestSupport.splitLines(text, chunkSize: chunkSize)
                == ReaderTestSupport.SplitOutcome(lines: [.init(1, "{}"), .init(2, "[1]\r"), .init(3, " \u{FEFF}x")], error: nil)
        )
    }

    @Test(arguments: ReaderTestSupport.chunkSizes)
    func blankAndWhitespaceOnlyLinesAreSkipped(_ chunkSize: Int) {
        #expect(ReaderTestSupport.splitLines("\n\r\n \n\t\r\n", chunkSize: chunkSize) == ReaderTestSupport.SplitOutcome(lines: [], error: nil))
        #expect(ReaderTestSupport.splitLines("", chunkSize: chunkSize) == ReaderTestSupport.SplitOutcome(lines: [], error: nil))
    }

    @Test(arguments: ReaderTestSupport.chunkSizes)
    func lastLineWithoutNewline(_ chunkSize: Int) {
        #expect(
            ReaderTestSupport.splitLines("a\nb", chunkSize: chunkSize) == ReaderTestSupport.SplitOutcome(lines: [.init(1, "a"), .init(2, "b")], error: nil)
        )
    }

    @Test(arguments: ReaderTestSupport.chunkSizes)
    func longLineFails(_ chunkSize: Int) {
        let limits = InputLimits(maxLineBytes: 10)
        let text = "0123456789\n0123456789a\nnever"
        #expect(
            ReaderTestSupport.splitLines(text, limits: limits, chunkSize: chunkSize)
                == ReaderTestSupport.SplitOutcome(
                    lines: [.init(1, "0123456789")],
                    error: InputSyntaxError(line: 2, message: "line longer than 10 bytes")
                )
        )
        #expect(
            ReaderTestSupport.splitLines("ok\n0123456789ab", limits: limits, chunkSize: chunkSize)
                == ReaderTestSupport.SplitOutcome(
                    lines: [.init(1, "ok")],
                    error: InputSyntaxError(line: 2, message: "line longer than 10 bytes")
                )
        )
    }

    /// A file without line ends fails after about `maxLineBytes` of buffering.
    @Test func runawayLineFailsEarly() {
        var splitter = LineSplitter()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10)
        var fed = 0
        var failure: (any Error)?
        do {
            while fed < 1 << 30 {
                try chunk.withUnsafeBytes { try splitter.consume($0) { _, _ in } }
                fed += chunk.count
            }
        } catch {
            failure = error
        }
        #expect(failure as? InputSyntaxError == InputSyntaxError(line: 1, message: "line longer than 8388608 bytes"))
        #expect(fed <= 8 << 20)
    }

    @Test func finishResetsForAnotherInput() throws {
        var splitter = LineSplitter()
        var lines: [ReaderTestSupport.SplitLine] = []
        for text in ["a\nb", "c\n"] {
            try Array(text.utf8).withUnsafeBytes { bytes in
                try splitter.consume(bytes) { lines.append(ReaderTestSupport.SplitLine($1, String(decoding: $0, as: UTF8.self))) }
            }
            try splitter.finish { lines.append(ReaderTestSupport.SplitLine($1, String(decoding: $0, as: UTF8.self))) }
        }
        #expect(lines == [.init(1, "a"), .init(2, "b"), .init(1, "c")])
    }
}
