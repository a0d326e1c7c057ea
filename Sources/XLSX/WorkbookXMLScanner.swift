#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small pull scanner over the bytes of an XML part, fed in chunks as the part inflates.
///
/// Hand-written rather than Foundation's `XMLParser`: `XMLParser(data:)` fails on documents
/// above 10 MB on Linux (swift-corelibs-foundation #4851), and `XMLParser(stream:)`, which
/// works, took several times the CPU of this scanner on the same 100,000-row sheet, collecting
/// the same cells (measured once; the numbers are in docs/benchmarks.md), since it makes a
/// `String` of every name, attribute and text. A sheet's XML is regular: elements, attributes, text, the five
/// predefined entities and numeric references. Anything with a DTD is refused outright (no
/// entity is ever defined, expanded or fetched); comments and processing instructions are
/// skipped. Only the bytes of one unfinished token are kept between chunks, so memory stays flat
/// whatever the part's size.
struct WorkbookXMLScanner {
    /// The part's name, for messages.
    let part: String
    /// The longest single token (a tag, or a run of text) accepted.
    let maxTokenBytes: Int
    private var buffer: [UInt8] = []
    /// Decoded text when it needed entity decoding or line-end normalisation.
    private var scratch: [UInt8] = []
    private var sawRoot = false
    /// The most bytes held between chunks, for the tests that check memory stays flat.
    private(set) var largestHeldBytes = 0

    init(part: String, maxTokenBytes: Int = 32 << 20) {
        self.part = part
        self.maxTokenBytes = maxTokenBytes
    }

    /// Scans every complete token of `chunk` (after what an earlier chunk left unfinished).
    mutating func consume(_ chunk: UnsafeRawBufferPointer, handler: some WorkbookXMLHandler) throws(WorkbookReadError) {
        if buffer.isEmpty {
            let used = try scan(chunk.bindMemory(to: UInt8.self), isFinal: false, handler: handler)
            if used < chunk.count { buffer.append(contentsOf: chunk[used...]) }
        } else {
            buffer.append(contentsOf: chunk)
            try scanBuffer(isFinal: false, handler: handler)
        }
        largestHeldBytes = max(largestHeldBytes, buffer.capacity + scratch.capacity)
        if buffer.count > maxTokenBytes {
            throw WorkbookReadError(.tooLarge, "\(part) holds an XML token longer than \(maxTokenBytes >> 20) MB: not a workbook Excel writes")
        }
    }

    /// Scans what is left once the part has ended; an unfinished tag is an error.
    mutating func finish(handler: some WorkbookXMLHandler) throws(WorkbookReadError) {
        try scanBuffer(isFinal: true, handler: handler)
        if !buffer.isEmpty {
            throw malformed("the part ends inside a tag")
        }
        if !sawRoot { throw malformed("the part holds no XML element") }
    }

    private mutating func scanBuffer(isFinal: Bool, handler: some WorkbookXMLHandler) throws(WorkbookReadError) {
        var local = buffer
        buffer = []
        let used = try local.withUnsafeBufferPointer { bytes throws(WorkbookReadError) in
            try scan(bytes, isFinal: isFinal, handler: handler)
        }
        local.removeSubrange(0..<used)
        buffer = local
    }

    private func malformed(_ what: String) -> WorkbookReadError {
        WorkbookReadError(.malformed, "\(part) is not well-formed XML: \(what)")
    }

