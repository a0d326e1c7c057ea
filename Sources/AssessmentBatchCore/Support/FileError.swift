#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file the tool could not read or write, with the system's reason.
public struct FileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What failed.
    public enum Operation: String, Sendable {
        case open, read, create, write, sync
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
