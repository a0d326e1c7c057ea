import Foundation
import SharedSupport
import Testing
@testable import AssessmentBatchCore

/// Files that are not what they claim to be: each gets a clear line-numbered error, never a
/// crash, a hang or unbounded memory.
struct HostileInputTests {
    private func problems(_ bytes: [UInt8], name: String) -> [String] {
        let batch = BatchLoader.load([writeInput(bytes, name: name)])
        #expect(!batch.isValid)
        return batch.problems
    }

    @Test func invalidUTF8() {
        let bytes = Array("assessmentId,supervisorAssessment\n1,ok\n2,".utf8) + [0xC3, 0x28] + Array("\n".utf8)
        #expect(problems(bytes, name: "x.csv") == ["3: invalid UTF-8 in column \"supervisorAssessment\": bytes C3 28; the file \(TextInput.windows1252Hint)"])
        let json = Array("{\"assessmentId\": 1, \"supervisorAssessment\": \"".utf8) + [0xFF] + Array("\"}\n".utf8)
        #expect(problems(json, name: "x.jsonl").first?.hasPrefix("1: invalid JSON: ") == true)
    }

    @Test func nulByte() {
        let bytes = Array("assessmentId,reason\n1,a".utf8) + [0] + Array("b\n".utf8)
        #expect(problems(bytes, name: "x.csv") == ["2: NUL byte in column \"reason\""])
    }

    @Test func tenMegabyteField() {
        let bytes = Array("assessmentId,reason\n1,\"".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 10 << 20) + Array("\"\n".utf8)
        let found = problems(bytes, name: "x.csv")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("2: ") == true)
        #expect(found.first?.contains("longer than") == true || found.first?.contains("exceeds") == true || found.first?.contains("too long") == true)
    }

    @Test func tenThousandColumns() {
        let header = (0..<10_000).map { "c\($0)" }.joined(separator: ",")
        let found = problems(Array((header + "\n1\n").utf8), name: "x.csv")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("1: ") == true)
    }

    @Test func unterminatedQuoteAtTheEndOfALargeFile() {
        var text = "assessmentId,categoryId,criterionId,score,reason\n"
        for i in 1...50_000 { text += "\(i),1,1,1,fine\n" }
        text += "50001,1,1,1,\"never closed\n"
        let found = problems(Array(text.utf8), name: "x.csv")
        #expect(found == ["50002: unterminated quoted field (opened on line 50002)"])
    }

    @Test func jsonNestedVeryDeep() {
        let bytes = Array("{\"assessmentId\": 1, \"aiSummary\": ".utf8) + [UInt8](repeating: UInt8(ascii: "["), count: 100_000) + Array("\n".utf8)
        let found = problems(bytes, name: "x.jsonl")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("1: invalid JSON: ") == true)
    }

    @Test func numbersBeyond64Bits() {
        let found = problems(Array("{\"assessmentId\": 1, \"categoryId\": 1, \"criterionId\": 2, \"score\": 184467440737095516160}\n".utf8), name: "x.jsonl")
        #expect(found == ["1: score must be a whole number ≥ 0, got 184467440737095516160… (too large)"])
        let csv = problems(Array("assessmentId,state\n184467440737095516160,reviewedBySupervisor\n".utf8), name: "x.csv")
        #expect(csv == ["2: assessmentId must be a positive integer, got \"184467440737095516160\""])
    }

    @Test func binaryGarbage() {
        var generator = SplitMix64(seed: 0x5EED_0019)
        let bytes = (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(!problems(bytes, name: "x.csv").isEmpty)
        #expect(!problems(bytes, name: "x.jsonl").isEmpty)
    }
}
