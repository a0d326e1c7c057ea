// A small, strict JSON reader and a fast JSON writer.
//
// The reader keeps what a strict API needs and Foundation's JSONSerialization loses: whether a
// number was written as an integer literal, the order of object keys, and duplicate keys (which
// are rejected). The writer appends UTF-8 bytes to an array; it is what every response uses.

/// A parsed JSON value. Objects keep their keys in document order.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number written as an integer literal (no fraction, no exponent) that fits in `Int64`.
    case int(Int64)
    /// Any other number.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where x.key != y.key || x.value != y.value { return false }
            return true
        default: return false
        }
    }

    /// The JSON type name used in error messages.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Looks a key up in an object (nil for other values or a missing key).
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for member in members where member.key == key { return member.value }
        return nil
    }
}

/// A JSON syntax error with the byte offset where it was found.
struct JSONSyntaxError: Error, CustomStringConvertible {
    var offset: Int
    var message: String
    var description: String { "malformed JSON at byte \(self.offset): \(self.message)" }
}

/// Strict RFC 8259 parser: no comments, no trailing commas, no leading zeros, no control
/// characters in strings, no lone surrogates, no duplicate keys, nesting depth at most 64,
/// nothing but whitespace after the value.
struct JSONParser {
    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    private static let maxDepth = 64

    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else {
            throw JSONSyntaxError(offset: parser.index, message: "unexpected data after the JSON value")
        }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func skipWhitespace() {
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case 0x20, 0x09, 0x0A, 0x0D: self.index += 1
            default: return
            }
        }
    }

    private func fail(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: self.index, message: message)
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard self.index < self.bytes.count else { throw self.fail("unexpected end of input") }
        switch self.bytes[self.index] {
        case UInt8(ascii: "{"): return try self.parseObject()
        case UInt8(ascii: "["): return try self.parseArray()
        case UInt8(ascii: "\""): return .string(try self.parseString())
        case UInt8(ascii: "t"): try self.expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try self.expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try self.expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try self.parseNumber()
        default: throw self.fail("unexpected character '\(Self.printable(self.bytes[self.index]))'")
        }
    }

    private static func printable(_ byte: UInt8) -> String {
        (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\u{\(String(byte, radix: 16))}"
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard self.index + count <= self.bytes.count else { throw self.fail("invalid literal") }
        let matches = literal.withUTF8Buffer { buffer in
            for i in 0..<count where self.bytes[self.index + i] != buffer[i] { return false }
            return true
        }
        guard matches else { throw self.fail("invalid literal") }
        self.index += count
    }

    private mutating func enter() throws(JSONSyntaxError) {
        self.depth += 1
        if self.depth > Self.maxDepth { throw self.fail("nesting deeper than \(Self.maxDepth) levels") }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        try self.enter()
        self.index += 1
        var members: [(key: String, value: JSONValue)] = []
        self.skipWhitespace()
        if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "}") {
            self.index += 1
            self.depth -= 1
            return .object(members)
        }
        while true {
            self.skipWhitespace()
            guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\"") else {
                throw self.fail("expected a string key")
            }
            let keyOffset = self.index
            let key = try self.parseString()
            for member in members where member.key == key {
                throw JSONSyntaxError(offset: keyOffset, message: "duplicate key '\(key)'")
            }
            self.skipWhitespace()
            guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ":") else {
                throw self.fail("expected ':' after object key")
            }
            self.index += 1
            self.skipWhitespace()
            let value = try self.parseValue()
            members.append((key: key, value: value))
            self.skipWhitespace()
            guard self.index < self.bytes.count else { throw self.fail("unterminated object") }
            let byte = self.bytes[self.index]
            self.index += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "}") { break }
            self.index -= 1
            throw self.fail("expected ',' or '}' in object")
        }
        self.depth -= 1
        return .object(members)
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        try self.enter()
        self.index += 1
        var elements: [JSONValue] = []
        self.skipWhitespace()
        if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "]") {
            self.index += 1
            self.depth -= 1
            return .array(elements)
        }
        while true {
            self.skipWhitespace()
            elements.append(try self.parseValue())
            self.skipWhitespace()
            guard self.index < self.bytes.count else { throw self.fail("unterminated array") }
            let byte = self.bytes[self.index]
            self.index += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "]") { break }
            self.index -= 1
            throw self.fail("expected ',' or ']' in array")
        }
        self.depth -= 1
        return .array(elements)
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        guard self.index + 4 <= self.bytes.count else { throw self.fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = self.bytes[self.index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw self.fail("invalid hex digit in \\u escape")
            }
            value = value * 16 + digit
            self.index += 1
        }
        return value
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        self.index += 1  // opening quote
        let start = self.index
        // Fast path: no escapes.
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            if byte == UInt8(ascii: "\"") {
                let slice = self.bytes[start..<self.index]
                self.index += 1
                guard let string = String(validating: slice, as: UTF8.self) else {
                    throw JSONSyntaxError(offset: start, message: "string is not valid UTF-8")
                }
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw self.fail("control character in string") }
            self.index += 1
        }
        var output = Array(self.bytes[start..<self.index])
        while true {
            guard self.index < self.bytes.count else { throw self.fail("unterminated string") }
            let byte = self.bytes[self.index]
            if byte == UInt8(ascii: "\"") {
                self.index += 1
                break
            }
            if byte < 0x20 { throw self.fail("control character in string") }
            if byte != UInt8(ascii: "\\") {
                output.append(byte)
                self.index += 1
                continue
            }
            self.index += 1
            guard self.index < self.bytes.count else { throw self.fail("unterminated escape") }
            let escape = self.bytes[self.index]
            self.index += 1
            switch escape {
            case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): output.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalarValue = try self.parseHex4()
                if (0xD800...0xDBFF).contains(scalarValue) {
                    guard self.index + 2 <= self.bytes.count,
                        self.bytes[self.index] == UInt8(ascii: "\\"),
                        self.bytes[self.index + 1] == UInt8(ascii: "u")
                    else { throw self.fail("lone high surrogate in \\u escape") }
                    self.index += 2
                    let low = try self.parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw self.fail("invalid low surrogate") }
                    scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalarValue) {
                    throw self.fail("lone low surrogate in \\u escape")
                }
                guard let scalar = Unicode.Scalar(scalarValue) else { throw self.fail("invalid \\u escape") }
                output.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw self.fail("invalid escape '\\\(Self.printable(escape))'")
            }
        }
        guard let string = String(validating: output, as: UTF8.self) else {
            throw JSONSyntaxError(offset: start, message: "string is not valid UTF-8")
        }
        return string
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = self.index
        var isInteger = true
        if self.bytes[self.index] == UInt8(ascii: "-") { self.index += 1 }
        guard self.index < self.bytes.count, Self.isDigit(self.bytes[self.index]) else {
            throw self.fail("invalid number")
        }
        if self.bytes[self.index] == UInt8(ascii: "0") {
            self.index += 1
            if self.index < self.bytes.count, Self.isDigit(self.bytes[self.index]) {
                throw self.fail("leading zero in number")
            }
        } else {
            while self.index < self.bytes.count, Self.isDigit(self.bytes[self.index]) { self.index += 1 }
        }
        if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ".") {
            isInteger = false
            self.index += 1
            guard self.index < self.bytes.count, Self.isDigit(self.bytes[self.index]) else {
                throw self.fail("expected a digit after '.'")
            }
            while self.index < self.bytes.count, Self.isDigit(self.bytes[self.index]) { self.index += 1 }
        }
        if self.index < self.bytes.count,
            self.bytes[self.index] == UInt8(ascii: "e") || self.bytes[self.index] == UInt8(ascii: "E")
        {
            isInteger = false
            self.index += 1
            if self.index < self.bytes.count,
                self.bytes[self.index] == UInt8(ascii: "+") || self.bytes[self.index] == UInt8(ascii: "-")
            {
                self.index += 1
            }
            guard self.index < self.bytes.count, Self.isDigit(self.bytes[self.index]) else {
                throw self.fail("expected a digit in exponent")
            }
            while self.index < self.bytes.count, Self.isDigit(self.bytes[self.index]) { self.index += 1 }
        }
        let text = String(decoding: self.bytes[start..<self.index], as: UTF8.self)
        if isInteger, let value = Int64(text) { return .int(value) }
        guard let value = Double(text), value.isFinite else {
            throw JSONSyntaxError(offset: start, message: "number out of range")
        }
        return .double(value)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}

