#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

/// The SHA-256 of a file's bytes, in hex, read chunk by chunk.
public func sha256(ofFile path: String) throws -> String {
    var digest = SHA256()
    try ChunkedFileReader(path: path).forEachChunk(hashingInto: &digest) { _ in }
    return digest.finalizeHex()
}
