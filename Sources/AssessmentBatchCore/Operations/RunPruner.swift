#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import StrictJSON

/// `prune DIR`: deletes the run directories directly under DIR that this tool wrote and that
/// finished more than a given age ago, and nothing else. Run directories hold personal data
/// about agents; what is not certainly a finished run of this tool is kept, with the reason.
public enum RunPruner {
    /// What prune decided for one entry of DIR.
    public struct Entry: Sendable, Equatable {
        public enum Decision: Sendable, Equatable {
            /// Deleted (or, with a dry run, would be).
            case delete
            /// Left alone, and why.
            case keep(String)
        }

        public var path: String
        public var decision: Decision
        /// When the run finished, for a run directory of the tool.
        public var finishedAt: Date?
    }

    /// Names of files a run directory holds (besides `<stem>.failures.<ext>`): anything else in
    /// a directory means a person put it there, and the directory is kept.
    static let runFiles: Set<String> = [
        "journal.jsonl", "report.json", "report.html", "undo.jsonl", "plan.json", UnrestorableLog.fileName,
        RunDirectoryLock.fileName, ".undo-spool", ".not-restorable-spool",
        PlanSourceRows.fileName, ".review-spool", ".page-spool",
    ]

    /// Decides for every entry of `root` and, unless `dryRun`, deletes the old unlocked runs.
    /// Entries come in name order.
    public static func prune(_ root: String, olderThanDays days: Double, now: Date = Date(), dryRun: Bool) throws -> [Entry] {
        let names = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
        return names.map { name in
            let path = root.hasSuffix("/") ? root + name : "\(root)/\(name)"
            return decide(path, olderThanDays: days, now: now, dryRun: dryRun)
        }
    }

    private static func decide(_ path: String, olderThanDays days: Double, now: Date, dryRun: Bool) -> Entry {
        guard let status = FileStatus.of(path) else { return Entry(path: path, decision: .keep("cannot be read")) }
        guard status.kind == .directory else {
            return Entry(path: path, decision: .keep(status.kind == .symbolicLink ? "a symbolic link" : "not a directory"))
        }
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            return Entry(path: path, decision: .keep("cannot be read"))
        }
        for file in files {
            guard FileStatus.of("\(path)/\(file)")?.kind == .regular else {
                return Entry(path: path, decision: .keep("holds \(file), which is not a file a run writes"))
            }
            guard runFiles.contains(file) || file.contains(".failures.") || file.hasSuffix(".partial") else {
                return Entry(path: path, decision: .keep("holds \(file), which is not a file a run writes"))
            }
        }
        guard let finishedAt = finishTime(of: path, files: Set(files)) else {
            return Entry(path: path, decision: .keep("not a run directory of assessment-batch"))
        }
        guard now.timeIntervalSince(finishedAt) > days * 86_400 else {
            return Entry(path: path, decision: .keep("younger than \(Self.format(days)) days"), finishedAt: finishedAt)
        }
        // The lock is held from here to the deletion, so no run starts in it meanwhile.
        let lock: RunDirectoryLock
        do {
            lock = try RunDirectoryLock(directory: path)
        } catch .inUse {
            return Entry(path: path, decision: .keep("in use by another process"), finishedAt: finishedAt)
        } catch {
            return Entry(path: path, decision: .keep("\(error)"), finishedAt: finishedAt)
        }
        defer { withExtendedLifetime(lock) {} }
        if dryRun { return Entry(path: path, decision: .delete, finishedAt: finishedAt) }
        for file in files + [RunDirectoryLock.fileName] where unlink("\(path)/\(file)") != 0 && errno != ENOENT {
            return Entry(path: path, decision: .keep("cannot delete \(file): \(String(cString: strerror(errno)))"), finishedAt: finishedAt)
        }
        guard rmdir(path) == 0 else {
            return Entry(path: path, decision: .keep("cannot delete: \(String(cString: strerror(errno)))"), finishedAt: finishedAt)
        }
        return Entry(path: path, decision: .delete, finishedAt: finishedAt)
    }

    /// When the run in `path` finished: `report.json`'s `finishedAt`, else `plan.json`'s
    /// `createdAt`, else the journal's last change; nil when no file shows that this tool
    /// wrote the directory. The files are parsed, not matched by their bytes, so a report
    /// that `jq .` reformatted is still seen as a run.
    static func finishTime(of path: String, files: Set<String>) -> Date? {
        for (file, key) in [("report.json", "finishedAt"), ("plan.json", "createdAt")] where files.contains(file) {
            let members = topMembers(of: "\(path)/\(file)", wanted: ["tool", key])
            guard members["tool"] == "assessment-batch", let text = members[key],
                  case .success(let timestamp) = Timestamp.parse(text) else { continue }
            return Date(timeIntervalSince1970: Double(timestamp.seconds) + Double(timestamp.nanoseconds) / 1e9)
        }
        if files.contains(Journal.fileName), let head = try? readPrefix(path: "\(path)/\(Journal.fileName)", count: headBytes),
           let firstLine = head.split(separator: UInt8(ascii: "\n"), maxSplits: 1).first,
           let object = firstLine.withUnsafeBytes({ try? JSONParser.parse($0) })?.objectValue,
           Journal.Header(decoding: object) != nil {
            return FileStatus.following("\(path)/\(Journal.fileName)")?.modificationDate
        }
        return nil
    }

    /// How much of a run file is read: its first members, before the long lists.
    static let headBytes = 1 << 16

    /// The string members named `wanted` at the top of the JSON object in `file`, read by
    /// the JSON parser from the file's head: a report's `outcomes` run to hundreds of
    /// megabytes, and the members before the head's end are handed on before the parser
    /// meets the cut.
    private static func topMembers(of file: String, wanted: Set<String>) -> [String: String] {
        guard let head = try? readPrefix(path: file, count: headBytes) else { return [:] }
        var found: [String: String] = [:]
        _ = head.withUnsafeBytes { bytes in
            try? JSONParser.forEachMember(of: bytes) { key, value in
                let name = String(decoding: key, as: UTF8.self)
                guard wanted.contains(name), case .string(let text) = value else { return }
                found[name] = String(decoding: text, as: UTF8.self)
            }
        }
        return found
    }

    private static func format(_ days: Double) -> String {
        days == days.rounded() ? String(Int(days)) : String(days)
    }
}
