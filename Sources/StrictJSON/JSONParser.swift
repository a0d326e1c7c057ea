/// A JSON text that breaks RFC 8259 (or a parser limit), at a 1-based byte column.
public struct JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The 1-based byte offset of the problem in the parsed bytes (one past the end for a
    /// truncated text).
    public var column: Int
    /// A short lower-case description, e.g. `duplicate key "score"`.
    public var message: String

    /// Creates an error at `column` with `message`.
    public init(column: Int, message: String) {
        self.column = column
        self.message = message
    }

    /// `column N: message`.
    public var description: String { "column \(column): \(message)" }
}

/// A strict RFC 8259 parser.
///
/// Rejects comments, trailing commas, single quotes, `NaN`/`Infinity`, leading zeros and `+`,
/// bare `.5` and `1.`, raw control characters and invalid UTF-8 in strings, lone surrogate
/// escapes, duplicate keys in one object (keys compared by their UTF-8 bytes), and anything but
/// whitespace after the value. Numbers keep their source text. Nesting is tracked on an explicit
/// stack (no recursion), so input of any depth fails cleanly; keep `maxDepth` modest anyway,
/// because a parsed `JSONValue` is compared, written and freed recursively.
///
/// One grammar loop serves every reader: `parse` builds a `JSONValue`, `forEachMember` hands
/// on an object's members as bytes, and `read` drives any `JSONVisitor`.
public enum JSONParser {
    /// Parses exactly one JSON value (RFC 8259, strict) surrounded by optional whitespace.
    ///
    /// - Parameters:
    ///   - bytes: UTF-8 JSON text.
    ///   - maxDepth: The deepest nesting of arrays and objects allowed (`[[1]]` has depth 2).
    ///   - maxStringBytes: The longest string (decoded UTF-8 bytes) or number text allowed.
    /// - Throws: `JSONSyntaxError` with the 1-based byte column of the problem.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer,
        maxDepth: Int = 64,
        maxStringBytes: Int = 1 << 20
    ) throws(JSONSyntaxError) -> JSONValue {
        var builder = TreeBuilder()
        try read(bytes, maxDepth: maxDepth, maxStringBytes: maxStringBytes, into: &builder)
        return builder.result
    }

    /// Parses the UTF-8 of `text` as one JSON value; see `parse(_:maxDepth:maxStringBytes:)`.
    public static func parse(
        _ text: String,
        maxDepth: Int = 64,
        maxStringBytes: Int = 1 << 20
    ) throws(JSONSyntaxError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { utf8 in
            Result { () throws(JSONSyntaxError) -> JSONValue in
                try parse(UnsafeRawBufferPointer(utf8), maxDepth: maxDepth, maxStringBytes: maxStringBytes)
            }
        }
        return try result.get()
    }

    /// Parses one JSON value like `parse(_:maxDepth:maxStringBytes:)` and, when it is an
    /// object, hands its members to `body` in order, without building a `String` for any
    /// top-level key or scalar (arrays and objects under a key are handed on parsed).
    ///
    /// The same strictness applies, duplicate keys included. `body` runs while parsing: when
    /// the text turns out to be invalid, it has already seen the members before the error.
    ///
    /// - Returns: false, without calling `body`, when the text is a JSON value but not an object.
    /// - Throws: `JSONSyntaxError` with the 1-based byte column of the problem.
    public static func forEachMember(
        of bytes: UnsafeRawBufferPointer,
        maxDepth: Int = 64,
        maxStringBytes: Int = 1 << 20,
        _ body: (_ key: UnsafeBufferPointer<UInt8>, _ value: JSONMemberValue) -> Void
    ) throws(JSONSyntaxError) -> Bool {
        try withoutActuallyEscaping(body) { (body) throws(JSONSyntaxError) -> Bool in
            var scan = MemberScan(input: bytes, body: body)
            try read(bytes, maxDepth: maxDepth, maxStringBytes: maxStringBytes, into: &scan)
            return scan.isObject
        }
    }

    /// Checks one JSON value with the rules of `parse(_:maxDepth:maxStringBytes:)` and hands
    /// its parts to `visitor` in document order, as they are read.
    ///
    /// When the text is invalid, `visitor` has seen the parts before the error.
    /// - Throws: `JSONSyntaxError` with the 1-based byte column of the problem.
    public static func read<Visitor: JSONVisitor>(
        _ bytes: UnsafeRawBufferPointer,
        maxDepth: Int = 64,
        maxStringBytes: Int = 1 << 20,
        into visitor: inout Visitor
    ) throws(JSONSyntaxError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONSyntaxError(column: 1, message: "expected a JSON value, found end of input")
        }
        // The keys of open objects live on the stack unless deep or wide objects need more room.
        try withUnsafeTemporaryAllocation(of: KeyEntry.self, capacity: 64) { (stack) throws(JSONSyntaxError) in
            var parser = Parser(
                base: base.assumingMemoryBound(to: UInt8.self),
                end: bytes.count,
                maxDepth: maxDepth,
                maxStringBytes: maxStringBytes,
                keys: stack
            )
            defer { parser.releaseKeys() }
            try parser.walk(&visitor)
        }
    }
}

