import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file in fixed-size chunks with read(2) (retrying EINTR); never maps or loads it whole.
///
/// Memory use is one chunk. The chunks are handed out in file order, each filled completely
/// except the last, and reading starts wherever the descriptor stands (the start of the file
/// when it was just opened): a second `forEachChunk` call finds the file at its end.
public final class ChunkedFileReader {
    /// The path the reader was opened with.
    public let path: String
    private let fd: Int32
    private let buffer: UnsafeMutableRawBufferPointer

    /// Opens `path` for reading.
    ///
    /// - Parameters:
    ///   - path: The file to read.
    ///   - chunkSize: The bytes handed to each `forEachChunk` call (1 MiB by default).
    /// - Throws: `FileError` when the file cannot be opened.
    public init(path: String, chunkSize: Int = 1 << 20) throws(FileError) {
        precondition(chunkSize > 0, "chunkSize must be positive")
        var fd: Int32
        repeat {
            fd = open(path, O_RDONLY | O_CLOEXEC)
        } while fd < 0 && errno == EINTR
        guard fd >= 0 else {
            throw FileError(path: path, operation: .open, code: errno)
        }
        self.path = path
        self.fd = fd
        self.buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// Calls `body` with each chunk of the file until its end.
    ///
    /// The bytes are valid only during the call and are overwritten by the next chunk.
    /// - Throws: `FileError` when a read fails, or whatever `body` throws.
    public func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        while true {
            let chunk = try Self.fill(buffer, from: fd, path: path)
            if chunk.count > 0 { try body(chunk.bytes) }
            if chunk.atEnd { return }
        }
    }

    /// Like `forEachChunk`, and adds every chunk to `digest`. The hashing, and the reading of
    /// the next chunk into a second buffer, run on another thread while `body` works on the
    /// current chunk: on two cores the digest costs no time.
    public func forEachChunk(hashingInto digest: inout SHA256, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let spare = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count, alignment: 16)
        defer { spare.deallocate() }
        let readAhead = ReadAhead(fd: fd, path: path, digest: digest)
        let group = DispatchGroup()
        var current = buffer
        var next = spare
        var chunk = try Self.fill(current, from: fd, path: path)
        while chunk.count > 0 {
            readAhead.chunk = chunk.bytes
            readAhead.target = chunk.atEnd ? nil : next
            DispatchQueue.global().async(group: group) { readAhead.run() }
            var bodyError: (any Error)?
            do { try body(chunk.bytes) } catch { bodyError = error }
            group.wait()
            if let bodyError { throw bodyError }
            guard let nextChunk = try readAhead.result?.get() else { break }
            chunk = nextChunk
            swap(&current, &next)
        }
        digest = readAhead.digest
    }

    /// Bytes read into a buffer, and whether the file ended.
    fileprivate struct Chunk {
        var bytes: UnsafeRawBufferPointer
        var atEnd: Bool
        var count: Int { bytes.count }
    }

    /// Reads until `buffer` is full or the file ends.
    fileprivate static func fill(_ buffer: UnsafeMutableRawBufferPointer, from fd: Int32, path: String) throws(FileError) -> Chunk {
        guard let base = buffer.baseAddress else { return Chunk(bytes: UnsafeRawBufferPointer(buffer), atEnd: true) }
        var filled = 0
        while filled < buffer.count {
            let n = read(fd, base + filled, buffer.count - filled)
            if n > 0 {
                filled += n
            } else if n == 0 {
                return Chunk(bytes: UnsafeRawBufferPointer(start: base, count: filled), atEnd: true)
            } else if errno != EINTR {
                throw FileError(path: path, operation: .read, code: errno)
            }
        }
        return Chunk(bytes: UnsafeRawBufferPointer(start: base, count: filled), atEnd: false)
    }
}

/// The other thread's half of `forEachChunk(hashingInto:_:)`: hashes `chunk`, then fills `target`.
///
/// `@unchecked Sendable`: one thread at a time touches it. The caller sets the inputs, starts
/// `run` and waits for it (a `DispatchGroup`, which orders the memory accesses) before reading
/// the results or setting new inputs.
private final class ReadAhead: @unchecked Sendable {
    let fd: Int32
    let path: String
    var digest: SHA256
    var chunk = UnsafeRawBufferPointer(start: nil, count: 0)
    var target: UnsafeMutableRawBufferPointer?
    /// The next chunk, nil when there is none.
    var result: Result<ChunkedFileReader.Chunk, FileError>?

    init(fd: Int32, path: String, digest: SHA256) {
        self.fd = fd
        self.path = path
        self.digest = digest
    }

    func run() {
        digest.update(chunk)
        guard let target else {
            result = nil
            return
        }
        result = Result { () throws(FileError) in try ChunkedFileReader.fill(target, from: fd, path: path) }
    }
}
