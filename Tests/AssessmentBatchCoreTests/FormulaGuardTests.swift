import Testing
@testable import AssessmentBatchCore

/// The formula rule: texts a spreadsheet would run get one apostrophe, and read back exactly.
@Suite struct FormulaGuardTests {
    static let triggers = ["=", "+", "-", "@", "\t", "\r"]

    @Test(arguments: triggers)
    func aTextStartingWithATriggerGetsOneApostrophe(trigger: String) {
        let text = trigger + "SUM(A1)"
        #expect(FormulaGuard.escaped(text) == "'" + text)
        #expect(FormulaGuard.unescaped(FormulaGuard.escaped(text)) == text)
    }

    @Test(arguments: triggers)
    func apostrophesBeforeATriggerGetOneMore(trigger: String) {
        for count in 1...3 {
            let text = String(repeating: "'", count: count) + trigger + "x"
            #expect(FormulaGuard.escaped(text) == "'" + text)
            #expect(FormulaGuard.unescaped(FormulaGuard.escaped(text)) == text)
        }
    }

    @Test func otherTextsAreWrittenAndReadAsTheyAre() {
        for text in ["", "'", "''", "'x", "'' ok", "Gut begrüßt", " =not first", "x=1", "-", "'-"] where !text.hasPrefix("-") && text != "'-" {
            #expect(FormulaGuard.escaped(text) == text)
            #expect(FormulaGuard.unescaped(text) == text)
        }
        #expect(FormulaGuard.escaped("-") == "'-")
        #expect(FormulaGuard.escaped("'-") == "''-")
    }

    @Test func readingIsTheInverseOfWritingOnEveryTextItWrites() {
        let pieces = ["", "'", "=", "+", "-", "@", "\t", "\r", "a", " "]
        for a in pieces { for b in pieces { for c in pieces {
            let text = a + b + c
            #expect(FormulaGuard.unescaped(FormulaGuard.escaped(text)) == text, "\(Array(text.utf8))")
            // Nothing written starts with a trigger.
            if let first = FormulaGuard.escaped(text).utf8.first { #expect(!FormulaGuard.isTrigger(first)) }
        } } }
    }

    @Test func bytesAreUnescapedLikeStrings() {
        for text in ["'=x", "''+y", "'x", "=z", "'"] {
            var copy = text
            let bytes = copy.withUTF8 { Array(FormulaGuard.unescaped($0)) }
            #expect(String(decoding: bytes, as: UTF8.self) == FormulaGuard.unescaped(text))
        }
    }
}
