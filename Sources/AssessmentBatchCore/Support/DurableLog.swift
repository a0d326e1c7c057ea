import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only file (mode 0600) whose lines reach the disk, not just the OS: a power cut
/// or a kernel crash loses none that a caller was told is durable.
///
/// Group commit: every append is one write(2) on an O_APPEND descriptor. `appendDurably` then
/// waits for an fdatasync that began after its write: the first waiter runs it itself, and
/// every thread that wrote meanwhile waits for the next one, so all threads waiting at one
/// moment share one sync. `append` does not wait: a background flusher syncs such lines
/// within `flushInterval`, and `sync()` waits for everything appended before it.
public final class DurableLog: Sendable {
    public let path: String
    private let shared: Shared

    /// What the appending threads and the flusher share.
    private final class Shared: @unchecked Sendable {
        // @unchecked: every `var` below is read and written only with `condition` locked;
        // `fd` is immutable and closed once, by the flusher as it exits or by `deinit`.
        let fd: Int32
        let path: String
        let condition = NSCondition()
        /// Appends written (each has its ticket), and how many of them the last sync covered.
        var written = 0
        var synced = 0
        /// An fdatasync is running (by a waiter or the flusher).
        var syncing = false
        var failure: FileError?
        var closing = false
        var flusherStarted = false
        var lastSync = Date.distantPast
        /// How long lines nobody waits for may stay unsynced.
        let flushInterval: TimeInterval

        init(fd: Int32, path: String, flushInterval: TimeInterval) {
            self.fd = fd
            self.path = path
            self.flushInterval = flushInterval
        }

        /// With `condition` locked and no sync running: one fdatasync for every write so far,
        /// the lock released meanwhile.
        func syncNow() {
            syncing = true
            let target = written
            condition.unlock()
            var result: Int32
            repeat { result = fdatasync(fd) } while result != 0 && errno == EINTR
            let error = result == 0 ? nil : FileError(path: path, operation: .sync)
            condition.lock()
            syncing = false
            if let error { failure = failure ?? error } else { synced = max(synced, target) }
            lastSync = Date()
            condition.broadcast()
        }

        /// With `condition` locked: returns once the write with `ticket` is on disk.
        func waitUntilSynced(_ ticket: Int) throws(FileError) {
            while synced < ticket {
                if let failure { throw failure }
                if syncing { condition.wait() } else { syncNow() }
            }
        }

        /// The flusher: syncs lines nobody waits for, at most every `flushInterval`, and all of
        /// them once closing; then closes the file. After a failed sync nothing more is synced
        /// (appends throw it), and the descriptor stays open until closing so that its number
        /// is never reused under a writer.
        func flushLazily() {
            condition.lock()
            while true {
                let pending = written > synced && failure == nil
                if !pending && !syncing && closing { break }
                if !pending || syncing {
                    condition.wait()
                    continue
                }
                let due = lastSync.addingTimeInterval(flushInterval)
                if !closing && Date() < due {
                    _ = condition.wait(until: due)
                    continue
                }
                syncNow()
            }
            condition.unlock()
            close(fd)
        }
    }

    /// Opens (or creates) `path` and makes its directory entry durable too.
    ///
    /// - Parameter flushInterval: how long an `append` nobody waits for may stay unsynced: 0
    ///   syncs it at once (lines written ahead of need), more lets the lines of that time
    ///   share one sync (lines only `sync()` waits for).
    public init(path: String, flushInterval: TimeInterval = 0.1) throws(FileError) {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError(path: path, operation: .create) }
        shared = Shared(fd: fd, path: path, flushInterval: flushInterval)
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
        // No call of this log is running (each holds `self`): only the flusher may be.
        shared.condition.lock()
        shared.closing = true
        let flusherRuns = shared.flusherStarted
        shared.condition.broadcast()
        shared.condition.unlock()
        if !flusherRuns { close(shared.fd) }
    }

    /// Writes `bytes` and returns once an fdatasync that began after the write has finished.
    public func appendDurably(_ bytes: [UInt8]) throws(FileError) {
        let ticket = try write(bytes)
        shared.condition.lock()
        defer { shared.condition.unlock() }
        try shared.waitUntilSynced(ticket)
    }

    /// Writes `bytes`; they reach the disk within `flushInterval` (or with an earlier sync).
    /// Returns the write's ticket for `waitUntilDurable`.
    @discardableResult
    public func append(_ bytes: [UInt8]) throws(FileError) -> Int {
        try write(bytes)
    }

    /// Returns once the append with `ticket` is on disk.
    public func waitUntilDurable(_ ticket: Int) throws(FileError) {
        shared.condition.lock()
        defer { shared.condition.unlock() }
        try shared.waitUntilSynced(ticket)
    }

    /// Returns once everything appended before the call is on disk.
    public func sync() throws(FileError) {
        shared.condition.lock()
        defer { shared.condition.unlock() }
        try shared.waitUntilSynced(shared.written)
    }

    /// Writes and returns the write's ticket.
    private func write(_ bytes: [UInt8]) throws(FileError) -> Int {
        shared.condition.lock()
        let earlier = shared.failure
        shared.condition.unlock()
        if let earlier { throw earlier }
        try writeAll(shared.fd, bytes, path: path)
        shared.condition.lock()
        defer { shared.condition.unlock() }
        // Taken after the write returned: a sync that starts after this covers the bytes.
        let flusherIdle = shared.written == shared.synced
        shared.written += 1
        if !shared.flusherStarted {
            shared.flusherStarted = true
            let shared = shared
            let thread = Thread { shared.flushLazily() }
            thread.name = "assessment-batch-sync"
            thread.start()
        }
        // A flusher with nothing pending sleeps until told.
        if flusherIdle { shared.condition.broadcast() }
        return shared.written
    }
}
