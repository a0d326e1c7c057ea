/// The words that differ between a live text and its new text, so a reviewer sees at a glance
/// what a long reason or summary changes. Built on the standard library's
/// `CollectionDifference` (a Myers diff) over words and the spaces between them.
struct WordDiff {
    /// A run of text and whether it differs from the other side.
    struct Piece: Equatable {
        var text: Substring
        var changed: Bool
    }

    /// The old text in pieces (changed = removed) and the new text in pieces (changed = inserted).
    var old: [Piece]
    var new: [Piece]

    /// Texts longer than this many words on either side are shown without highlighting: the
    /// diff's cost grows with the product of the lengths.
    static let wordLimit = 3_000

    init(old: String, new: String) {
        let oldTokens = Self.tokens(old)
        let newTokens = Self.tokens(new)
        guard oldTokens.count <= Self.wordLimit, newTokens.count <= Self.wordLimit, !oldTokens.isEmpty, !newTokens.isEmpty else {
            self.old = oldTokens.isEmpty ? [] : [Piece(text: old[...], changed: !newTokens.isEmpty || oldTokens.count > Self.wordLimit)]
            self.new = newTokens.isEmpty ? [] : [Piece(text: new[...], changed: true)]
            return
        }
        var removed = Set<Int>()
        var inserted = Set<Int>()
        for change in newTokens.difference(from: oldTokens) {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        self.old = Self.pieces(oldTokens, marked: removed)
        self.new = Self.pieces(newTokens, marked: inserted)
    }

    /// Words and the whitespace between them, in order; joined they give back the text.
    static func tokens(_ text: String) -> [Substring] {
        var tokens: [Substring] = []
        var start = text.startIndex
        var inSpace: Bool?
        for index in text.indices {
            let space = text[index].isWhitespace
            if let current = inSpace, current != space {
                tokens.append(text[start..<index])
                start = index
            }
            inSpace = space
        }
        if start < text.endIndex { tokens.append(text[start...]) }
        return tokens
    }

    /// Consecutive tokens with the same mark joined into one piece; a space between two changed
    /// words counts as changed, so a changed phrase is one highlight.
    private static func pieces(_ tokens: [Substring], marked: Set<Int>) -> [Piece] {
        var pieces: [Piece] = []
        for (offset, token) in tokens.enumerated() {
            var changed = marked.contains(offset)
            if !changed, token.first?.isWhitespace == true, marked.contains(offset - 1), marked.contains(offset + 1) { changed = true }
            if let last = pieces.last, last.changed == changed, last.text.endIndex == token.startIndex {
                pieces[pieces.count - 1].text = last.text.base[last.text.startIndex..<token.endIndex]
            } else {
                pieces.append(Piece(text: token, changed: changed))
            }
        }
        return pieces
    }
}
