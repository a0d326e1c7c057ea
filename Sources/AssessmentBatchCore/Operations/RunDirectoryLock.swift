#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on a file in a run directory, held for a run's whole life: `prune` and
/// a second `apply --resume` leave a locked directory alone. The kernel releases it when the
/// process ends however it ends (`kill -9` included), so a stale lock cannot exist.
public final class RunDirectoryLock: Sendable {
    /// The lock file's name in a run directory.
    public static let fileName = ".lock"
    // A plain Int32: immutable, closed once in deinit.
    private let fd: Int32

    /// Takes the lock of `directory` without waiting.
    public init(directory: String) throws(RunDirectoryLockError) {
        let path = "\(directory)/\(Self.fileName)"
        // O_NOFOLLOW: a planted symlink cannot make the lock open another file.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .cannotOpen(path: path, code: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            throw code == EWOULDBLOCK ? .inUse(directory: directory) : .cannotOpen(path: path, code: code)
        }
        self.fd = fd
    }

    deinit { close(fd) }
}

/// Why a run directory could not be locked.
public enum RunDirectoryLockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process (a run, a prune) holds it.
    case inUse(directory: String)
    case cannotOpen(path: String, code: Int32)

    public var description: String {
        switch self {
        case .inUse(let directory): "run directory \(directory) is in use by another process"
        case .cannotOpen(let path, let code): "cannot lock \(path): \(String(cString: strerror(code)))"
        }
    }
}
