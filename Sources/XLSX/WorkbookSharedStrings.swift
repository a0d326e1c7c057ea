/// `xl/sharedStrings.xml`: every shared string's text in one byte array, rich-text runs joined,
/// phonetic runs (`<rPh>`) left out and `_xHHHH_` escapes decoded. Held whole while the sheet is
/// read (cells name strings by index, in any order).
struct WorkbookSharedStrings {
    private(set) var bytes: [UInt8] = []
    /// End offset in `bytes` of each string; a string starts where the previous one ends.
    private(set) var ends: [Int] = []

    var count: Int { ends.count }

    /// The byte range of string `index`; nil when there is no such string.
    func range(_ index: Int) -> Range<Int>? {
        guard index >= 0 && index < ends.count else { return nil }
        return (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }

    static func read(_ part: String, from zip: ZipPartReader, limits: WorkbookLimits) throws(WorkbookReadError) -> WorkbookSharedStrings {
        let handler = Handler()
        var scanner = WorkbookXMLScanner(part: part)
        try zip.stream(part, maxBytes: limits.maxHeldPartBytes) { chunk throws(WorkbookReadError) in
            try scanner.consume(chunk, handler: handler)
            return true
        }
        try scanner.finish(handler: handler)
        return handler.strings
    }

    private final class Handler: WorkbookXMLHandler {
        var strings = WorkbookSharedStrings()
        var inItem = false
        var phoneticDepth = 0
        var inText = false
        /// One `<t>`'s raw text, escapes decoded when it ends (a text may arrive in pieces).
        var pending: [UInt8] = []
        var wantsText: Bool { inText }

        func startElement(_ name: UnsafeBufferPointer<UInt8>, _ attributes: WorkbookXMLAttributes, selfClosing: Bool) throws(WorkbookReadError) {
            if name.isName("si") {
                inItem = true
            } else if name.isName("rPh") {
                phoneticDepth += 1
            } else if name.isName("t") && inItem && phoneticDepth == 0 {
                inText = true
                pending.removeAll(keepingCapacity: true)
            }
        }

        func endElement(_ name: UnsafeBufferPointer<UInt8>) throws(WorkbookReadError) {
            if name.isName("t") && inText {
                inText = false
                pending.withUnsafeBufferPointer { WorkbookStringEscape.decode($0, into: &strings.bytes) }
            } else if name.isName("rPh") {
                phoneticDepth = max(0, phoneticDepth - 1)
            } else if name.isName("si") {
                inItem = false
                strings.ends.append(strings.bytes.count)
            }
        }

        func text(_ bytes: UnsafeBufferPointer<UInt8>) throws(WorkbookReadError) {
            pending.append(contentsOf: bytes)
        }
    }
}
