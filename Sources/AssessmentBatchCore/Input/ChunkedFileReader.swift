#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file the tool could not read or write, with the system's reason.
public struct FileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What failed.
    public enum Operation: String, Sendable {
        case open, read, create, write
        case rename = "rename into"
        case createDirectory = "create directory"
    }

    /// The path as given.
    public var path: String
    /// The failed system call.
    public var operation: Operation
    /// The `errno` value.
    public var code: Int32

    /// Creates an error for `operation` on `path` with `errno` value `code`.
    public init(path: String, operation: Operation, code: Int32 = errno) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    /// E.g. `cannot open samples/x.csv: No such file or directory`.
    public var description: String {
        "cannot \(operation.rawValue) \(path): \(String(cString: strerror(code)))"
    }
}

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
        guard let base = buffer.baseAddress else { return }
        var atEnd = false
        while !atEnd {
            var filled = 0
            while filled < buffer.count {
                let n = read(fd, base + filled, buffer.count - filled)
                if n > 0 {
                    filled += n
                } else if n == 0 {
                    atEnd = true
                    break
                } else if errno != EINTR {
                    throw FileError(path: path, operation: .read, code: errno)
                }
            }
            if filled > 0 {
                try body(UnsafeRawBufferPointer(start: base, count: filled))
            }
        }
    }
}