/// Appends compact JSON to a byte array. Callers are responsible for structure (commas are
/// handled by the `object`/`array` helpers and `field`).
struct JSONWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 1024) {
        self.bytes.reserveCapacity(capacity)
    }

    @inline(__always) mutating func raw(_ literal: StaticString) {
        literal.withUTF8Buffer { self.bytes.append(contentsOf: $0) }
    }

    @inline(__always) mutating func byte(_ byte: UInt8) {
        self.bytes.append(byte)
    }

    mutating func null() { self.raw("null") }

    mutating func bool(_ value: Bool) { value ? self.raw("true") : self.raw("false") }

    mutating func int<I: BinaryInteger>(_ value: I) {
        let magnitude = UInt64(value.magnitude)
        if value < 0 { self.bytes.append(UInt8(ascii: "-")) }
        if magnitude == 0 {
            self.bytes.append(UInt8(ascii: "0"))
            return
        }
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            self.bytes.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        }
    }

    mutating func optionalInt<I: BinaryInteger>(_ value: I?) {
        if let value { self.int(value) } else { self.null() }
    }

    mutating func double(_ value: Double) {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            self.int(Int64(value))
        } else if value.isFinite {
            self.bytes.append(contentsOf: Array(value.description.utf8))
        } else {
            self.null()
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    mutating func string(_ value: String) {
        self.bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): self.raw("\\\"")
            case UInt8(ascii: "\\"): self.raw("\\\\")
            case 0x0A: self.raw("\\n")
            case 0x0D: self.raw("\\r")
            case 0x09: self.raw("\\t")
            case 0x00..<0x20:
                self.raw("\\u00")
                self.bytes.append(Self.hex[Int(byte >> 4)])
                self.bytes.append(Self.hex[Int(byte & 0x0F)])
            default: self.bytes.append(byte)
            }
        }
        self.bytes.append(UInt8(ascii: "\""))
    }

    mutating func optionalString(_ value: String?) {
        if let value { self.string(value) } else { self.null() }
    }

    /// Writes `"key":` (the key must not need escaping).
    @inline(__always) mutating func key(_ key: StaticString) {
        self.bytes.append(UInt8(ascii: "\""))
        self.raw(key)
        self.raw("\":")
    }

    mutating func value(_ value: JSONValue) {
        switch value {
        case .null: self.null()
        case .bool(let b): self.bool(b)
        case .int(let i): self.int(i)
        case .double(let d): self.double(d)
        case .string(let s): self.string(s)
        case .array(let elements):
            self.byte(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { self.byte(UInt8(ascii: ",")) }
                self.value(element)
            }
            self.byte(UInt8(ascii: "]"))
        case .object(let members):
            self.byte(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                if i > 0 { self.byte(UInt8(ascii: ",")) }
                self.string(member.key)
                self.byte(UInt8(ascii: ":"))
                self.value(member.value)
            }
            self.byte(UInt8(ascii: "}"))
        }
    }
}
