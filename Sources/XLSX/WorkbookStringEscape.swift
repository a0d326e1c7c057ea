#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Office Open XML's escape for characters XML cannot carry (ECMA-376 Part 1, 22.9.2.19
/// `ST_Xstring`): `_xHHHH_` is the UTF-16 code unit HHHH (`_x000D_` a carriage return,
/// `_x0001_` a control character), and `_x005F_` escapes an underscore, so `_x005F_x000D_`
/// reads as the literal text `_x000D_`.
enum WorkbookStringEscape {
    /// Appends `raw` to `out` with every escape decoded (surrogate pairs joined).
    static func decode(_ raw: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        guard let base = raw.baseAddress, memchr(base, Int32(UInt8(ascii: "_")), raw.count) != nil else {
            out.append(contentsOf: raw)
            return
        }
        var index = 0
        let count = raw.count
        var pendingHigh: UInt16?
        while index < count {
            if let unit = codeUnit(raw, at: index) {
                if let high = pendingHigh {
                    pendingHigh = nil
                    if (0xDC00...0xDFFF).contains(unit) {
                        let scalar = 0x10000 + (UInt32(high - 0xD800) << 10) + UInt32(unit - 0xDC00)
                        append(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &out)
                        index += 7
                        continue
                    }
                    append("\u{FFFD}", to: &out)
                }
                if (0xD800...0xDBFF).contains(unit) {
                    pendingHigh = unit
                } else {
                    append(Unicode.Scalar(UInt32(unit)) ?? "\u{FFFD}", to: &out)
                }
                index += 7
                continue
            }
            if pendingHigh != nil {
                pendingHigh = nil
                append("\u{FFFD}", to: &out)
            }
            out.append(raw[index])
            index += 1
        }
        if pendingHigh != nil { append("\u{FFFD}", to: &out) }
    }

    /// The code unit of an escape starting at `index` (`_x` 4 hex digits `_`), if one does.
    private static func codeUnit(_ raw: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt16? {
        guard index + 7 <= raw.count, raw[index] == UInt8(ascii: "_"), raw[index + 1] == UInt8(ascii: "x"),
              raw[index + 6] == UInt8(ascii: "_") else { return nil }
        var value: UInt16 = 0
        for offset in 2..<6 {
            let byte = raw[index + offset]
            let digit: UInt16
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt16(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt16(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt16(byte - UInt8(ascii: "A")) + 10
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }

    private static func append(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        var encoded: [UInt8] = []
        UTF8.encode(scalar) { encoded.append($0) }
        out.append(contentsOf: encoded)
    }
}
