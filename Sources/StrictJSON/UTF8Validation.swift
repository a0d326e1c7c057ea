/// Strict UTF-8 validation (Unicode 15, table 3-7): no overlong forms, no surrogates, nothing
/// above U+10FFFF, no truncated sequences. Runs of ASCII are checked eight bytes at a time.
public enum UTF8Validation {
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether `count` bytes at `start` are valid UTF-8.
    @inline(__always)
    public static func isValid(_ start: UnsafePointer<UInt8>, count: Int) -> Bool {
        var i = 0
        let raw = UnsafeRawPointer(start)
        while i + 8 <= count {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & highBits != 0 {
                return validateSlow(start, from: i, count: count)
            }
            i += 8
        }
        while i < count {
            if start[i] >= 0x80 { return validateSlow(start, from: i, count: count) }
            i += 1
        }
        return true
    }

    /// Whether the bytes of `buffer` are valid UTF-8.
    public static func isValid(_ buffer: UnsafeRawBufferPointer) -> Bool {
        guard let base = buffer.baseAddress else { return true }
        return isValid(base.assumingMemoryBound(to: UInt8.self), count: buffer.count)
    }

    private static func validateSlow(_ p: UnsafePointer<UInt8>, from: Int, count: Int) -> Bool {
        var i = from
        while i < count {
            let b0 = p[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return false
            }
            guard i + length <= count else { return false }
            let b1 = p[i + 1]
            guard b1 >= low && b1 <= high else { return false }
            var k = 2
            while k < length {
                guard p[i + k] & 0xC0 == 0x80 else { return false }
                k += 1
            }
            i += length
        }
        return true
    }
}
