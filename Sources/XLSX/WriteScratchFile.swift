#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An anonymous scratch file (created mode 0600 and unlinked at once, so nothing is left behind
/// even by a crash) that holds a sheet's rows while they stream in: the zip entry needs its
/// exact size up front, and memory must stay flat however many rows there are.
final class WriteScratchFile {
    private let fd: Int32
    /// Bytes written so far.
    private(set) var size: Int64 = 0
    private let path: String

    /// - Parameter near: a path in the directory that gets the scratch file.
    init(near path: String) throws(WriteError) {
        var attempt = 0
        var opened: Int32 = -1
        var name = ""
        repeat {
            attempt += 1
            name = "\(path).\(getpid()).\(attempt).sheet-partial"
            opened = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        } while opened < 0 && errno == EEXIST && attempt < 100
        guard opened >= 0 else {
            throw WriteError(path: name, message: "cannot create a scratch file: \(String(cString: strerror(errno)))")
        }
        unlink(name)
        fd = opened
        self.path = path
    }

    deinit { close(fd) }

    /// Appends `bytes` at the end.
    func append(_ bytes: [UInt8]) throws(WriteError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { pointer in
                write(fd, pointer.baseAddress! + offset, pointer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw WriteError(path: path, message: "cannot write: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        size += Int64(bytes.count)
    }

    /// Reads `count` bytes from `offset` into `buffer`.
    func read(at offset: Int64, count: Int, into buffer: UnsafeMutableRawBufferPointer) throws(WriteError) {
        var done = 0
        while done < count {
            let got = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else {
                throw WriteError(path: path, message: "cannot read back the sheet: \(got < 0 ? String(cString: strerror(errno)) : "file ended early")")
            }
            done += got
        }
    }
}