/// Receives the parts of a JSON text from `JSONParser.read`, in document order. Byte buffers
/// are valid only during the call that receives them.
public protocol JSONVisitor {
    mutating func beginObject()
    /// An object member's key (decoded UTF-8); its value follows.
    mutating func key(_ bytes: UnsafeBufferPointer<UInt8>)
    mutating func endObject()
    mutating func beginArray()
    mutating func endArray()
    /// A string's decoded UTF-8 (escapes resolved, validated).
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>)
    /// A number's source text.
    mutating func number(_ text: UnsafeBufferPointer<UInt8>)
    mutating func bool(_ value: Bool)
    mutating func null()
}

/// A member's value as `JSONParser.forEachMember` hands it on. The byte buffers are valid
/// only during the call that receives them.
public enum JSONMemberValue {
    /// A string's decoded UTF-8 (escapes resolved, validated).
    case string(UnsafeBufferPointer<UInt8>)
    /// A number's source text.
    case number(UnsafeBufferPointer<UInt8>)
    case bool(Bool)
    case null
    /// An array or an object, parsed.
    case container(JSONValue)
}

private enum ASCII {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let slash = UInt8(ascii: "/")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
}

/// A key of an open object: where its bytes are, for duplicate checks without strings.
private struct KeyEntry {
    /// `fingerprint` of the key's bytes.
    var print: UInt64
    /// The key's offset in the input, or `-1 - n` for `Parser.escapedKeys[n]` (keys with escapes).
    var start: Int
    var count: Int
}

/// An array or object being read.
private struct OpenContainer {
    var isObject = false
    /// Where this object's keys start in `Parser.keys`.
    var firstKey = 0
    /// The UTF-8 of all keys so far, once the object is big enough for linear duplicate checks to hurt.
    var keySet: Set<[UInt8]>?
}

private struct Parser {
    let base: UnsafePointer<UInt8>
    let end: Int
    let maxDepth: Int
    let maxStringBytes: Int
    var p = 0
    /// Decoded bytes of strings with escapes.
    var scratch: [UInt8] = []
    /// Where the last parsed string's decoded bytes are: in the input (no escapes) or in `scratch`.
    var lastStringStart = 0
    var lastStringCount = 0
    var lastStringInScratch = false
    /// The keys of every open object, innermost object's last.
    var keys: UnsafeMutableBufferPointer<KeyEntry>
    var keyCount = 0
    var keysOnHeap = false
    /// Copies of keys that had escapes (their decoded bytes do not stay in `scratch`).
    var escapedKeys: [[UInt8]] = []

    init(
        base: UnsafePointer<UInt8>,
        end: Int,
        maxDepth: Int,
        maxStringBytes: Int,
        keys: UnsafeMutableBufferPointer<KeyEntry>
    ) {
        self.base = base
        self.end = end
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
        self.keys = keys
    }

    func releaseKeys() {
        if keysOnHeap {
            keys.deallocate()
        }
    }

