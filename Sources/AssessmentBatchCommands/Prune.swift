import ArgumentParser
import AssessmentBatchCore
import Foundation
import Logging

extension AssessmentBatchCommand {
    /// `prune DIR`: retention for run directories, which hold personal data about agents.
    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete run directories under DIR that assessment-batch wrote and that finished more than --older-than days ago.",
            discussion: """
                Only directories directly under DIR that hold nothing but the files a run writes (a journal, \
                report.json or plan.json of this tool) are deleted; symbolic links, other files and directories, \
                and runs that a live process holds are left alone. The age is taken from report.json's finishedAt, \
                else plan.json's createdAt, else the journal's last change. Exit 0 (also when DIR does not exist yet), or 2 when DIR cannot be read.
                """
        )

        @Argument(help: "The directory holding run directories (e.g. runs).")
        var directory: String

        @Option(help: "Delete runs that finished more than this many days ago.")
        var olderThan: Int = 30

        @Flag(help: "List what would be deleted; delete nothing.")
        var dryRun = false

        @Flag(name: .shortAndLong, help: "Also list what is kept, and why.")
        var verbose = false

        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            guard olderThan >= 0 else { throw ValidationError("--older-than must be a number of days, 0 or more.") }
        }

        func run() throws {
            logging.apply()
            let entries: [RunPruner.Entry]
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
                // The first night, before any run: nothing to prune is not a failure.
                printError("assessment-batch prune: \(directory) does not exist: nothing to prune", level: .warning,
                           metadata: ["event": .string("summary"), "deleted": .stringConvertible(0), "kept": .stringConvertible(0)])
                return
            }
            do {
                entries = try RunPruner.prune(directory, olderThanDays: Double(olderThan), dryRun: dryRun)
            } catch {
                printError("assessment-batch prune: cannot read \(directory): \(error.localizedDescription)", level: .error)
                throw ExitCode(ExitStatus.invalidInput.rawValue)
            }
            var deleted = 0
            for entry in entries {
                switch entry.decision {
                case .delete:
                    deleted += 1
                    printError("\(dryRun ? "would delete" : "deleted") \(entry.path)",
                               metadata: ["event": .string(dryRun ? "wouldDelete" : "deleted"), "runDirectory": .string(entry.path)])
                case .keep(let reason):
                    // Kept because it is in use is worth knowing whatever the verbosity.
                    if verbose || reason.hasPrefix("in use") || reason.hasPrefix("cannot") {
                        printError("kept \(entry.path): \(reason)",
                                   metadata: ["event": .string("kept"), "runDirectory": .string(entry.path), "reason": .string(reason)])
                    }
                }
            }
            printError("assessment-batch prune: \(deleted) run director\(deleted == 1 ? "y" : "ies") \(dryRun ? "would be " : "")deleted, \(entries.count - deleted) entr\(entries.count - deleted == 1 ? "y" : "ies") kept",
                       metadata: ["event": .string("summary"), "deleted": .stringConvertible(deleted),
                                  "kept": .stringConvertible(entries.count - deleted), "dryRun": .stringConvertible(dryRun)])
        }
    }
}
