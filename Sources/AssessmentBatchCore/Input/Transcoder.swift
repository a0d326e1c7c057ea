/// Bytes that are not text in the file's encoding: the reader reports them at the line it has
/// reached, since only the reader counts lines.
public struct UndecodableText: Error, Equatable, Sendable {
    /// A lower-case sentence fragment, e.g. `byte 81 is undefined in Windows-1252`.
    public var message: String
}

/// Turns a file in UTF-16, Windows-1252 or ISO-8859-15 into UTF-8, chunk by chunk, in front of
/// the byte-level readers (which then see the same bytes as for a UTF-8 file, so the UTF-8
/// path has no extra step and line numbers stay the file's lines).
///
/// Input is decoded in slices into one fixed output buffer, so memory stays one slice whatever
/// the file's size. A UTF-16 code unit or surrogate pair split across chunks is carried over.
/// Hand-written (no library in reach decodes Windows-1252 in a stream): runs of ASCII go eight
/// bytes at a time, the rest through a 128-entry table. Nothing is replaced: a byte that is not
/// a character, or an unpaired surrogate, ends decoding with `UndecodableText` after the text
/// before it was handed on.
public struct Transcoder: ~Copyable {
    public let encoding: TextEncoding
    /// Output room; input slices are sized so that their UTF-8 always fits.
    private static let outputCapacity = 192 << 10
    private let output: UnsafeMutablePointer<UInt8>
    /// Per byte 80–FF, its UTF-8 (see `SingleByteCode`); unused for UTF-16.
    private let table: UnsafeMutablePointer<UInt32>
    /// Bytes of an incomplete UTF-16 character from the previous chunk (at most 3).
    private var carry: [UInt8] = []
    /// BOM bytes still to skip at the start.
    private var skip: Int

    /// A transcoder from `encoding` (not UTF-8), skipping the file's BOM when it has one.
    public init(encoding: TextEncoding, byteOrderMark: Bool) {
        precondition(encoding != .utf8, "UTF-8 input is read as it is")
        self.encoding = encoding
        skip = byteOrderMark ? encoding.byteOrderMark.count : 0
        output = .allocate(capacity: Self.outputCapacity)
        table = .allocate(capacity: 128)
        let source = encoding == .iso885915 ? SingleByteCode.iso885915UTF8 : SingleByteCode.windows1252UTF8
        source.withUnsafeBufferPointer { table.initialize(from: $0.baseAddress!, count: 128) }
    }

    deinit {
        output.deallocate()
        table.deallocate()
    }

