#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file the tool could not read or write, with the system's reason.
public struct FileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var action: String
    public var reason: String

    init(_ action: String, _ path: String, errno code: Int32 = errno) {
        self.path = path
        self.action = action
        self.reason = String(cString: strerror(code))
    }

    public var description: String { "cannot \(action) \(path): \(reason)" }
}

/// Reads up to `count` bytes from the start of a file.
func readPrefix(path: String, count: Int) throws(FileError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileError("open", path) }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
        let got = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, count - filled) }
        if got < 0 {
            if errno == EINTR { continue }
            throw FileError("read", path)
        }
        if got == 0 { break }
        filled += got
    }
    bytes.removeSubrange(filled...)
    return bytes
}

/// Reads a whole (small) file; refuses files larger than `limit`.
func readWholeFile(path: String, limit: Int) throws(FileError) -> [UInt8] {
    let bytes = try readPrefix(path: path, count: limit + 1)
    guard bytes.count <= limit else {
        throw FileError(action: "read", path: path, reason: "larger than \(limit >> 20) MiB")
    }
    return bytes
}

extension FileError {
    init(action: String, path: String, reason: String) {
        self.path = path
        self.action = action
        self.reason = reason
    }
}

/// Creates `path` and its missing parents with mode 0700 (run directories hold personal data).
public func createDirectory(_ path: String) throws(FileError) {
    var current = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
        current += "/" + component
        if mkdir(current, 0o700) != 0 && errno != EEXIST {
            throw FileError("create directory", current)
        }
    }
}

/// Writes a file completely under a temporary name, flushes it, then renames it into
/// place, so a crash never leaves a half-written file. Mode 0600.
public func writeFileAtomically(_ path: String, _ bytes: [UInt8]) throws(FileError) {
    let temporary = path + ".partial"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw FileError("create", temporary) }
    var written = 0
    while written < bytes.count {
        let result = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
        if result < 0 {
            if errno == EINTR { continue }
            let code = errno
            close(fd)
            unlink(temporary)
            throw FileError("write", temporary, errno: code)
        }
        written += result
    }
    fsync(fd)
    close(fd)
    guard rename(temporary, path) == 0 else { throw FileError("rename into", path) }
}

/// An append-only file whose every `append` reaches the OS before returning (journal,
/// undo file). Mode 0600. Safe to use from several threads.
public final class AppendOnlyFile: @unchecked Sendable {
    // @unchecked: `fd` is immutable and write(2) on an O_APPEND descriptor is atomic per call.
    private let fd: Int32
    public let path: String

    public init(path: String) throws(FileError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError("create", path) }
    }

    deinit { close(fd) }

    /// Appends `bytes` with one write(2) call (retrying short writes).
    public func append(_ bytes: [UInt8]) throws(FileError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                throw FileError("append to", path)
            }
            written += result
        }
    }
}

/// The SHA-256 of a file's bytes, in hex, read chunk by chunk.
public func sha256(ofFile path: String) throws -> String {
    var digest = SHA256()
    try ChunkedFileReader(path: path).forEachChunk { digest.update($0) }
    return digest.finalizeHex()
}
