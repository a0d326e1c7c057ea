#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Bytes held on disk between preflight and the write or the report (undo lines, report and
/// plan entries), so a run keeps 16 bytes per stored piece in memory instead of the piece: an
/// unlinked file in the run directory, gone when the run ends however it ends. Safe to use
/// from several threads.
private final class Spool: @unchecked Sendable {
    // @unchecked: `fd` is immutable; each store writes its own byte range, reserved atomically.
    private let fd: Int32
    private let path: String
    private let end = Atomic<Int>(0)

    /// Where one stored line is.
    struct Line: Sendable {
        var offset: Int
        var count: Int
    }

    /// - Parameter name: the file's name in `directory` (a dot file, unlinked at once).
    init(directory: String, name: String) throws(FileError) {
        path = "\(directory)/\(name)"
        // A spool left by a process killed before the unlink is simply reused.
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError(path: path, operation: .create) }
        unlink(path)
    }

    deinit { close(fd) }

    func store(_ bytes: [UInt8]) throws(FileError) -> Line {
        let offset = end.wrappingAdd(bytes.count, ordering: .relaxed).oldValue
        var done = 0
        while done < bytes.count {
            let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(offset + done)) }
            if written < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: .write)
            }
            done += written
        }
        return Line(offset: offset, count: bytes.count)
    }

    func load(_ line: Line) throws(FileError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: line.count)
        var done = 0
        while done < line.count {
            let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, line.count - done, off_t(line.offset + done)) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { throw FileError(path: path, operation: .read) }
            done += got
        }
        return bytes
    }
}

/// A piece of bytes per index (per assessment of a run), held in a `Spool`: stored in any
/// order from any thread, read back by index.
final class IndexedSpool: Sendable {
    private let spool: Spool
    private let pieces: Mutex<[Spool.Line?]>

    init(directory: String, name: String, count: Int) throws(FileError) {
        spool = try Spool(directory: directory, name: name)
        pieces = Mutex([Spool.Line?](repeating: nil, count: count))
    }

    func store(_ bytes: [UInt8], at index: Int) throws(FileError) {
        let line = try spool.store(bytes)
        pieces.withLock { $0[index] = line }
    }

    /// True while nothing is stored.
    var isEmpty: Bool {
        pieces.withLock { !$0.contains { $0 != nil } }
    }

    /// The piece stored at `index`; nil when none was.
    func piece(at index: Int) throws(FileError) -> [UInt8]? {
        guard let line = pieces.withLock({ $0[index] }) else { return nil }
        return try spool.load(line)
    }

    /// Calls `body` with every stored piece, in index order.
    func forEachPiece(_ body: ([UInt8]) throws -> Void) throws {
        for line in pieces.withLock({ $0 }) {
            if let line { try body(try spool.load(line)) }
        }
    }
}