    /// Decodes `bytes`, calling `body` with the UTF-8 of each slice (valid only during the call).
    ///
    /// - Throws: `UndecodableText` at the first byte that is not text (after `body` got what
    ///   came before it), or whatever `body` throws.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let raw = bytes.baseAddress, bytes.count > 0 else { return }
        var p = 0
        let end = bytes.count
        let source = raw.assumingMemoryBound(to: UInt8.self)
        if skip > 0 {
            let skipped = min(skip, end)
            skip -= skipped
            p = skipped
        }
        if !carry.isEmpty && p < end {
            // Complete the carried character with this chunk's first bytes (never more than 4
            // are needed), decode that, and go on where it stopped.
            let taken = min(end - p, 4)
            var joined = carry
            joined.append(contentsOf: UnsafeBufferPointer(start: source + p, count: taken))
            let held = carry.count
            let step = joined.withUnsafeBufferPointer { decodeSlice($0.baseAddress!, count: $0.count) }
            try flush(step.produced, body)
            if let error = step.error { throw error }
            if step.consumed < held {
                carry = joined  // still incomplete: the chunk was tiny
                return
            }
            carry = []
            p += step.consumed - held
        }
        let sliceLimit = isUTF16 ? Self.outputCapacity * 2 / 3 - 8 : Self.outputCapacity / 3 - 8
        while p < end {
            let count = min(end - p, sliceLimit)
            let step = decodeSlice(source + p, count: count)
            try flush(step.produced, body)
            if let error = step.error { throw error }
            let sliceEnd = p + count
            p += step.consumed
            if step.consumed < count && sliceEnd == end {
                // An incomplete character at the very end of the chunk (inside the chunk, the
                // next slice starts with it).
                carry = Array(UnsafeBufferPointer(start: source + p, count: end - p))
                return
            }
        }
    }

    /// Ends the input: a character still incomplete is an error.
    public mutating func finish() throws(UndecodableText) {
        defer { carry = [] }
        if !carry.isEmpty {
            let hex = carry.map(\.hex).joined(separator: " ")
            throw UndecodableText(message: "the file ends inside a \(encoding.name) character (bytes \(hex))")
        }
    }

    private var isUTF16: Bool {
        if case .utf16 = encoding { return true }
        return false
    }

    private func flush(_ count: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if count > 0 { try body(UnsafeRawBufferPointer(start: output, count: count)) }
    }

    /// What decoding a slice did.
    private struct Step {
        var consumed: Int
        var produced: Int
        var error: UndecodableText?
    }

    private func decodeSlice(_ source: UnsafePointer<UInt8>, count: Int) -> Step {
        switch encoding {
        case .utf16(let bigEndian):
            bigEndian ? Self.decodeUTF16(source, count, output, bigEndian: true) : Self.decodeUTF16(source, count, output, bigEndian: false)
        case .windows1252, .iso885915:
            Self.decodeSingleByte(source, count, output, table: table, encoding: encoding)
        case .utf8:
            preconditionFailure("UTF-8 input is read as it is")
        }
    }

    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    private static func decodeSingleByte(_ source: UnsafePointer<UInt8>, _ count: Int, _ out: UnsafeMutablePointer<UInt8>,
                                         table: UnsafePointer<UInt32>, encoding: TextEncoding) -> Step {
        var i = 0, o = 0
        let raw = UnsafeRawPointer(source)
        let outRaw = UnsafeMutableRawPointer(out)
        while i < count {
            if i + 8 <= count {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if word & highBits == 0 {
                    outRaw.storeBytes(of: word, toByteOffset: o, as: UInt64.self)
                    i += 8
                    o += 8
                    continue
                }
            }
            let byte = source[i]
            if byte < 0x80 {
                out[o] = byte
                o += 1
                i += 1
                continue
            }
            let packed = table[Int(byte) - 0x80]
            let length = Int(packed >> 24)
            if length == 0 {
                return Step(consumed: i, produced: o, error: undefined(byte, in: encoding))
            }
            out[o] = UInt8(truncatingIfNeeded: packed)
            out[o + 1] = UInt8(truncatingIfNeeded: packed >> 8)
            out[o + 2] = UInt8(truncatingIfNeeded: packed >> 16)  // written past `length` harmlessly: the slice leaves room
            o += length
            i += 1
        }
        return Step(consumed: i, produced: o)
    }

    private static func undefined(_ byte: UInt8, in encoding: TextEncoding) -> UndecodableText {
        if encoding == .iso885915 {
            let windows = SingleByteCode.windows1252Scalars[Int(byte) - 0x80]
            let hint = windows == 0 ? "" : ": in Windows-1252 it is \(Character(Unicode.Scalar(windows)!)), pass --encoding windows-1252"
            return UndecodableText(message: "byte \(byte.hex) is a control code in ISO-8859-15, not text\(hint)")
        }
        return UndecodableText(message: "byte \(byte.hex) is undefined in \(encoding.name) (is the file in another encoding?)")
    }

    @inline(__always)
    private static func decodeUTF16(_ source: UnsafePointer<UInt8>, _ count: Int, _ out: UnsafeMutablePointer<UInt8>,
                                    bigEndian: Bool) -> Step {
        var i = 0, o = 0
        let raw = UnsafeRawPointer(source)
        // Four code units below 0x80 at once: their high bytes are zero and their low bytes ASCII.
        let asciiMask: UInt64 = bigEndian ? 0x80FF_80FF_80FF_80FF : 0xFF80_FF80_FF80_FF80
        let shift: UInt64 = bigEndian ? 8 : 0
        while i + 2 <= count {
            if i + 8 <= count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                if word & asciiMask == 0 {
                    out[o] = UInt8(truncatingIfNeeded: word >> shift)
                    out[o + 1] = UInt8(truncatingIfNeeded: word >> (16 + shift))
                    out[o + 2] = UInt8(truncatingIfNeeded: word >> (32 + shift))
                    out[o + 3] = UInt8(truncatingIfNeeded: word >> (48 + shift))
                    i += 8
                    o += 4
                    continue
                }
            }
            let unit = bigEndian ? UInt32(source[i]) << 8 | UInt32(source[i + 1]) : UInt32(source[i + 1]) << 8 | UInt32(source[i])
            if unit < 0x80 {
                out[o] = UInt8(unit)
                o += 1
            } else if unit < 0x800 {
                out[o] = UInt8(0xC0 | unit >> 6)
                out[o + 1] = UInt8(0x80 | unit & 0x3F)
                o += 2
            } else if unit & 0xF800 != 0xD800 {
                out[o] = UInt8(0xE0 | unit >> 12)
                out[o + 1] = UInt8(0x80 | unit >> 6 & 0x3F)
                out[o + 2] = UInt8(0x80 | unit & 0x3F)
                o += 3
            } else if unit < 0xDC00 {
                guard i + 4 <= count else { break }  // the pair's second half is in the next chunk
                let low = bigEndian ? UInt32(source[i + 2]) << 8 | UInt32(source[i + 3]) : UInt32(source[i + 3]) << 8 | UInt32(source[i + 2])
                guard low & 0xFC00 == 0xDC00 else {
                    return Step(consumed: i, produced: o, error: unpaired(unit))
                }
                let scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                out[o] = UInt8(0xF0 | scalar >> 18)
                out[o + 1] = UInt8(0x80 | scalar >> 12 & 0x3F)
                out[o + 2] = UInt8(0x80 | scalar >> 6 & 0x3F)
                out[o + 3] = UInt8(0x80 | scalar & 0x3F)
                o += 4
                i += 2
            } else {
                return Step(consumed: i, produced: o, error: unpaired(unit))
            }
            i += 2
        }
        return Step(consumed: i, produced: o)
    }

    private static func unpaired(_ unit: UInt32) -> UndecodableText {
        UndecodableText(message: "invalid UTF-16: unpaired surrogate \(String(unit, radix: 16, uppercase: true))")
    }
}

