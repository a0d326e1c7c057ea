import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only file (mode 0600) whose lines reach the disk, not just the OS: a power cut
/// or a kernel crash loses none that a caller was told is durable.
///
/// Group commit: every `append` is one write(2) on an O_APPEND descriptor, then one flusher
/// thread runs fdatasync for everything written so far, over and over while there is
/// something new. `appendDurably` waits for the sync that covers its bytes, so all threads
/// waiting at one moment share one sync; `append` does not wait (`sync()` waits for
/// everything appended before it).
public final class DurableLog: Sendable {
    public let path: String
    private let shared: Shared

    /// What the flusher and the appending threads share.
    private final class Shared: @unchecked Sendable {
        // @unchecked: every `var` below is read and written only with `condition` locked;
        // `fd` is immutable and closed by the flusher as it exits.
        let fd: Int32
        let path: String
        let condition = NSCondition()
        /// Appends written (each has its ticket), and how many of them the last sync covered.
        var written = 0
        var synced = 0
        var failure: FileError?
        var closing = false
        var flusherStarted = false

        init(fd: Int32, path: String) {
            self.fd = fd
            self.path = path
        }

        /// Syncs while there is something unsynced; exits (closing the file) once closing.
        func flush() {
            condition.lock()
            while true {
                // After a failed sync nothing more is synced (appends throw it); the descriptor
                // stays open until closing so that its number is never reused under a writer.
                while (written == synced || failure != nil) && !closing { condition.wait() }
                if written == synced || failure != nil { break }
                let target = written
                condition.unlock()
                var result: Int32
                repeat { result = fdatasync(fd) } while result != 0 && errno == EINTR
                let error = result == 0 ? nil : FileError(path: path, operation: .sync)
                condition.lock()
                if let error { failure = error } else { synced = target }
                condition.broadcast()
            }
            condition.unlock()
            close(fd)
        }
    }

    /// Opens (or creates) `path` and makes its directory entry durable too.
    public init(path: String) throws(FileError) {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError(path: path, operation: .create) }
        shared = Shared(fd: fd, path: path)
        // A new file's name lives in its directory, and a new run directory's in its parent:
        // sync both once, or the file may vanish with the power.
        let directory = Self.parent(of: path)
        for name in [directory, Self.parent(of: directory)] {
            let directoryFD = open(name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if directoryFD >= 0 {
                _ = fsync(directoryFD)
                close(directoryFD)
            }
        }
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    deinit {
        shared.condition.lock()
        shared.closing = true
        let flusherRuns = shared.flusherStarted
        shared.condition.broadcast()
        shared.condition.unlock()
        if !flusherRuns { close(shared.fd) }
    }

    /// Writes `bytes` and returns once an fdatasync that began after the write has finished.
    public func appendDurably(_ bytes: [UInt8]) throws(FileError) {
        try wait(for: write(bytes))
    }

    /// Writes `bytes`; they reach the disk with the flusher's next sync.
    public func append(_ bytes: [UInt8]) throws(FileError) {
        _ = try write(bytes)
    }

    /// Returns once everything appended before the call is on disk.
    public func sync() throws(FileError) {
        shared.condition.lock()
        let ticket = shared.written
        shared.condition.unlock()
        try wait(for: ticket)
    }

    /// Writes and returns the write's ticket; the flusher is woken.
    private func write(_ bytes: [UInt8]) throws(FileError) -> Int {
        shared.condition.lock()
        let earlier = shared.failure
        shared.condition.unlock()
        if let earlier { throw earlier }
        try writeAll(shared.fd, bytes, path: path)
        shared.condition.lock()
        defer { shared.condition.unlock() }
        // Taken after the write returned: a sync that starts after this covers the bytes.
        shared.written += 1
        if !shared.flusherStarted {
            shared.flusherStarted = true
            let shared = shared
            let thread = Thread { shared.flush() }
            thread.name = "assessment-batch-sync"
            thread.start()
        }
        shared.condition.broadcast()
        return shared.written
    }

    private func wait(for ticket: Int) throws(FileError) {
        shared.condition.lock()
        defer { shared.condition.unlock() }
        while shared.synced < ticket {
            if let failure = shared.failure { throw failure }
            shared.condition.wait()
        }
    }
}
