/// The bytes of an XML part as they are built: markup appended as is, text escaped for element
/// content or attributes, numbers as digits. A byte array rather than strings: the sheet part
/// of a 100,000-row export is tens of megabytes built one small piece at a time.
struct WriteXML {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends markup verbatim (only ever ASCII constants of this module).
    mutating func raw(_ markup: StaticString) {
        markup.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends bytes verbatim.
    mutating func raw(_ markup: [UInt8]) {
        bytes.append(contentsOf: markup)
    }

    /// Appends markup built at run time; the caller has escaped what needs it.
    mutating func raw(string: String) {
        bytes.append(contentsOf: string.utf8)
    }

    /// Appends `value` in decimal.
    mutating func number(_ value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            // Int.min has no positive counterpart: print it through its magnitude.
            appendDigits(value.magnitude)
        } else {
            appendDigits(UInt(value))
        }
    }

    private mutating func appendDigits(_ value: UInt) {
        if value < 10 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(value))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: enough for 20 digits
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[23 - count] = UInt8(ascii: "0") &+ UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            bytes.append(contentsOf: buffer[(24 - count)...])
        }
    }

    /// Whether a `<t>` holding `text` needs `xml:space="preserve"`: Excel trims leading and
    /// trailing white space and may fold line breaks in a `<t>` without it.
    static func needsPreserve(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = text.first, let last = text.last else { return false }
        if isSpace(first) || isSpace(last) { return true }
        return text.contains { $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Appends `text` as element content of a `<t>`: `<`, `>` and `&` as entities, and as
    /// ECMA-376's `_xHHHH_` escape (Part 1, 22.9.2.19 ST_Xstring) every character XML 1.0
    /// cannot carry (controls other than tab and line feed; U+FFFE, U+FFFF), a carriage return
    /// (an XML parser would turn it into a line feed), and the `_` of a literal `_xHHHH_`
    /// (as `_x005F_`), so every reader that decodes the escape gets the text back exactly.
    mutating func text(_ text: String) {
        var text = text
        text.withUTF8 { appendText($0) }
    }

    /// ``text(_:)`` on UTF-8 bytes.
    mutating func appendText(_ source: UnsafeBufferPointer<UInt8>) {
        let count = source.count
        var runStart = 0
        var index = 0
        while index < count {
            let byte = source[index]
            // Most bytes of most texts are plain: one comparison each on the common path.
            if byte > UInt8(ascii: ">") && byte != UInt8(ascii: "_") && byte != 0xEF {
                index += 1
                continue
            }
            var replacement: StaticString?
            var escapeScalar: UInt32?
            var consumed = 1
            switch byte {
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "_"):
                if Self.startsEscape(source, at: index) { replacement = "_x005F_" }
            case 0xEF:
                // U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML characters.
                if index + 2 < count && source[index + 1] == 0xBF && (source[index + 2] == 0xBE || source[index + 2] == 0xBF) {
                    escapeScalar = source[index + 2] == 0xBE ? 0xFFFE : 0xFFFF
                    consumed = 3
                }
            case 0x09, 0x0A:
                break
            default:
                if byte < 0x20 { escapeScalar = UInt32(byte) }
            }
            if replacement == nil && escapeScalar == nil {
                index += 1
                continue
            }
            if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<index])) }
            if let replacement {
                raw(replacement)
            } else if let escapeScalar {
                appendEscape(escapeScalar)
            }
            index += consumed
            runStart = index
        }
        if runStart < count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<count])) }
    }

    /// Whether `_x`, one to four hex digits (either case) and `_` start at `index`: ECMA-376's
    /// escape has four digits, but LibreOffice also decodes shorter ones (`_x12_`), so those
    /// are protected too; a strict reader decodes `_x005F_` and reads the rest as written.
    private static func startsEscape(_ source: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard index + 3 < source.count, source[index + 1] == UInt8(ascii: "x") else { return false }
        var digits = 0
        var position = index + 2
        while position < source.count, digits < 4, hexValue(source[position]) != nil {
            digits += 1
            position += 1
        }
        return digits > 0 && position < source.count && source[position] == UInt8(ascii: "_")
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Appends `_xHHHH_` (upper-case hex, as Excel writes it).
    private mutating func appendEscape(_ scalar: UInt32) {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        bytes.append(contentsOf: [UInt8(ascii: "_"), UInt8(ascii: "x")])
        for shift in stride(from: 12, through: 0, by: -4) {
            bytes.append(hex[Int((scalar >> UInt32(shift)) & 0xF)])
        }
        bytes.append(UInt8(ascii: "_"))
    }

    /// Appends `text` as an attribute value between double quotes: `&`, `<`, `>` and `"` as
    /// entities, tab and line breaks as character references (attribute values are
    /// whitespace-normalised otherwise); other controls, which XML 1.0 cannot carry, are left out.
    mutating func attribute(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): raw("&amp;")
            case UInt8(ascii: "<"): raw("&lt;")
            case UInt8(ascii: ">"): raw("&gt;")
            case UInt8(ascii: "\""): raw("&quot;")
            case 0x09: raw("&#9;")
            case 0x0A: raw("&#10;")
            case 0x0D: raw("&#13;")
            case 0..<0x20: break
            default: bytes.append(byte)
            }
        }
    }
}
