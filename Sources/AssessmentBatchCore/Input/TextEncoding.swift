/// The character encodings an input file can be in; failures files are written in the same one.
public enum TextEncoding: Sendable, Equatable {
    case utf8
    /// UTF-16 in one byte order (Excel's "Unicode Text" is little-endian with a BOM).
    case utf16(bigEndian: Bool)
    /// The Windows code page Excel's plain "CSV" uses on Western European Windows.
    case windows1252
    /// Latin-9: Latin-1 with `€ Š š Ž ž Œ œ Ÿ` in eight of its places.
    case iso885915

    /// The name used in messages and in the run report, e.g. `Windows-1252`.
    public var name: String {
        switch self {
        case .utf8: "UTF-8"
        case .utf16(let bigEndian): bigEndian ? "UTF-16BE" : "UTF-16LE"
        case .windows1252: "Windows-1252"
        case .iso885915: "ISO-8859-15"
        }
    }

    /// The byte order mark written before the text when the input had one.
    public var byteOrderMark: [UInt8] {
        switch self {
        case .utf8: [0xEF, 0xBB, 0xBF]
        case .utf16(let bigEndian): bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]
        case .windows1252, .iso885915: []
        }
    }

    /// The text in this encoding. Characters the encoding lacks become `?`; callers that may
    /// hold such characters pass the text through `transliterated(_:)` first.
    public func encode(_ text: String) -> [UInt8] {
        switch self {
        case .utf8:
            return Array(text.utf8)
        case .utf16(let bigEndian):
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.utf8.count * 2)
            for unit in text.utf16 {
                let (high, low) = (UInt8(unit >> 8), UInt8(unit & 0xFF))
                bytes.append(bigEndian ? high : low)
                bytes.append(bigEndian ? low : high)
            }
            return bytes
        case .windows1252, .iso885915:
            let table = self == .windows1252 ? SingleByteCode.windows1252Bytes : SingleByteCode.iso885915Bytes
            return text.unicodeScalars.map { scalar in
                scalar.value < 0x80 ? UInt8(scalar.value) : table[scalar.value] ?? UInt8(ascii: "?")
            }
        }
    }

    /// The text with every character this encoding lacks replaced by a look-alike (`≥` → `>=`,
    /// `→` → `->`, typographic quotes → straight ones), else by `?`. For the tool's own texts in
    /// failures files (the `error` column); the input's own values never need it.
    public func transliterated(_ text: String) -> String {
        guard self == .windows1252 || self == .iso885915 else { return text }
        let table = self == .windows1252 ? SingleByteCode.windows1252Bytes : SingleByteCode.iso885915Bytes
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.value < 0x80 || table[scalar.value] != nil {
                result.unicodeScalars.append(scalar)
            } else {
                result += Self.lookAlikes[scalar] ?? "?"
            }
        }
        return result
    }

    private static let lookAlikes: [Unicode.Scalar: String] = [
        "≥": ">=", "≤": "<=", "≠": "!=", "→": "->", "←": "<-", "…": "...", "–": "-", "—": "-", "‑": "-",
        "„": "\"", "“": "\"", "”": "\"", "‚": "'", "‘": "'", "’": "'", "‹": "<", "›": ">", "•": "*",
        "€": "EUR", "✓": "ok", "✗": "x", "×": "x", "\u{2009}": " ", "\u{202F}": " ",
    ]
}

/// What `--encoding` names: one encoding, or UTF-16 in the byte order its BOM gives.
public enum EncodingOption: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case utf16 = "utf-16"
    case windows1252 = "windows-1252"
    case iso885915 = "iso-8859-15"

    /// Parses a name case-insensitively, with the usual aliases (`cp1252`, `latin-9`, `utf8`...).
    public init?(name: String) {
        switch String(name.lowercased().map { $0 == "_" ? "-" : $0 }) {
        case "utf-8", "utf8": self = .utf8
        case "utf-16", "utf16", "unicode": self = .utf16
        case "windows-1252", "cp1252", "win-1252", "windows1252", "win1252": self = .windows1252
        case "iso-8859-15", "iso8859-15", "latin-9", "latin9": self = .iso885915
        default: return nil
        }
    }
}