    /// Reads one value and the whitespace around it, handing its parts to `visitor`.
    mutating func walk<Visitor: JSONVisitor>(_ visitor: inout Visitor) throws(JSONSyntaxError) {
        // The innermost open container is `current` (when `depth > 0`); the ones around it
        // wait in `outer`, so a flat object or array costs no stack operations.
        var current = OpenContainer()
        var depth = 0
        var outer: [OpenContainer] = []
        skipWhitespace()

        nextValue: while true {
            guard p < end else { throw unexpected("expected a JSON value") }
            switch base[p] {
            case ASCII.openBrace, ASCII.openBracket:
                let isObject = base[p] == ASCII.openBrace
                if depth == maxDepth {
                    throw error("nesting deeper than \(maxDepth) levels")
                }
                p += 1
                skipWhitespace()
                if isObject { visitor.beginObject() } else { visitor.beginArray() }
                if p < end && base[p] == (isObject ? ASCII.closeBrace : ASCII.closeBracket) {
                    p += 1
                    if isObject { visitor.endObject() } else { visitor.endArray() }
                } else {
                    if depth > 0 {
                        outer.append(current)
                    }
                    current = OpenContainer(isObject: isObject, firstKey: keyCount)
                    depth += 1
                    if isObject {
                        try readKey(in: &current, visitor: &visitor)
                    }
                    continue nextValue
                }
            case ASCII.quote:
                try scanString()
                withLastString { visitor.string($0) }
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                visitor.bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                visitor.bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                visitor.null()
            case ASCII.minus, ASCII.zero...ASCII.nine:
                let start = p
                try scanNumber()
                visitor.number(UnsafeBufferPointer(start: base + start, count: p - start))
            case ASCII.plus:
                throw error("numbers must not start with '+'")
            case ASCII.dot:
                throw error("numbers must start with a digit")
            case UInt8(ascii: "N"), UInt8(ascii: "I"):
                throw error("NaN and Infinity are not allowed")
            default:
                throw unexpected("expected a JSON value")
            }

            // After a value: the next one in its container, or close every container that ends.
            while true {
                skipWhitespace()
                guard depth > 0 else {
                    guard p == end else { throw unexpected("expected end of input after the JSON value") }
                    return
                }
                let isObject = current.isObject
                guard p < end else { throw unexpected(isObject ? "expected ',' or '}'" : "expected ',' or ']'") }
                if base[p] == ASCII.comma {
                    p += 1
                    skipWhitespace()
                    if isObject {
                        if p < end && base[p] == ASCII.closeBrace {
                            throw error("trailing comma in object")
                        }
                        try readKey(in: &current, visitor: &visitor)
                    } else if p < end && base[p] == ASCII.closeBracket {
                        throw error("trailing comma in array")
                    }
                    continue nextValue
                }
                guard base[p] == (isObject ? ASCII.closeBrace : ASCII.closeBracket) else {
                    throw unexpected(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
                }
                p += 1
                if isObject {
                    keyCount = current.firstKey
                    visitor.endObject()
                } else {
                    visitor.endArray()
                }
                depth -= 1
                current = outer.popLast() ?? OpenContainer()
            }
        }
    }

    // MARK: - Pieces

    @inline(__always)
    mutating func skipWhitespace() {
        while p < end {
            let byte = base[p]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            p += 1
        }
    }

    /// Reads `"key"` and the `:` after it, leaving `p` at the member's value.
    mutating func readKey<Visitor: JSONVisitor>(in object: inout OpenContainer, visitor: inout Visitor) throws(JSONSyntaxError) {
        guard p < end && base[p] == ASCII.quote else {
            throw unexpected("expected a string key")
        }
        let keyStart = p
        try scanString()
        guard claimLastString(in: &object) else {
            var escaped: [UInt8] = []
            JSONWriter.appendEscaped(withLastString { String(decoding: $0, as: UTF8.self) }, into: &escaped)
            throw JSONSyntaxError(column: keyStart + 1, message: "duplicate key \(String(decoding: escaped, as: UTF8.self))")
        }
        withLastString { visitor.key($0) }
        skipWhitespace()
        guard p < end && base[p] == ASCII.colon else {
            throw unexpected("expected ':' after object key")
        }
        p += 1
        skipWhitespace()
    }

    /// Records the string just scanned as a key of `object`; false when the object already has
    /// it. Keys are compared by their UTF-8 bytes (as JSON does), not by Unicode equivalence.
    mutating func claimLastString(in object: inout OpenContainer) -> Bool {
        if object.keySet != nil {
            let key = withLastString { Array($0) }
            return object.keySet?.insert(key).inserted ?? true
        }
        let print = withLastString { key in key.baseAddress.map { Self.fingerprint(UnsafeRawPointer($0), count: key.count) } ?? 0 }
        for index in object.firstKey..<keyCount where keys[index].print == print {
            if withLastString({ isKey(keys[index], equalTo: $0) }) { return false }
        }
        if keyCount - object.firstKey == Self.linearKeyLimit {
            // Big objects switch to a hash set (fingerprints are cheap, not collision-proof).
            var set = Set((object.firstKey..<keyCount).map { bytes(of: keys[$0]) })
            set.insert(withLastString { Array($0) })
            object.keySet = set
            return true
        }
        var start = lastStringStart
        if lastStringInScratch {
            escapedKeys.append(scratch)
            start = -escapedKeys.count
        }
        if keyCount == keys.count {
            growKeys()
        }
        keys[keyCount] = KeyEntry(print: print, start: start, count: lastStringCount)
        keyCount += 1
        return true
    }

    /// Keys an object checks for duplicates one by one, by fingerprint, before it switches to a
    /// set: an API object has a few dozen keys at most, and building the set costs an array per key.
    static let linearKeyLimit = 64

    /// Whether a recorded key has these bytes (on a fingerprint match), without copying either.
    func isKey(_ entry: KeyEntry, equalTo bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if entry.start < 0 {
            return escapedKeys[-1 - entry.start].withUnsafeBufferPointer { $0.elementsEqual(bytes) }
        }
        return entry.count == bytes.count && UnsafeBufferPointer(start: base + entry.start, count: entry.count).elementsEqual(bytes)
    }

    /// The bytes of a recorded key (for the set of a big object).
    func bytes(of entry: KeyEntry) -> [UInt8] {
        entry.start >= 0 ? Array(UnsafeBufferPointer(start: base + entry.start, count: entry.count)) : escapedKeys[-1 - entry.start]
    }

    mutating func growKeys() {
        let bigger = UnsafeMutableBufferPointer<KeyEntry>.allocate(capacity: keys.count * 2)
        _ = bigger.initialize(from: keys)
        releaseKeys()
        keys = bigger
        keysOnHeap = true
    }

    /// A cheap function of a string's bytes: equal strings have equal fingerprints.
    @inline(__always)
    static func fingerprint(_ bytes: UnsafeRawPointer, count: Int) -> UInt64 {
        var head: UInt64 = 0
        var tail: UInt64 = 0
        if count >= 8 {
            head = bytes.loadUnaligned(as: UInt64.self)
            tail = bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        } else {
            for index in 0..<count {
                head = head << 8 | UInt64(bytes.load(fromByteOffset: index, as: UInt8.self))
            }
        }
        return head ^ (tail << 29 | tail >> 35) ^ UInt64(count) &* 0x9E37_79B9_7F4A_7C15
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard end - p >= count else { throw error("invalid literal") }
        let text = literal.utf8Start
        for index in 0..<count where base[p + index] != text[index] {
            throw error("invalid literal")
        }
        p += count
    }

    /// Checks the number starting at `p` and moves past it.
    mutating func scanNumber() throws(JSONSyntaxError) {
        let start = p
        if base[p] == ASCII.minus {
            p += 1
            if p < end && base[p] == UInt8(ascii: "I") {
                throw error("NaN and Infinity are not allowed")
            }
            guard p < end && isDigit(base[p]) else { throw unexpected("expected a digit after '-'") }
        }
        if base[p] == ASCII.zero {
            p += 1
            if p < end && isDigit(base[p]) {
                throw JSONSyntaxError(column: p, message: "leading zeros are not allowed")
            }
        } else {
            skipDigits()
        }
        if p < end && base[p] == ASCII.dot {
            p += 1
            guard p < end && isDigit(base[p]) else { throw unexpected("expected a digit after '.'") }
            skipDigits()
        }
        if p < end && (base[p] | 0x20) == UInt8(ascii: "e") {
            p += 1
            if p < end && (base[p] == ASCII.plus || base[p] == ASCII.minus) {
                p += 1
            }
            guard p < end && isDigit(base[p]) else { throw unexpected("expected a digit in the exponent") }
            skipDigits()
        }
        guard p - start <= maxStringBytes else {
            throw JSONSyntaxError(column: start + 1, message: "number longer than \(maxStringBytes) bytes")
        }
    }

    @inline(__always)
    func isDigit(_ byte: UInt8) -> Bool {
        byte &- ASCII.zero < 10
    }

    @inline(__always)
    mutating func skipDigits() {
        while p < end && isDigit(base[p]) {
            p += 1
        }
    }

    /// The decoded bytes of the string `scanString` parsed last.
    @inline(__always)
    func withLastString<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if lastStringInScratch {
            return scratch.withUnsafeBufferPointer(body)
        }
        return body(UnsafeBufferPointer(start: base + lastStringStart, count: lastStringCount))
    }

