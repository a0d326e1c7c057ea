#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The central directory of a zip file: each entry's name, sizes, checksum, method and where its
/// data starts, read with `pread` from an open file.
///
/// Hand-written (about a hundred lines of the zip format) instead of ZIPFoundation's `Archive`
/// for correctness on hostile files: `Archive.extract` keeps asking for more input when a deflate
/// stream runs past the end of the file (its provider returns empty chunks at EOF and the loop
/// waits for the stream's end), so a crafted or damaged workbook hangs the reader. Here every
/// part's compressed bytes are bounded by its directory entry, and ZIPFoundation's zlib inflate
/// (`Data.decompress`) is fed from that bounded range.
struct ZipDirectoryReader {
    struct Entry {
        var name: String
        var method: UInt16
        var flags: UInt16
        var crc32: UInt32
        var compressedSize: UInt64
        var uncompressedSize: UInt64
        var localHeaderOffset: UInt64
    }

    /// Why the directory could not be read (the caller words the message).
    struct Damage: Error {
        var what: String
    }

    let descriptor: Int32
    let fileSize: UInt64
    private(set) var entries: [Entry] = []

    /// Reads the directory of the open file `descriptor` (not closed here).
    init(descriptor: Int32) throws(Damage) {
        self.descriptor = descriptor
        let end = lseek(descriptor, 0, SEEK_END)
        guard end >= 0 else { throw Damage(what: "cannot tell the file's size") }
        fileSize = UInt64(end)
        guard fileSize >= 22 else { throw Damage(what: "too short for a zip") }
        // The end record is in the last 22 + 65535 (comment) bytes.
        let tailLength = Int(min(fileSize, 22 + 65_535))
        let tail = try read(at: fileSize - UInt64(tailLength), count: tailLength)
        guard let endIndex = stride(from: tail.count - 22, through: 0, by: -1).first(where: { Self.u32(tail, $0) == 0x0605_4B50 }) else {
            throw Damage(what: "no end of central directory")
        }
        var count = UInt64(Self.u16(tail, endIndex + 10))
        var directorySize = UInt64(Self.u32(tail, endIndex + 12))
        var directoryOffset = UInt64(Self.u32(tail, endIndex + 16))
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // ZIP64: a locator just before the end record points at the ZIP64 end record.
            guard endIndex >= 20, Self.u32(tail, endIndex - 20) == 0x0706_4B50 else { throw Damage(what: "no ZIP64 locator") }
            let record = try read(at: Self.u64(tail, endIndex - 20 + 8), count: 56)
            guard Self.u32(record, 0) == 0x0606_4B50 else { throw Damage(what: "no ZIP64 end record") }
            count = Self.u64(record, 32)
            directorySize = Self.u64(record, 40)
            directoryOffset = Self.u64(record, 48)
        }
        guard directoryOffset <= fileSize, directorySize <= fileSize - directoryOffset, directorySize <= 256 << 20,
              count <= directorySize / 46 else {
            throw Damage(what: "the central directory lies outside the file")
        }
        let directory = try read(at: directoryOffset, count: Int(directorySize))
        var position = 0
        for _ in 0..<count {
            guard position + 46 <= directory.count, Self.u32(directory, position) == 0x0201_4B50 else {
                throw Damage(what: "a broken central directory entry")
            }
            let nameLength = Int(Self.u16(directory, position + 28))
            let extraLength = Int(Self.u16(directory, position + 30))
            let commentLength = Int(Self.u16(directory, position + 32))
            guard position + 46 + nameLength + extraLength + commentLength <= directory.count else {
                throw Damage(what: "a broken central directory entry")
            }
            var entry = Entry(
                name: String(decoding: directory[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self),
                method: Self.u16(directory, position + 10), flags: Self.u16(directory, position + 8),
                crc32: Self.u32(directory, position + 16),
                compressedSize: UInt64(Self.u32(directory, position + 20)), uncompressedSize: UInt64(Self.u32(directory, position + 24)),
                localHeaderOffset: UInt64(Self.u32(directory, position + 42)))
            Self.applyZIP64(&entry, extra: Array(directory[(position + 46 + nameLength)..<(position + 46 + nameLength + extraLength)]))
            entries.append(entry)
            position += 46 + nameLength + extraLength + commentLength
        }
    }

    /// Where `entry`'s compressed data starts, from its local header.
    func dataOffset(of entry: Entry) throws(Damage) -> UInt64 {
        let header = try read(at: entry.localHeaderOffset, count: 30)
        guard Self.u32(header, 0) == 0x0403_4B50 else { throw Damage(what: "a missing local header") }
        let offset = entry.localHeaderOffset + 30 + UInt64(Self.u16(header, 26)) + UInt64(Self.u16(header, 28))
        guard offset <= fileSize, entry.compressedSize <= fileSize - offset else {
            throw Damage(what: "compressed data that runs past the end of the file")
        }
        return offset
    }

    /// `count` bytes at `offset`; fewer is damage.
    func read(at offset: UInt64, count: Int) throws(Damage) -> [UInt8] {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
        guard got == count else { throw Damage(what: "the file ends early") }
        return bytes
    }

    /// Replaces 32-bit sizes and offsets marked 0xFFFFFFFF by their ZIP64 extra field values.
    private static func applyZIP64(_ entry: inout Entry, extra: [UInt8]) {
        var position = 0
        while position + 4 <= extra.count {
            let id = u16(extra, position)
            let size = Int(u16(extra, position + 2))
            guard position + 4 + size <= extra.count else { return }
            if id == 0x0001 {
                var field = position + 4
                if entry.uncompressedSize == 0xFFFF_FFFF, field + 8 <= position + 4 + size { entry.uncompressedSize = u64(extra, field); field += 8 }
                if entry.compressedSize == 0xFFFF_FFFF, field + 8 <= position + 4 + size { entry.compressedSize = u64(extra, field); field += 8 }
                if entry.localHeaderOffset == 0xFFFF_FFFF, field + 8 <= position + 4 + size { entry.localHeaderOffset = u64(extra, field) }
                return
            }
            position += 4 + size
        }
    }

    static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(u16(bytes, at)) | UInt32(u16(bytes, at + 2)) << 16
    }

    static func u64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        UInt64(u32(bytes, at)) | UInt64(u32(bytes, at + 4)) << 32
    }
}
