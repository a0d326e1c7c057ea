import Testing

@testable import AssessmentBatchCore

/// Writing text back in an input's encoding.
struct TextEncodingTests {
    @Test func encodesEachEncoding() {
        #expect(TextEncoding.windows1252.encode("ä€„“–ß") == [0xE4, 0x80, 0x84, 0x93, 0x96, 0xDF])
        #expect(TextEncoding.iso885915.encode("ä€Ÿ") == [0xE4, 0xA4, 0xBE])
        #expect(TextEncoding.utf16(bigEndian: false).encode("a€😀") == [0x61, 0x00, 0xAC, 0x20, 0x3D, 0xD8, 0x00, 0xDE])
        #expect(TextEncoding.utf16(bigEndian: true).encode("a€") == [0x00, 0x61, 0x20, 0xAC])
    }

    @Test func transliteratesOnlyWhatTheEncodingLacks() {
        let message = "score must be ≥ 0 → „bitte prüfen“ … – ✓ 😀"
        #expect(TextEncoding.windows1252.transliterated(message) == "score must be >= 0 -> „bitte prüfen“ … – ok ?")
        #expect(TextEncoding.iso885915.transliterated(message) == "score must be >= 0 -> \"bitte prüfen\" ... - ok ?")
        #expect(TextEncoding.utf16(bigEndian: false).transliterated(message) == message)
        #expect(TextEncoding.utf8.transliterated(message) == message)
    }
}
