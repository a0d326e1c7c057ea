#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written through a buffer under a temporary name and renamed into place by
/// `commit()`, so readers never see it half-written. Mode 0600.
final class OutputFile {
    let path: String
    /// Where the file is written until `commit` moves it into place.
    let temporaryPath: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let mode: mode_t

    /// - Parameter mode: 0600 for everything that may hold personal data.
    init(path: String, mode: mode_t = 0o600) throws(FileError) {
        self.path = path
        self.mode = mode
        temporaryPath = path + ".partial"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        // Errors name the file the run promises, not its temporary name.
        guard fd >= 0 else { throw FileError(path: path, operation: .create) }
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlink(temporaryPath)
        }
    }

    func write(_ bytes: [UInt8]) throws(FileError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    func write(_ text: String) throws(FileError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Flushes, syncs and renames the file into place.
    func commit() throws(FileError) {
        try commit(replacing: true)
    }

    /// Flushes, syncs and moves the file into place; without `replacing`, a file that exists
    /// there by now is kept and this fails with `EEXIST` (a hard link, unlike a rename, does not
    /// replace its target).
    func commit(replacing: Bool) throws(FileError) {
        try flush()
        fchmod(fd, mode)
        // A full disk may only show here (delayed allocation, network file systems).
        guard fsync(fd) == 0 else { throw FileError(path: path, operation: .sync) }
        close(fd)
        fd = -1
        if replacing {
            guard rename(temporaryPath, path) == 0 else { throw FileError(path: path, operation: .rename) }
        } else {
            let linked = link(temporaryPath, path) == 0
            let code = errno
            unlink(temporaryPath)
            guard linked else { throw FileError(path: path, operation: .rename, code: code) }
        }
    }

    private func flush() throws(FileError) {
        try writeAll(fd, buffer, path: path)
        buffer.removeAll(keepingCapacity: true)
    }
}

extension OutputFile {
    /// Ends the document `json` streams into this file (its root object), writes what is left
    /// with a final line break, and puts the file in place.
    func commit(closing json: inout JSONStreamWriter) throws(FileError) {
        json.endObject()
        json.bytes.append(UInt8(ascii: "\n"))
        try write(json.takeBytes())
        try commit()
    }
}
