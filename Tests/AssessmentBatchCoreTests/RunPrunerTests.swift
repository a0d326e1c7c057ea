import Foundation
import Testing
@testable import AssessmentBatchCore

#if canImport(Glibc)
import Glibc
#endif

/// `prune` deletes exactly the old, unlocked run directories of the tool, and nothing else.
struct RunPrunerTests {
    private let now = Date(timeIntervalSince1970: 1_795_761_802)
    private let day = 86_400.0

    private func file(_ path: String, _ text: String) throws {
        try createDirectory((path as NSString).deletingLastPathComponent)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
    }

    /// A run directory as `apply` leaves it, finished `age` days before `now`.
    private func run(_ path: String, finishedDaysAgo age: Double) throws {
        let finished = Timestamp(now.addingTimeInterval(-age * day)).description
        try file("\(path)/journal.jsonl", "{\"journal\":1,\"tool\":\"assessment-batch 0.1.0\",\"startedAt\":\"\(finished)\"}\n")
        try file("\(path)/report.json", "{\n  \"tool\": \"assessment-batch\",\n  \"version\": \"0.1.0\",\n  \"command\": \"apply\",\n  \"startedAt\": \"\(finished)\",\n  \"finishedAt\": \"\(finished)\"\n}\n")
        try file("\(path)/report.html", "<!DOCTYPE html>")
        try file("\(path)/in.failures.csv", "assessmentId\n")
        try file("\(path)/\(RunDirectoryLock.fileName)", "")
    }

    private func setModificationTime(_ path: String, daysAgo: Double) {
        let seconds = now.addingTimeInterval(-daysAgo * day).timeIntervalSince1970
        var times = [timeval(tv_sec: Int(seconds), tv_usec: 0), timeval(tv_sec: Int(seconds), tv_usec: 0)]
        #expect(utimes(path, &times) == 0)
    }

    @Test func onlyOldUnlockedRunsOfTheToolAreDeleted() throws {
        let root = temporaryDirectory() + "/runs"
        let outside = temporaryDirectory()
        try run("\(root)/old", finishedDaysAgo: 40)
        try run("\(root)/young", finishedDaysAgo: 2)
        try run("\(root)/locked", finishedDaysAgo: 90)
        try run("\(root)/with-notes", finishedDaysAgo: 90)
        try file("\(root)/with-notes/notes.txt", "mine")
        // Killed before its report: only the journal says when it last worked.
        try file("\(root)/journal-only/journal.jsonl", "{\"journal\":1,\"tool\":\"assessment-batch 0.1.0\"}\n")
        setModificationTime("\(root)/journal-only/journal.jsonl", daysAgo: 45)
        // Looks like a run, is not one.
        try file("\(root)/lookalike/journal.jsonl", "{\"journal\":1,\"tool\":\"something else\"}\n")
        setModificationTime("\(root)/lookalike/journal.jsonl", daysAgo: 45)
        try file("\(root)/lookalike-report/report.json", "{\"finishedAt\": \"2020-01-01T00:00:00Z\"}")
        try run("\(outside)/target", finishedDaysAgo: 60)
        #expect(symlink("\(outside)/target", "\(root)/link") == 0)
        try file("\(root)/plain-file", "x")
        var held: RunDirectoryLock? = try RunDirectoryLock(directory: "\(root)/locked")

        let expected: [String: RunPruner.Entry.Decision] = [
            "journal-only": .delete,
            "link": .keep("a symbolic link"),
            "locked": .keep("in use by another process"),
            "lookalike": .keep("not a run directory of assessment-batch"),
            "lookalike-report": .keep("not a run directory of assessment-batch"),
            "old": .delete,
            "plain-file": .keep("not a directory"),
            "with-notes": .keep("holds notes.txt, which is not a file a run writes"),
            "young": .keep("younger than 30 days"),
        ]
        let planned = try RunPruner.prune(root, olderThanDays: 30, now: now, dryRun: true)
        #expect(Dictionary(uniqueKeysWithValues: planned.map { (($0.path as NSString).lastPathComponent, $0.decision) }) == expected)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).count == expected.count, "a dry run deletes nothing")

        let done = try RunPruner.prune(root, olderThanDays: 30, now: now, dryRun: false)
        #expect(Dictionary(uniqueKeysWithValues: done.map { (($0.path as NSString).lastPathComponent, $0.decision) }) == expected)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted()
            == expected.filter { $0.value != .delete }.keys.sorted())
        #expect(FileManager.default.fileExists(atPath: "\(outside)/target/report.json"), "a symlink's target is never touched")
        #expect(FileManager.default.fileExists(atPath: "\(root)/with-notes/report.json"))

