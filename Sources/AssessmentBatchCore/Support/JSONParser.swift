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

/// A strict RFC 8259 parser into `JSONValue`.
///
/// Rejects comments, trailing commas, single quotes, `NaN`/`Infinity`, leading zeros and `+`,
/// bare `.5` and `1.`, raw control characters and invalid UTF-8 in strings, lone surrogate
/// escapes, duplicate keys in one object, and anything but whitespace after the value.
/// Nesting is tracked on an explicit stack (no recursion), so any depth fails cleanly.
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
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONSyntaxError(column: 1, message: "expected a JSON value, found end of input")
        }
        var parser = Parser(
            base: base.assumingMemoryBound(to: UInt8.self),
            end: bytes.count,
            maxDepth: maxDepth,
            maxStringBytes: maxStringBytes
        )
        return try parser.parseDocument()
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

/// An object under construction.
private struct ObjectFrame {
    var members: [(key: String, value: JSONValue)] = []
    var pendingKey = ""
    /// All keys so far, once the object is big enough for linear duplicate checks to hurt.
    var keySet: Set<String>?

    init() {
        members.reserveCapacity(8)
    }

    /// Records `key` as the next member's name; false when the object already has it.
    mutating func claim(_ key: String) -> Bool {
        if let inserted = keySet?.insert(key).inserted {
            pendingKey = key
            return inserted
        }
        for member in members where member.key == key {
            return false
        }
        if members.count >= 16 {
            var set = Set(members.map(\.key))
            set.insert(key)
            keySet = set
        }
        pendingKey = key
        return true
    }
}

private struct Parser {
    let base: UnsafePointer<UInt8>
    let end: Int
    let maxDepth: Int
    let maxStringBytes: Int
    var p = 0
    /// Decoded bytes of strings with escapes.
    var scratch: [UInt8] = []

    init(base: UnsafePointer<UInt8>, end: Int, maxDepth: Int, maxStringBytes: Int) {
        self.base = base
        self.end = end
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
    }

    mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        // Open containers, innermost last: true for an object.
        var isObject: [Bool] = []
        var arrays: [[JSONValue]] = []
        var objects: [ObjectFrame] = []
        skipWhitespace()