    /// Parses a string starting at its opening quote; `withLastString` reads it.
    mutating func scanString() throws(JSONSyntaxError) {
        let open = p
        let start = p + 1
        var q = start
        var highBits: UInt64 = 0
        // Eight bytes at a time while none is a quote, a backslash or a control character.
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        var stopped = false
        while q + 8 <= end {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: q, as: UInt64.self))
            let quotes = word ^ (ones &* UInt64(ASCII.quote))
            let backslashes = word ^ (ones &* UInt64(ASCII.backslash))
            let stops =
                ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes) | ((word &- ones &* 0x20) & ~word)
            let mask = stops & high
            if mask != 0 {
                // The lowest flagged byte is always a real stop (little-endian; later flags may be borrows).
                let offset = mask.trailingZeroBitCount >> 3
                highBits |= word & ((1 << UInt64(offset &* 8)) &- 1)
                q += offset
                stopped = true
                break
            }
            highBits |= word
            q += 8
        }
        while !stopped && q < end {
            let byte = base[q]
            if byte == ASCII.quote || byte == ASCII.backslash || byte < 0x20 { break }
            highBits |= UInt64(byte)
            q += 1
        }
        guard q < end && base[q] == ASCII.quote else {
            return try scanEscapedString(open: open, runEnd: q)
        }
        // The common case: no escapes, the bytes are the string.
        let length = q - start
        guard length <= maxStringBytes else { throw tooLong(open) }
        if highBits & high != 0 && !UTF8Validation.isValid(base + start, count: length) {
            throw JSONSyntaxError(column: open + 1, message: "invalid UTF-8 in string")
        }
        p = q + 1
        lastStringStart = start
        lastStringCount = length
        lastStringInScratch = false
    }

    /// The slow path: decodes escapes into `scratch`, from the first stop byte at `runEnd`.
    mutating func scanEscapedString(open: Int, runEnd: Int) throws(JSONSyntaxError) {
        scratch.removeAll(keepingCapacity: true)
        var runStart = open + 1
        var q = runEnd
        while true {
            // Copy the run of plain bytes before the stop byte at q.
            if q > runStart {
                guard scratch.count + (q - runStart) <= maxStringBytes else { throw tooLong(open) }
                scratch.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: q - runStart))
            }
            guard q < end else {
                throw JSONSyntaxError(column: open + 1, message: "unterminated string")
            }
            let byte = base[q]
            if byte == ASCII.quote {
                p = q + 1
                break
            }
            if byte < 0x20 {
                throw JSONSyntaxError(column: q + 1, message: "unescaped control character \(hexByte(byte)) in string")
            }
            // A backslash.
            q = try decodeEscape(at: q)
            guard scratch.count <= maxStringBytes else { throw tooLong(open) }
            runStart = q
            while q < end {
                let byte = base[q]
                if byte == ASCII.quote || byte == ASCII.backslash || byte < 0x20 { break }
                q += 1
            }
        }
        guard scratch.withUnsafeBytes({ UTF8Validation.isValid($0) }) else {
            throw JSONSyntaxError(column: open + 1, message: "invalid UTF-8 in string")
        }
        lastStringInScratch = true
    }

    /// Decodes the escape whose backslash is at `at` into `scratch`; returns the index after it.
    mutating func decodeEscape(at backslash: Int) throws(JSONSyntaxError) -> Int {
        guard backslash + 1 < end else {
            throw JSONSyntaxError(column: backslash + 1, message: "unterminated string")
        }
        let letter = base[backslash + 1]
        let decoded: UInt8
        switch letter {
        case ASCII.quote, ASCII.backslash, ASCII.slash: decoded = letter
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"):
            var scalar = try hex4(at: backslash + 2)
            var next = backslash + 6
            if scalar >= 0xDC00 && scalar <= 0xDFFF {
                throw JSONSyntaxError(column: backslash + 1, message: "unpaired surrogate in \\u escape")
            }
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                guard next + 1 < end && base[next] == ASCII.backslash && base[next + 1] == UInt8(ascii: "u") else {
                    throw JSONSyntaxError(column: backslash + 1, message: "unpaired surrogate in \\u escape")
                }
                let low = try hex4(at: next + 2)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw JSONSyntaxError(column: backslash + 1, message: "unpaired surrogate in \\u escape")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                next += 6
            }
            appendUTF8(scalar)
            return next
        default:
            let shown = letter > 0x20 && letter < 0x7F ? "'\\\(Character(Unicode.Scalar(letter)))'" : describe(letter)
            throw JSONSyntaxError(column: backslash + 1, message: "invalid escape \(shown) in string")
        }
        scratch.append(decoded)
        return backslash + 2
    }

    func hex4(at index: Int) throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= end else {
            throw JSONSyntaxError(column: index - 1, message: "\\u escape needs four hex digits")
        }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = base[index + offset]
            let digit: UInt8
            switch byte {
            case ASCII.zero...ASCII.nine: digit = byte - ASCII.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONSyntaxError(column: index - 1, message: "\\u escape needs four hex digits")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    // MARK: - Errors

    func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(column: p + 1, message: message)
    }

    func tooLong(_ open: Int) -> JSONSyntaxError {
        JSONSyntaxError(column: open + 1, message: "string longer than \(maxStringBytes) bytes")
    }

    /// `expectation, found X` for the byte at `p`, with special words for common non-JSON.
    func unexpected(_ expectation: String) -> JSONSyntaxError {
        guard p < end else { return error("\(expectation), found end of input") }
        let byte = base[p]
        switch byte {
        case ASCII.slash: return error("comments are not allowed")
        case UInt8(ascii: "'"): return error("single-quoted strings are not allowed")
        default: return error("\(expectation), found \(describe(byte))")
        }
    }

    func describe(_ byte: UInt8) -> String {
        if byte > 0x20 && byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        return "byte \(hexByte(byte))"
    }

    func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 0x0F)])"
    }
}

