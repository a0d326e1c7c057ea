@testable import AssessmentBatchCore
import Testing

/// The word diff the review page marks changed words with.
@Suite struct WordDiffTests {
    private func render(_ pieces: [WordDiff.Piece]) -> String {
        pieces.map { $0.changed ? "[\($0.text)]" : String($0.text) }.joined()
    }

    @Test func marksTheChangedWordOnEachSide() {
        let diff = WordDiff(old: "greeted the customer politely.\nGood closing.", new: "greeted the customer warmly.\nGood closing.")
        #expect(render(diff.old) == "greeted the customer [politely.]\nGood closing.")
        #expect(render(diff.new) == "greeted the customer [warmly.]\nGood closing.")
    }

    @Test func aChangedPhraseIsOneMark() {
        let diff = WordDiff(old: "name was not said", new: "name was said twice over")
        #expect(render(diff.old) == "name was [not ]said")
        #expect(render(diff.new) == "name was said[ twice over]")
    }

    @Test func joinedPiecesGiveBackTheTexts() {
        let old = "  Leading and trailing  \n\n spaces kept  "
        let new = "Leading, trailing\n spaces kept"
        let diff = WordDiff(old: old, new: new)
        #expect(diff.old.map { String($0.text) }.joined() == old)
        #expect(diff.new.map { String($0.text) }.joined() == new)
    }

    @Test func anEmptySideIsAllChanged() {
        let diff = WordDiff(old: "", new: "new text")
        #expect(diff.old.isEmpty)
        #expect(render(diff.new) == "[new text]")
    }

    @Test func textsOverTheLimitAreMarkedWhole() {
        let long = Array(repeating: "word", count: WordDiff.wordLimit).joined(separator: " ")
        let diff = WordDiff(old: long, new: long + " more")
        #expect(diff.old == [WordDiff.Piece(text: long[...], changed: true)])
        #expect(diff.new.count == 1)
    }
}