        // Once its process lets go, the locked run goes too.
        #expect(held != nil)
        held = nil
        let later = try RunPruner.prune(root, olderThanDays: 30, now: now, dryRun: false)
        #expect(later.first { $0.path.hasSuffix("/locked") }?.decision == .delete)
    }

    @Test func anOldPlanDirectoryIsDeletedWithItsRowsFile() throws {
        let root = temporaryDirectory() + "/runs"
        let created = Timestamp(now.addingTimeInterval(-40 * day)).description
        try file("\(root)/plan/plan.json", "{\n  \"tool\": \"assessment-batch\",\n  \"command\": \"plan\",\n  \"createdAt\": \"\(created)\"\n}\n")
        try file("\(root)/plan/\(PlanSourceRows.fileName)", "{\"input\":0,\"line\":2,\"fields\":[\"901\"]}\n")
        try file("\(root)/plan/report.html", "<!DOCTYPE html>")
        let done = try RunPruner.prune(root, olderThanDays: 30, now: now, dryRun: false)
        #expect(done.map(\.decision) == [.delete])
        #expect(!FileManager.default.fileExists(atPath: "\(root)/plan"))
    }

    @Test func aLockIsExclusiveAcrossOpenFilesAndFreedWithItsHolder() throws {
        let directory = temporaryDirectory()
        var first: RunDirectoryLock? = try RunDirectoryLock(directory: directory)
        #expect(throws: RunDirectoryLockError.inUse(directory: directory)) { try RunDirectoryLock(directory: directory) }
        #expect(RunDirectoryLockError.inUse(directory: directory).description == "run directory \(directory) is in use by another process")
        withExtendedLifetime(first) {}
        first = nil
        _ = try RunDirectoryLock(directory: directory)
    }

    /// A report that `jq .` or `jq -c .` rewrote (other spacing, escapes, a huge outcomes list
    /// past the part read) is still a run of the tool; a report of another tool is not.
    @Test(arguments: [
        "{\n    \"tool\": \"assessment-batch\",\n    \"version\": \"0.1.0\",\n    \"finishedAt\": \"FINISHED\",\n    \"outcomes\": [OUTCOMES]\n}\n",
        "{\"tool\":\"assessment\\u002dbatch\",\"finishedAt\":\"FINISHED\",\"outcomes\":[OUTCOMES]}",
    ])
    func aReformattedReportIsStillARun(template: String) throws {
        let root = temporaryDirectory() + "/runs"
        let finished = Timestamp(now.addingTimeInterval(-40 * day)).description
        let outcomes = Array(repeating: "{\"assessmentId\": 1, \"status\": \"applied\"}", count: 5_000).joined(separator: ",")
        try file("\(root)/reformatted/report.json",
                 template.replacingOccurrences(of: "FINISHED", with: finished).replacingOccurrences(of: "OUTCOMES", with: outcomes))
        try file("\(root)/other-tool/report.json",
                 "{\"tool\": \"other\", \"finishedAt\": \"\(finished)\"}")
        let entries = try RunPruner.prune(root, olderThanDays: 30, now: now, dryRun: true)
        #expect(entries.map(\.decision) == [.keep("not a run directory of assessment-batch"), .delete])
        #expect(entries.last?.finishedAt.map { Timestamp($0).description } == finished)
    }
}
