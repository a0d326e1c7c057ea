#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Reads up to `count` bytes from the start of a file.
func readPrefix(path: String, count: Int) throws(FileError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileError(path: path, operation: .open) }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
        let got = bytes.withUnsafeMutableBytes { buffer in
            read(fd, buffer.baseAddress.map { $0 + filled }, count - filled)
        }
        if got < 0 {
            if errno == EINTR { continue }
            throw FileError(path: path, operation: .read)
        }
        if got == 0 { break }
        filled += got
    }
    bytes.removeSubrange(filled...)
    return bytes
}

/// Reads a whole (small) file; refuses files larger than `limit` (EFBIG).
func readWholeFile(path: String, limit: Int) throws(FileError) -> [UInt8] {
    let bytes = try readPrefix(path: path, count: limit + 1)
    guard bytes.count <= limit else { throw FileError(path: path, operation: .read, code: EFBIG) }
    return bytes
}

/// Creates `path` and its missing parents with mode 0700 (run directories hold personal data).
public func createDirectory(_ path: String) throws(FileError) {
    var current = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
        current += "/" + component
        if mkdir(current, 0o700) != 0 && errno != EEXIST {
            throw FileError(path: current, operation: .createDirectory)
        }
    }
}

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR.
func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(FileError) {
    var written = 0
    while written < bytes.count {
        let result = bytes.withUnsafeBytes { buffer in
            write(fd, buffer.baseAddress.map { $0 + written }, bytes.count - written)
        }
        if result < 0 {
            if errno == EINTR { continue }
            throw FileError(path: path, operation: .write)
        }
        written += result
    }
}

/// An append-only file whose every `append` reaches the OS before returning (journal,
/// undo file), so a killed process loses nothing it appended. Mode 0600. Safe to use from
/// several threads.
public final class AppendOnlyFile: @unchecked Sendable {
    // @unchecked: `fd` is immutable, and each append is one write(2) on an O_APPEND
    // descriptor, which the kernel keeps whole for regular files.
    private let fd: Int32
    public let path: String

    public init(path: String) throws(FileError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError(path: path, operation: .create) }
    }

    deinit { close(fd) }

    /// Appends `bytes`.
    public func append(_ bytes: [UInt8]) throws(FileError) {
        try writeAll(fd, bytes, path: path)
    }
}

/// The SHA-256 of a file's bytes, in hex, read chunk by chunk.
public func sha256(ofFile path: String) throws -> String {
    var digest = SHA256()
    try ChunkedFileReader(path: path).forEachChunk(hashingInto: &digest) { _ in }
    return digest.finalizeHex()
}

/// An append-only file created by its first append: a run that writes nothing to it leaves
/// no empty file behind.
final class LazyAppendFile: Sendable {
    let path: String
    private let file = Mutex<AppendOnlyFile?>(nil)

    init(path: String) { self.path = path }

    func append(_ bytes: [UInt8]) throws(FileError) {
        let opened = try file.withLock { (file: inout AppendOnlyFile?) throws(FileError) -> AppendOnlyFile in
            if let file { return file }
            let created = try AppendOnlyFile(path: path)
            file = created
            return created
        }
        try opened.append(bytes)
    }
}