        nextValue: while true {
            var value: JSONValue
            guard p < end else { throw unexpected("expected a JSON value") }
            switch base[p] {
            case ASCII.openBrace:
                try checkDepth(isObject.count + 1)
                p += 1
                skipWhitespace()
                if p < end && base[p] == ASCII.closeBrace {
                    p += 1
                    value = .object(JSONObject())
                } else {
                    isObject.append(true)
                    objects.append(ObjectFrame())
                    try parseKey(into: &objects[objects.count - 1])
                    continue nextValue
                }
            case ASCII.openBracket:
                try checkDepth(isObject.count + 1)
                p += 1
                skipWhitespace()
                if p < end && base[p] == ASCII.closeBracket {
                    p += 1
                    value = .array([])
                } else {
                    isObject.append(false)
                    arrays.append([])
                    continue nextValue
                }
            case ASCII.quote:
                value = .string(try parseString())
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = .null
            case ASCII.minus, ASCII.zero...ASCII.nine:
                value = .number(try parseNumber())
            case ASCII.plus:
                throw error("numbers must not start with '+'")
            case ASCII.dot:
                throw error("numbers must start with a digit")
            case UInt8(ascii: "N"), UInt8(ascii: "I"):
                throw error("NaN and Infinity are not allowed")
            default:
                throw unexpected("expected a JSON value")
            }

            // Store the value in its container; close every container that ends after it.
            while true {
                guard let inObject = isObject.last else {
                    skipWhitespace()
                    guard p == end else { throw unexpected("expected end of input after the JSON value") }
                    return value
                }
                skipWhitespace()
                if inObject {
                    let index = objects.count - 1
                    objects[index].members.append((key: objects[index].pendingKey, value: value))
                    guard p < end else { throw unexpected("expected ',' or '}'") }
                    if base[p] == ASCII.comma {
                        p += 1
                        skipWhitespace()
                        if p < end && base[p] == ASCII.closeBrace {
                            throw error("trailing comma in object")
                        }
                        try parseKey(into: &objects[index])
                        continue nextValue
                    }
                    guard base[p] == ASCII.closeBrace else { throw unexpected("expected ',' or '}'") }
                    p += 1
                    isObject.removeLast()
                    value = .object(JSONObject(objects.removeLast().members))
                } else {
                    let index = arrays.count - 1
                    arrays[index].append(value)
                    guard p < end else { throw unexpected("expected ',' or ']'") }
                    if base[p] == ASCII.comma {
                        p += 1
                        skipWhitespace()
                        if p < end && base[p] == ASCII.closeBracket {
                            throw error("trailing comma in array")
                        }
                        continue nextValue
                    }
                    guard base[p] == ASCII.closeBracket else { throw unexpected("expected ',' or ']'") }
                    p += 1
                    isObject.removeLast()
                    value = .array(arrays.removeLast())
                }
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

    func checkDepth(_ depth: Int) throws(JSONSyntaxError) {
        if depth > maxDepth {
            throw error("nesting deeper than \(maxDepth) levels")
        }
    }

    /// Parses `"key"` and the `:` after it, leaving `p` at the member's value.
    mutating func parseKey(into frame: inout ObjectFrame) throws(JSONSyntaxError) {
        guard p < end && base[p] == ASCII.quote else {
            throw unexpected("expected a string key")
        }
        let keyStart = p
        let key = try parseString()
        guard frame.claim(key) else {
            var escaped: [UInt8] = []
            JSONWriter.appendEscaped(key, into: &escaped)
            throw JSONSyntaxError(column: keyStart + 1, message: "duplicate key \(String(decoding: escaped, as: UTF8.self))")
        }
        skipWhitespace()
        guard p < end && base[p] == ASCII.colon else {
            throw unexpected("expected ':' after object key")
        }
        p += 1
        skipWhitespace()
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

    mutating func parseNumber() throws(JSONSyntaxError) -> String {
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
        return String(decoding: UnsafeBufferPointer(start: base + start, count: p - start), as: UTF8.self)
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

    /// Parses a string starting at its opening quote.
    mutating func parseString() throws(JSONSyntaxError) -> String {
        let open = p
        let start = p + 1
        var q = start
        var highBits: UInt8 = 0
        while q < end {
            let byte = base[q]
            if byte == ASCII.quote || byte == ASCII.backslash || byte < 0x20 { break }
            highBits |= byte
            q += 1
        }
        guard q < end && base[q] == ASCII.quote else {
            return try parseEscapedString(open: open, runEnd: q)
        }
        // The common case: no escapes, the bytes are the string.
        let length = q - start
        guard length <= maxStringBytes else { throw tooLong(open) }
        if highBits & 0x80 != 0 && !UTF8Validation.isValid(base + start, count: length) {
            throw JSONSyntaxError(column: open + 1, message: "invalid UTF-8 in string")
        }
        p = q + 1
        return String(decoding: UnsafeBufferPointer(start: base + start, count: length), as: UTF8.self)
    }

    /// The slow path: decodes escapes into `scratch`, from the first stop byte at `runEnd`.
    mutating func parseEscapedString(open: Int, runEnd: Int) throws(JSONSyntaxError) -> String {
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
        let valid = scratch.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { UTF8Validation.isValid($0, count: buffer.count) } ?? true
        }
        guard valid else {
            throw JSONSyntaxError(column: open + 1, message: "invalid UTF-8 in string")
        }
        return String(decoding: scratch, as: UTF8.self)
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
            let shown = letter >= 0x20 && letter < 0x7F ? "'\\\(Character(Unicode.Scalar(letter)))'" : hexByte(letter)
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
        return hexByte(byte)
    }

    func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "byte 0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 0x0F)])"
    }
}
