import AssessmentSimulator
import Foundation
import Testing

/// The order of writes, syncs and sends of a real run, read from `strace`: every PATCH leaves
/// after an fdatasync that began after its undo line was written, and the journal is synced
/// after its last line and before the report is written.
@Suite(.serialized, .enabled(if: Strace.path != nil, "needs strace on PATH (apt-get install -y strace)"))
struct DurabilityTests {

    /// One system call: the trace lines of its entry and its exit.
    struct Call {
        var name: String
        var text: String
        var entry: Int
        var exit: Int?
    }

    /// Reads `strace -f -y` output; a call split by other threads' calls (`<unfinished ...>`
    /// then `<... name resumed>`) gets the line of each half.
    static func calls(in trace: String) -> [Call] {
        var calls: [Call] = []
        var open: [Substring: Int] = [:]
        for (index, line) in trace.split(separator: "\n").enumerated() {
            let fields = line.split(separator: " ", maxSplits: 1)
            guard fields.count == 2 else { continue }
            let pid = fields[0]
            let rest = fields[1].drop { $0 == " " }
            if rest.hasPrefix("<... ") {
                if let call = open.removeValue(forKey: pid) { calls[call].exit = index }
                continue
            }
            guard let paren = rest.firstIndex(of: "(") else { continue }
            let call = Call(name: String(rest[..<paren]), text: String(rest), entry: index,
                            exit: rest.contains("<unfinished ...>") ? nil : index)
            if call.exit == nil { open[pid] = calls.count }
            calls.append(call)
        }
        return calls
    }

    @Test func everyPatchLeavesAfterASyncCoveringItsUndoLine() async throws {
        let strace = try #require(Strace.path)
        try await withSimulator(assessments: 120) { simulator in
            let dir = scratchDirectory()
            let (csv, ids) = scoreChangesCSV(simulator, count: 40)
            write(csv, to: "\(dir)/in.csv")
            let result = await runTool(
                ["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run", "--concurrency", "6"],
                environment: ["ENNEO_TOKEN": simulator.token], directory: dir,
                launcher: [strace, "-f", "-y", "-s", "1000000", "-e", "trace=write,fdatasync,fsync,sendto", "-o", "\(dir)/trace.txt", "--"])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let calls = Self.calls(in: try #require(read("\(dir)/trace.txt")))

            func assessmentId(after marker: String, in text: String) -> Int? {
                guard let range = text.range(of: marker) else { return nil }
                return Int(text[range.upperBound...].prefix { $0.isNumber })
            }
            var undoWritten: [Int: Int] = [:]
            var undoSyncs: [(entry: Int, exit: Int)] = []
            var patches: [(id: Int, entry: Int)] = []
            for call in calls {
                let onUndo = call.text.hasPrefix("\(call.name)(") && call.text.contains("/run/undo.jsonl>")
                if call.name == "write", onUndo, let exit = call.exit {
                    // One write may carry several lines (they are written ahead in batches).
                    for piece in call.text.components(separatedBy: #"{\"assessmentId\":"#).dropFirst() {
                        if let id = Int(piece.prefix { $0.isNumber }) { undoWritten[id] = undoWritten[id] ?? exit }
                    }
                } else if call.name == "fdatasync", onUndo, let exit = call.exit {
                    undoSyncs.append((call.entry, exit))
                } else if call.name == "sendto", let id = assessmentId(after: "\"PATCH /api/mind/quality/assessment/", in: call.text) {
                    patches.append((id, call.entry))
                }
            }
            #expect(Set(patches.map(\.id)) == Set(ids))
            #expect(Set(undoWritten.keys) == Set(ids))
            for patch in patches {
                guard let written = undoWritten[patch.id] else { continue }
                let covered = undoSyncs.contains { $0.entry > written && $0.exit < patch.entry }
                #expect(covered, "PATCH of assessment \(patch.id) left before a sync covered its undo line")
            }
            // Group commit: fewer syncs than lines when workers wait together (at least not more).
            #expect(undoSyncs.count <= ids.count)

            let journalWrites = calls.filter { $0.name == "write" && $0.text.contains("/run/journal.jsonl>") }.compactMap(\.exit)
            let journalSyncs = calls.filter { $0.name == "fdatasync" && $0.text.contains("/run/journal.jsonl>") }
            let reportWrite = calls.first { $0.name == "write" && $0.text.contains("/run/report.json") }?.entry
            let lastJournalWrite = try #require(journalWrites.max())
            let reportStart = try #require(reportWrite)
            #expect(journalSyncs.contains { $0.entry > lastJournalWrite && ($0.exit ?? .max) < reportStart })
        }
    }
}

/// Where `strace` is, if installed.
enum Strace {
    static let path: String? = ["/usr/bin/strace", "/bin/strace", "/usr/local/bin/strace"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}