extension UInt8 {
    /// Two upper-case hex digits, as messages show bytes.
    var hex: String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(self >> 4)], digits[Int(self & 0xF)]])
    }
}

extension ChunkedFileReader {
    /// Calls `body` with the file's text as UTF-8: the chunks themselves for a UTF-8 file,
    /// decoded ones otherwise. Hashes the file's own bytes.
    ///
    /// The one place a byte order mark is dropped (`byteOrderMark`: the file starts with its
    /// encoding's): the readers after it see text only.
    ///
    /// - Throws: `UndecodableText`, `FileError`, or whatever `body` throws.
    func forEachUTF8Chunk(encoding: TextEncoding, byteOrderMark: Bool, hashingInto digest: inout SHA256,
                          _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard encoding != .utf8 else {
            guard byteOrderMark else {
                try forEachChunk(hashingInto: &digest, body)
                return
            }
            // Chunks are large, but a BOM split over chunks is still dropped whole.
            var skip = encoding.byteOrderMark.count
            try forEachChunk(hashingInto: &digest) { chunk in
                let skipped = min(skip, chunk.count)
                skip -= skipped
                if skipped < chunk.count { try body(UnsafeRawBufferPointer(rebasing: chunk[skipped...])) }
            }
            return
        }
        var transcoder = Transcoder(encoding: encoding, byteOrderMark: byteOrderMark)
        try forEachChunk(hashingInto: &digest) { chunk in try transcoder.decode(chunk, body) }
        try transcoder.finish()
    }
}

extension Transcoder {
    /// The UTF-8 of the start of a file, without its byte order mark, for sniffing its
    /// delimiter and line ending: decodes until the first problem or the end of `prefix`,
    /// whichever comes first.
    static func decodedPrefix(_ prefix: [UInt8], encoding: TextEncoding, byteOrderMark: Bool) -> [UInt8] {
        guard encoding != .utf8 else { return byteOrderMark ? Array(prefix.dropFirst(encoding.byteOrderMark.count)) : prefix }
        var transcoder = Transcoder(encoding: encoding, byteOrderMark: byteOrderMark)
        var text: [UInt8] = []
        try? prefix.withUnsafeBytes { bytes in try transcoder.decode(bytes) { text.append(contentsOf: $0) } }
        return text
    }
}