// MARK: - Readers

/// Builds the `JSONValue` for `JSONParser.parse`.
private struct TreeBuilder: JSONVisitor {
    /// An array or object under construction.
    private struct Frame {
        var isObject = false
        var elements: [JSONValue] = []
        var members: [(key: String, value: JSONValue)] = []
        /// The name of the member whose value comes next.
        var pendingKey = ""
    }

    /// The finished value (valid once the parser returned without error).
    private(set) var result = JSONValue.null
    /// The innermost open container, when `depth > 0`; the ones around it are in `outer`.
    private var current = Frame()
    private var outer: [Frame] = []
    private var depth = 0

    mutating func beginObject() {
        open(Frame(isObject: true, members: []))
        current.members.reserveCapacity(8)
    }

    mutating func beginArray() {
        open(Frame(isObject: false))
    }

    mutating func key(_ bytes: UnsafeBufferPointer<UInt8>) {
        current.pendingKey = String(decoding: bytes, as: UTF8.self)
    }

    mutating func endObject() {
        close(.object(JSONObject(exchange(&current.members, with: []))))
    }

    mutating func endArray() {
        close(.array(exchange(&current.elements, with: [])))
    }

    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) {
        add(.string(String(decoding: bytes, as: UTF8.self)))
    }

    mutating func number(_ text: UnsafeBufferPointer<UInt8>) {
        add(.number(String(decoding: text, as: UTF8.self)))
    }

    mutating func bool(_ value: Bool) { add(.bool(value)) }
    mutating func null() { add(.null) }

    private mutating func open(_ frame: Frame) {
        if depth > 0 {
            outer.append(current)
        }
        current = frame
        depth += 1
    }

    private mutating func close(_ value: JSONValue) {
        depth -= 1
        current = outer.popLast() ?? Frame()
        add(value)
    }

    /// Stores a finished value in the open container, or as the result.
    private mutating func add(_ value: consuming JSONValue) {
        guard depth > 0 else {
            result = value
            return
        }
        if current.isObject {
            current.members.append((key: exchange(&current.pendingKey, with: ""), value: value))
        } else {
            current.elements.append(value)
        }
    }
}