/// Decides a file's encoding from its first bytes and `--encoding`.
enum EncodingDetection {
    /// The encoding to read a file starting with `prefix` in, and whether it starts with a BOM;
    /// or a message (for line 1) when the file is UTF-16 without a BOM and nobody said so.
    ///
    /// A byte order mark decides, whatever `--encoding` says: no file in another encoding
    /// starts with one and still holds a header. Without one, `--encoding utf-16` reads
    /// little-endian (what Windows writes) unless the first bytes show the big-endian pattern
    /// (`00 61 00 73`...).
    static func resolve(prefix: [UInt8], option: EncodingOption?) -> Result<(TextEncoding, byteOrderMark: Bool), Message> {
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) { return .success((.utf8, true)) }
        if prefix.starts(with: [0xFF, 0xFE]) { return .success((.utf16(bigEndian: false), true)) }
        if prefix.starts(with: [0xFE, 0xFF]) { return .success((.utf16(bigEndian: true), true)) }
        let pattern = utf16Pattern(prefix)
        switch option {
        case .utf16:
            return .success((.utf16(bigEndian: pattern == .bigEndian), false))
        case .windows1252, .iso885915, .utf8, nil:
            if let pattern {
                let order = pattern == .bigEndian ? "big-endian" : "little-endian"
                return .failure(Message(text: "the file looks like UTF-16 (\(order)) without a byte order mark (a NUL in every other byte): "
                    + "pass --encoding utf-16, or save it from Excel as \"Unicode Text\" or \"CSV UTF-8\""))
            }
            switch option {
            case .windows1252: return .success((.windows1252, false))
            case .iso885915: return .success((.iso885915, false))
            default: return .success((.utf8, false))
            }
        }
    }

    /// A problem found in the first bytes.
    struct Message: Error, Equatable {
        var text: String
    }

    enum ByteOrder { case littleEndian, bigEndian }

    /// UTF-16 text without a BOM: in its first (up to 64) bytes every other byte is NUL and the
    /// rest are not, as in ASCII text such as a header. At least two characters are needed.
    static func utf16Pattern(_ prefix: [UInt8]) -> ByteOrder? {
        let count = min(prefix.count, 64) & ~1
        guard count >= 4 else { return nil }
        var evenZero = true, oddZero = true, evenNonZero = true, oddNonZero = true
        for index in 0..<count {
            if index & 1 == 0 {
                evenZero = evenZero && prefix[index] == 0
                evenNonZero = evenNonZero && prefix[index] != 0
            } else {
                oddZero = oddZero && prefix[index] == 0
                oddNonZero = oddNonZero && prefix[index] != 0
            }
        }
        if oddZero && evenNonZero { return .littleEndian }
        if evenZero && oddNonZero { return .bigEndian }
        return nil
    }

    /// Whether a file that is not UTF-8 reads as Windows-1252 text: no NUL, no byte undefined in
    /// Windows-1252, no control character but tab, CR, LF, and at most one byte in four above
    /// ASCII (Western text has far fewer; random binary has half). Reads the file chunk by chunk.
    static func looksLikeWindows1252(path: String) -> Bool {
        var high = 0, total = 0
        var plausible = true
        do {
            try ChunkedFileReader(path: path).forEachChunk { chunk in
                guard plausible else { return }
                for byte in chunk {
                    if byte >= 0x80 {
                        high += 1
                        if SingleByteCode.windows1252UTF8[Int(byte) - 0x80] == 0 { plausible = false }
                    } else if byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D {
                        plausible = false
                    }
                }
                total += chunk.count
            }
        } catch {
            return false
        }
        return plausible && high * 4 <= total
    }
}

/// The two single-byte code pages, as tables of what each byte above ASCII is.
///
/// The tool's own tables rather than Foundation's `String(data:encoding:)`: that decodes whole
/// buffers only (the reader streams files in chunks), Swift 6.0 on Linux returned nil for
/// `.windowsCP1252`, and the five bytes Windows-1252 leaves undefined (81 8D 8F 90 9D) and the
/// C1 controls of ISO-8859-15 (80–9F, where a Windows-1252 file has `€ „ “ –`) must be errors
/// with their line, never characters replaced in silence.
enum SingleByteCode {
    /// Unicode scalars of Windows-1252's 80–9F; 0 where the byte is undefined. A0–FF are Latin-1.
    private static let windows1252High: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    /// ISO-8859-15's eight changes to Latin-1.
    private static let iso885915Changes: [Int: UInt32] = [
        0xA4: 0x20AC, 0xA6: 0x0160, 0xA8: 0x0161, 0xB4: 0x017D, 0xB8: 0x017E, 0xBC: 0x0152, 0xBD: 0x0153, 0xBE: 0x0178,
    ]

    /// The scalar of each byte 80–FF (index `byte - 0x80`), 0 where it is not text.
    static let windows1252Scalars: [UInt32] = windows1252High + (0xA0...0xFF).map { UInt32($0) }
    static let iso885915Scalars: [UInt32] = [UInt32](repeating: 0, count: 32)
        + (0xA0...0xFF).map { iso885915Changes[$0] ?? UInt32($0) }

    /// Each byte 80–FF as its UTF-8 bytes packed little-endian, the length in the top byte; 0
    /// where the byte is not text.
    static let windows1252UTF8: [UInt32] = windows1252Scalars.map(packedUTF8)
    static let iso885915UTF8: [UInt32] = iso885915Scalars.map(packedUTF8)

    /// Scalar to byte, for writing.
    static let windows1252Bytes: [UInt32: UInt8] = reverse(windows1252Scalars)
    static let iso885915Bytes: [UInt32: UInt8] = reverse(iso885915Scalars)

    private static func packedUTF8(_ scalar: UInt32) -> UInt32 {
        guard scalar != 0, let unicode = Unicode.Scalar(scalar) else { return 0 }
        var packed: UInt32 = 0
        var count: UInt32 = 0
        for byte in String(Character(unicode)).utf8 {
            packed |= UInt32(byte) << (8 * count)
            count += 1
        }
        return packed | count << 24
    }

    private static func reverse(_ scalars: [UInt32]) -> [UInt32: UInt8] {
        var bytes: [UInt32: UInt8] = [:]
        for (offset, scalar) in scalars.enumerated() where scalar != 0 { bytes[scalar] = UInt8(0x80 + offset) }
        return bytes
    }
}
