import StrictJSON
// The simulator's fast response writer, and the small views it needs of the shared
// `StrictJSON` values its requests and seed files are parsed into.

extension JSONValue {
    /// The JSON type name used in error messages (`integer` for an integer literal).
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(let text): return Int64(text) != nil ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// The value of an integer literal (no fraction, no exponent) that fits in `Int64`.
    var int64Value: Int64? {
        guard case .number(let text) = self else { return nil }
        return Int64(text)
    }
}

/// Appends compact JSON to a byte array. Callers are responsible for structure (commas are
/// handled by the `object`/`array` helpers and `field`).
struct ResponseWriter {
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

    /// A number exactly as it was read (already valid JSON number text).
    mutating func rawNumber(_ text: String) {
        self.bytes.append(contentsOf: text.utf8)
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

    mutating func string(_ value: String) {
        JSONWriter.appendEscaped(value, into: &self.bytes)
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
        case .number(let text): self.rawNumber(text)
        case .string(let s): self.string(s)
        case .array(let elements):
            self.byte(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { self.byte(UInt8(ascii: ",")) }
                self.value(element)
            }
            self.byte(UInt8(ascii: "]"))
        case .object(let object):
            let members = object.members
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