/// Hands a top-level object's members to `JSONParser.forEachMember`'s body; containers under a
/// member are built by a `TreeBuilder`.
private struct MemberScan: JSONVisitor {
    let body: (UnsafeBufferPointer<UInt8>, JSONMemberValue) -> Void
    /// Whether the document is an object (known at its first part).
    private(set) var isObject = false
    private var depth = 0
    /// The text being read: a key inside it stays valid for its value; one decoded from escapes
    /// lives in the parser's buffer, which the value reuses, so it is copied to `escapedKey`.
    private let input: UnsafeRawBufferPointer
    private var key = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    private var keyIsEscaped = false
    private var escapedKey: [UInt8] = []
    private var nested = TreeBuilder()

    init(input: UnsafeRawBufferPointer, body: @escaping (UnsafeBufferPointer<UInt8>, JSONMemberValue) -> Void) {
        self.input = input
        self.body = body
    }

    mutating func beginObject() {
        depth += 1
        if depth == 1 {
            isObject = true
        } else if isObject {
            nested.beginObject()
        }
    }

    mutating func beginArray() {
        depth += 1
        if depth > 1 && isObject { nested.beginArray() }
    }

    mutating func key(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard isObject else { return }
        if depth == 1 {
            let start = UnsafeRawPointer(bytes.baseAddress)
            keyIsEscaped = !(start.map { $0 >= input.baseAddress! && $0 < input.baseAddress! + input.count } ?? true)
            if keyIsEscaped {
                escapedKey = Array(bytes)
            } else {
                key = bytes
            }
        } else {
            nested.key(bytes)
        }
    }

    mutating func endObject() {
        depth -= 1
        if depth >= 1 && isObject {
            nested.endObject()
            if depth == 1 { finishContainer() }
        }
    }

    mutating func endArray() {
        depth -= 1
        if depth >= 1 && isObject {
            nested.endArray()
            if depth == 1 { finishContainer() }
        }
    }

    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) {
        if depth == 1 && isObject { member(.string(bytes)) } else if depth > 1 && isObject { nested.string(bytes) }
    }

    mutating func number(_ text: UnsafeBufferPointer<UInt8>) {
        if depth == 1 && isObject { member(.number(text)) } else if depth > 1 && isObject { nested.number(text) }
    }

    mutating func bool(_ value: Bool) {
        if depth == 1 && isObject { member(.bool(value)) } else if depth > 1 && isObject { nested.bool(value) }
    }

    mutating func null() {
        if depth == 1 && isObject { member(.null) } else if depth > 1 && isObject { nested.null() }
    }

    private func member(_ value: JSONMemberValue) {
        if keyIsEscaped {
            escapedKey.withUnsafeBufferPointer { body($0, value) }
        } else {
            body(key, value)
        }
    }

    private mutating func finishContainer() {
        member(.container(nested.result))
        nested = TreeBuilder()
    }
}
