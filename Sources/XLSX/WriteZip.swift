internal import Foundation
internal import ZIPFoundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the zip container of a workbook with ZIPFoundation: every entry deflated, with one
/// fixed timestamp and fixed permissions, so the same content gives the same bytes.
/// ZIPFoundation is not `Sendable`: the archive lives and dies inside ``write(_:to:)``.
enum WriteZip {
    /// One entry's content: bytes in memory, or a sheet whose rows wait in a scratch file.
    enum Content {
        case bytes([UInt8])
        case pieces([Piece])
    }

    /// A piece of a streamed entry.
    enum Piece {
        case bytes([UInt8])
        case file(WriteScratchFile)

        var size: Int64 {
            switch self {
            case .bytes(let bytes): Int64(bytes.count)
            case .file(let file): file.size
            }
        }
    }

    /// 1980-01-01 00:00:00 UTC, the earliest time a zip entry can carry (as many reproducible
    /// builds use); ZIPFoundation converts it with `gmtime`, so the bytes do not depend on
    /// the time zone.
    private static let timestamp = Date(timeIntervalSince1970: 315_532_800)

    /// Creates (or truncates) `path` with mode 0600 and writes `entries` into it in order.
    static func write(_ entries: [(name: String, content: Content)], to path: String) throws(WriteError) {
        // ZIPFoundation's `.create` makes the file with the process's umask; an empty archive
        // (its end-of-central-directory record alone) made here with 0600 and opened for
        // update keeps the mode from the start.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw WriteError(path: path, message: "cannot create: \(String(cString: strerror(errno)))") }
        var empty = [UInt8](repeating: 0, count: 22)
        empty[0] = 0x50; empty[1] = 0x4B; empty[2] = 0x05; empty[3] = 0x06
        let written = empty.withUnsafeBytes { systemWrite(fd, $0.baseAddress!, $0.count) }
        fchmod(fd, 0o600)
        close(fd)
        guard written == empty.count else { throw WriteError(path: path, message: "cannot write: \(String(cString: strerror(errno)))") }
        do {
            let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .update)
            for (name, content) in entries {
                let pieces: [Piece]
                switch content {
                case .bytes(let bytes): pieces = [.bytes(bytes)]
                case .pieces(let given): pieces = given
                }
                let size = pieces.reduce(Int64(0)) { $0 + $1.size }
                try archive.addEntry(with: name, type: .file, uncompressedSize: size, modificationDate: timestamp,
                                     permissions: 0o600, compressionMethod: .deflate, bufferSize: 1 << 18) { position, count in
                    try Self.read(pieces, at: position, count: count)
                }
            }
        } catch let error as WriteError {
            throw error
        } catch {
            throw WriteError(path: path, message: "cannot write the workbook: \(error)")
        }
    }

    /// `count` bytes of the concatenated `pieces` from `position`.
    private static func read(_ pieces: [Piece], at position: Int64, count: Int) throws -> Data {
        var data = Data(count: count)
        var filled = 0
        var start: Int64 = 0
        for piece in pieces {
            let size = piece.size
            defer { start += size }
            let wanted = position + Int64(filled)
            guard filled < count, wanted < start + size, wanted >= start else { continue }
            let offset = wanted - start
            let take = Int(min(Int64(count - filled), size - offset))
            switch piece {
            case .bytes(let bytes):
                data.replaceSubrange(filled..<(filled + take), with: bytes[Int(offset)..<(Int(offset) + take)])
            case .file(let file):
                try data.withUnsafeMutableBytes { (buffer: UnsafeMutableRawBufferPointer) in
                    try file.read(at: offset, count: take, into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<(filled + take)]))
                }
            }
            filled += take
        }
        guard filled == count else { throw WriteError(path: "", message: "internal: a zip entry ended early") }
        return data
    }
}

/// `write(2)`, named apart from ``WriteZip/write(_:to:)``.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, bytes, count)
    #else
    Darwin.write(fd, bytes, count)
    #endif
}