    /// Scans complete tokens from the start of `bytes`; returns how many bytes were used.
    private mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>, isFinal: Bool, handler: some WorkbookXMLHandler) throws(WorkbookReadError) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let end = bytes.count
        var position = 0
        while position < end {
            if base[position] != UInt8(ascii: "<") {
                let found = memchr(base + position, Int32(UInt8(ascii: "<")), end - position)
                guard let found else {
                    if !isFinal { return position }
                    try trailingText(UnsafeBufferPointer(start: base + position, count: end - position))
                    return end
                }
                let stop = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
                if handler.wantsText {
                    try emitText(UnsafeBufferPointer(start: base + position, count: stop - position), handler: handler)
                }
                position = stop
                continue
            }
            guard position + 1 < end else { return position }
            switch base[position + 1] {
            case UInt8(ascii: "/"):
                guard let close = find(UInt8(ascii: ">"), in: base, from: position + 2, to: end) else { return position }
                var nameEnd = close
                while nameEnd > position + 2 && Self.isSpace(base[nameEnd - 1]) { nameEnd -= 1 }
                try handler.endElement(Self.localName(UnsafeBufferPointer(start: base + position + 2, count: nameEnd - position - 2)))
                position = close + 1
            case UInt8(ascii: "?"):
                guard let close = find(sequence: "?>", in: base, from: position + 2, to: end) else { return position }
                position = close + 2
            case UInt8(ascii: "!"):
                guard let next = try markupDeclaration(base, at: position, end: end, handler: handler) else { return position }
                position = next
            default:
                guard let close = tagEnd(base, from: position + 1, to: end) else { return position }
                let selfClosing = base[close - 1] == UInt8(ascii: "/")
                let contentEnd = selfClosing ? close - 1 : close
                var nameEnd = position + 1
                while nameEnd < contentEnd && !Self.isSpace(base[nameEnd]) { nameEnd += 1 }
                guard nameEnd > position + 1 else { throw malformed("a tag without a name") }
                sawRoot = true
                let name = Self.localName(UnsafeBufferPointer(start: base + position + 1, count: nameEnd - position - 1))
                let attributes = WorkbookXMLAttributes(bytes: UnsafeBufferPointer(start: base + nameEnd, count: contentEnd - nameEnd))
                try handler.startElement(name, attributes, selfClosing: selfClosing)
                if selfClosing { try handler.endElement(name) }
                position = close + 1
            }
        }
        return position
    }

    /// `<!--…-->`, `<![CDATA[…]]>` or a DTD (refused); nil when the declaration is not complete yet.
    private mutating func markupDeclaration(_ base: UnsafePointer<UInt8>, at position: Int, end: Int, handler: some WorkbookXMLHandler) throws(WorkbookReadError) -> Int? {
        let available = end - position
        if Self.starts(base + position, available, "<!--") {
            guard let close = find(sequence: "-->", in: base, from: position + 4, to: end) else { return nil }
            return close + 3
        }
        if Self.starts(base + position, available, "<![CDATA[") {
            guard let close = find(sequence: "]]>", in: base, from: position + 9, to: end) else { return nil }
            if handler.wantsText {
                try handler.text(UnsafeBufferPointer(start: base + position + 9, count: close - position - 9))
            }
            return close + 3
        }
        if available < 9 {
            // Too few bytes to tell a comment, CDATA or DTD apart: wait for more.
            for prefix in ["<!--", "<![CDATA[", "<!DOCTYPE", "<!doctype"] {
                let bytes = Array(prefix.utf8)
                if (0..<min(available, bytes.count)).allSatisfy({ base[position + $0] == bytes[$0] }) { return nil }
            }
        }
        let doctype = Array("<!DOCTYPE".utf8)
        let compared = min(available, doctype.count)
        var matches = true
        for index in 2..<max(2, compared) where base[position + index] & 0xDF != doctype[index] {
            matches = false
            break
        }
        if matches && compared < doctype.count { return nil }  // wait for more bytes to tell
        if matches {
            throw WorkbookReadError(.doctype, "\(part) declares a DTD (<!DOCTYPE …>), which no workbook from a spreadsheet program has; refused: entities are never expanded and nothing is fetched")
        }
        throw malformed("unexpected markup \"<!\"")
    }

    /// Text after the root element ends: only whitespace is allowed.
    private func trailingText(_ bytes: UnsafeBufferPointer<UInt8>) throws(WorkbookReadError) {
        if bytes.contains(where: { !Self.isSpace($0) }) { throw malformed("text outside the root element") }
    }

    private mutating func emitText(_ raw: UnsafeBufferPointer<UInt8>, handler: some WorkbookXMLHandler) throws(WorkbookReadError) {
        guard let base = raw.baseAddress, !raw.isEmpty else { return }
        if memchr(base, Int32(UInt8(ascii: "&")), raw.count) == nil && memchr(base, 0x0D, raw.count) == nil {
            try handler.text(raw)
            return
        }
        scratch.removeAll(keepingCapacity: true)
        try Self.decodeEntities(raw, into: &scratch, part: part)
        try scratch.withUnsafeBufferPointer { decoded throws(WorkbookReadError) in try handler.text(decoded) }
    }

    /// Appends `raw` with the predefined entities and character references decoded and CR LF
    /// (or a lone CR) read as LF, as XML requires. Any other entity is an error: with no DTD,
    /// none can be defined.
    static func decodeEntities(_ raw: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], part: String) throws(WorkbookReadError) {
        var index = 0
        let count = raw.count
        while index < count {
            let byte = raw[index]
            if byte == 0x0D {
                out.append(0x0A)
                index += (index + 1 < count && raw[index + 1] == 0x0A) ? 2 : 1
                continue
            }
            guard byte == UInt8(ascii: "&") else {
                out.append(byte)
                index += 1
                continue
            }
            var semicolon = index + 1
            while semicolon < count && semicolon - index <= 12 && raw[semicolon] != UInt8(ascii: ";") { semicolon += 1 }
            guard semicolon < count && raw[semicolon] == UInt8(ascii: ";") else {
                throw WorkbookReadError(.malformed, "\(part) is not well-formed XML: an \"&\" that starts no entity")
            }
            let name = UnsafeBufferPointer(rebasing: raw[(index + 1)..<semicolon])
            if name.first == UInt8(ascii: "#") {
                guard let scalar = characterReference(UnsafeBufferPointer(rebasing: name.dropFirst())) else {
                    throw WorkbookReadError(.malformed, "\(part) is not well-formed XML: a bad character reference \"&\(String(decoding: name, as: UTF8.self));\"")
                }
                out.append(contentsOf: Array(String(scalar).utf8))
            } else if name.elementsEqual("lt".utf8) {
                out.append(UInt8(ascii: "<"))
            } else if name.elementsEqual("gt".utf8) {
                out.append(UInt8(ascii: ">"))
            } else if name.elementsEqual("amp".utf8) {
                out.append(UInt8(ascii: "&"))
            } else if name.elementsEqual("quot".utf8) {
                out.append(UInt8(ascii: "\""))
            } else if name.elementsEqual("apos".utf8) {
                out.append(UInt8(ascii: "'"))
            } else {
                throw WorkbookReadError(.doctype, "\(part) uses the entity \"&\(String(decoding: name, as: UTF8.self));\", which only a DTD could define; refused: entities are never expanded and nothing is fetched")
            }
            index = semicolon + 1
        }
    }

    /// `#65` / `#x41` (without the `#`) as a Unicode scalar; nil when malformed or not allowed.
    private static func characterReference(_ digits: UnsafeBufferPointer<UInt8>) -> Unicode.Scalar? {
        var value: UInt32 = 0
        var hex = false
        var body = digits[...]
        if body.first == UInt8(ascii: "x") { hex = true; body = body.dropFirst() }
        guard !body.isEmpty, body.count <= 8 else { return nil }
        for byte in body {
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f") where hex: digit = UInt32(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F") where hex: digit = UInt32(byte - UInt8(ascii: "A")) + 10
            default: return nil
            }
            value = value * (hex ? 16 : 10) + digit
        }
        guard value != 0 else { return nil }
        return Unicode.Scalar(value)
    }

    /// The end of a start tag (its `>`), skipping `>` inside quoted attribute values.
    private func tagEnd(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int? {
        var index = start
        while index < end {
            let found = memchr(base + index, Int32(UInt8(ascii: ">")), end - index)
            guard let found else { return nil }
            let close = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
            // Quotes before the `>` must be balanced for it to end the tag.
            var quote: UInt8 = 0
            for position in start..<close {
                let byte = base[position]
                if quote == 0 {
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") { quote = byte }
                } else if byte == quote {
                    quote = 0
                }
            }
            if quote == 0 { return close }
            index = close + 1
        }
        return nil
    }

    private func find(_ byte: UInt8, in base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int? {
        guard start < end, let found = memchr(base + start, Int32(byte), end - start) else { return nil }
        return UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
    }

    private func find(sequence: StaticString, in base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int? {
        let first = sequence.utf8Start.pointee
        var index = start
        while let candidate = find(first, in: base, from: index, to: end) {
            if Self.starts(base + candidate, end - candidate, sequence) { return candidate }
            if end - candidate < sequence.utf8CodeUnitCount { return nil }
            index = candidate + 1
        }
        return nil
    }

    private static func starts(_ pointer: UnsafePointer<UInt8>, _ available: Int, _ prefix: StaticString) -> Bool {
        let length = prefix.utf8CodeUnitCount
        return available >= length && memcmp(pointer, prefix.utf8Start, length) == 0
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// The part of a qualified name after its prefix (`x:row` → `row`).
    static func localName(_ name: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard let base = name.baseAddress, let colon = memchr(base, Int32(UInt8(ascii: ":")), name.count) else { return name }
        let start = UnsafePointer<UInt8>(colon.assumingMemoryBound(to: UInt8.self)) - base + 1
        return UnsafeBufferPointer(rebasing: name[start...])
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether these bytes spell `name` exactly.
    func isName(_ name: StaticString) -> Bool {
        let length = name.utf8CodeUnitCount
        guard count == length else { return false }
        guard let base = baseAddress else { return length == 0 }
        return memcmp(base, name.utf8Start, length) == 0
    }
}
