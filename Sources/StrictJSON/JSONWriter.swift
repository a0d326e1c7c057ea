/// Writes whole `JSONValue` trees as RFC 8259 text (through ``JSONStreamWriter``), and the
/// string escaping every writer shares.
public enum JSONWriter {
    /// Compact (or 2-space pretty) RFC 8259 text; object member order kept; strings escape `"` `\` and control characters (as \n \r \t \b \f or \u00XX), non-ASCII kept as UTF-8, `/` not escaped.
    ///
    /// Pretty output puts each member and element on its own line, writes `"key": value`, and
    /// keeps empty containers as `{}` and `[]`. Numbers are written as their text.
    public static func write(_ value: JSONValue, pretty: Bool = false, into out: inout [UInt8]) {
        write(value, pretty: pretty, indent: 0, into: &out)
    }

    /// The text of `value`; see `write(_:pretty:into:)`.
    public static func string(_ value: JSONValue, pretty: Bool = false) -> String {
        var out: [UInt8] = []
        write(value, pretty: pretty, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `string` as a JSON string literal, with its quotes.
    public static func appendEscaped(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0x0F)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func write(_ value: JSONValue, pretty: Bool, indent: Int, into out: inout [UInt8]) {
        var writer = JSONStreamWriter(pretty: pretty, baseDepth: indent)
        swap(&writer.bytes, &out)
        writer.value(value)
        swap(&writer.bytes, &out)
    }
}
