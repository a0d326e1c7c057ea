#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Texts decoded so far, looked up by their UTF-8 bytes: a repeated text (calibration files
/// repeat reasons and assessment-level texts on every row) costs a hash lookup instead of a new
/// string, and all its copies share one buffer.
///
/// Hand-written rather than a `Set<String>`: finding a text there needs a `String` built first,
/// which is the allocation this pool exists to avoid. Bounded: past `limit` distinct texts, new
/// ones are not looked up again, so a file of unique texts does not pay for a huge hash table.
struct TextPool {
    /// Every text handed out by index, then the kept ones handed out as strings.
    private var strings: [String] = []
    /// Open addressing with linear probing; 0 is empty, else the text's 32-bit hash in the high
    /// half and its index in `strings` plus one in the low half.
    private var slots: [UInt64]
    private var mask: Int
    /// How many texts can be found again.
    private var kept = 0
    let limit: Int
    /// Per pool, so crafted texts cannot be made to collide in advance.
    private let seed = UInt64.random(in: .min ... .max)

    init(limit: Int = 100_000) {
        self.limit = limit
        slots = [UInt64](repeating: 0, count: 64)
        mask = 63
    }

    /// The kept string with these bytes, or a new one (kept while there is room).
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        switch find(bytes) {
        case .found(let index):
            return strings[index]
        case .missing(let slot, let hash):
            let text = String(decoding: bytes, as: UTF8.self)
            if kept < limit { keep(text, slot: slot, hash: hash) }
            return text
        }
    }

    /// The index of the text with these bytes in `table()`: a kept one, or a new one (which
    /// later lookups find while there is room).
    mutating func index(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        switch find(bytes) {
        case .found(let index):
            return Int32(index)
        case .missing(let slot, let hash):
            let text = String(decoding: bytes, as: UTF8.self)
            if kept < limit {
                keep(text, slot: slot, hash: hash)
            } else {
                strings.append(text)
            }
            return Int32(strings.count - 1)
        }
    }

    /// The text at `index` (from `index(_:)`).
    func text(at index: Int32) -> String {
        strings[Int(index)]
    }

    /// Every text handed out by index, at its index.
    func table() -> TextTable {
        TextTable(strings)
    }

    private enum Lookup {
        case found(Int)
        /// Where the text would go.
        case missing(slot: Int, hash: UInt32)
    }

    private func find(_ bytes: UnsafeBufferPointer<UInt8>) -> Lookup {
        let hash = Self.hash(bytes, seed: seed)
        var slot = Int(hash) & mask
        while slots[slot] != 0 {
            let entry = slots[slot]
            if UInt32(truncatingIfNeeded: entry >> 32) == hash {
                let index = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                if Self.equal(strings[index], bytes) { return .found(index) }
            }
            slot = (slot + 1) & mask
        }
        return .missing(slot: slot, hash: hash)
    }

    private mutating func keep(_ text: String, slot: Int, hash: UInt32) {
        strings.append(text)
        kept += 1
        slots[slot] = UInt64(hash) << 32 | UInt64(strings.count)
        if kept * 2 > slots.count { grow() }
    }

    private static func equal(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { stored in
            stored.count == bytes.count && (bytes.isEmpty || memcmp(stored.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
        } ?? text.utf8.elementsEqual(bytes)
    }

    /// A seeded multiply-xorshift hash, eight bytes at a time (`Hasher`'s SipHash costs several
    /// times more per short text, and a text is hashed per cell).
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt32 {
        var state = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        guard let base = bytes.baseAddress else { return UInt32(truncatingIfNeeded: state >> 32) }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset + 8 <= bytes.count {
            state = mix(state ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        if offset < bytes.count {
            var tail: UInt64 = 0
            for index in offset..<bytes.count {
                tail = tail << 8 | UInt64(base[index])
            }
            state = mix(state ^ tail)
        }
        return UInt32(truncatingIfNeeded: mix(state) >> 32)
    }

    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        var x = value &* 0xBF58_476D_1CE4_E5B9
        x ^= x >> 31
        return x &* 0x94D0_49BB_1331_11EB
    }

    /// Doubles the table, placing every entry again by its stored hash.
    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        for entry in old where entry != 0 {
            var slot = Int(entry >> 32) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
    }
}
