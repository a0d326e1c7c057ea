import Foundation

/// What the tool asks of a path (its kind, permission bits, modification time), read through
/// FileManager rather than `stat()`: with ZIPFoundation linked, `struct stat` is claimed by
/// whichever C module Swift loaded first (CoreFoundation or CDispatch), and
/// `MemberImportVisibility` then rejects it in files that import only Foundation.
public struct FileStatus: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case regular, directory, symbolicLink, other }

    public let kind: Kind
    /// The permission bits (`0o777` mask).
    public let permissions: Int
    public let modificationDate: Date?

    /// The path itself, a symbolic link not followed (as `lstat`); nil when it cannot be read.
    public static func of(_ path: String) -> FileStatus? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let kind: Kind
        switch attributes[.type] as? FileAttributeType {
        case .typeRegular?: kind = .regular
        case .typeDirectory?: kind = .directory
        case .typeSymbolicLink?: kind = .symbolicLink
        default: kind = .other
        }
        let permissions = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
        return FileStatus(kind: kind, permissions: permissions & 0o777, modificationDate: attributes[.modificationDate] as? Date)
    }

    /// What the path leads to, symbolic links followed (as `stat`): a Kubernetes secret's file is a link.
    public static func following(_ path: String) -> FileStatus? {
        of(URL(fileURLWithPath: path).resolvingSymlinksInPath().path)
    }
}
