import ArgumentParser
import AssessmentBatchCore
import Foundation

extension AssessmentBatchCommand {
    /// `export --output FILE`: the sheet a reviewer edits, read from the live API.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the sheet a reviewer edits: one row per criterion of each selected assessment, with the live values and their …Before copies. Sends no write.",
            discussion: """
                Selects assessments by --state, --user and --scorecard (the list endpoint's filters), or by --id/--ids. \
                The format follows the output's extension: .xlsx, .csv, .tsv or .jsonl. An .xlsx sheet guards itself: \
                only the values a reviewer may change are unlocked, and score and state accept only what apply would. \
                Applying the file unedited changes \
                nothing; after edits, apply writes exactly the edited values, and an edit someone else made in the \
                meantime is reported as a conflict instead of being overwritten. \
                Exit 0 all exported, 1 some assessments could not be read, 2 usage, 3 aborted.
                """
        )

        @Option(help: ArgumentHelp("The sheet to write: .xlsx, .csv, .tsv or .jsonl (mode 0600, written atomically).", valueName: "FILE"))
        var output: String

        @Option(help: ArgumentHelp("Only assessments in these states (comma list: \(ExportSelection.listableStates.joined(separator: ", "))).", valueName: "STATES"))
        var state: String?

        @Option(help: ArgumentHelp("Only assessments of this assessed user.", valueName: "ID"))
        var user: Int?

        @Option(help: ArgumentHelp("Only assessments on this scorecard (its base id: every revision).", valueName: "BASEID"))
        var scorecard: Int?

        @Option(name: .customLong("id"), help: ArgumentHelp("Export this assessment (repeatable).", valueName: "ID"))
        var ids: [Int] = []

        @Option(name: .customLong("ids"), help: ArgumentHelp("Export the assessments listed in FILE: one id per line, or a CSV/TSV/JSONL file with an assessmentId column (a failures file, say).", valueName: "FILE"))
        var idsFile: String?

        @Option(help: "CSV delimiter: ',' (default), ';' (German Excel) or 'tab'.")
        var delimiter: String?

        @Option(help: "Text encoding of a CSV/TSV sheet: utf-8 (default, with the byte order mark Excel needs) or windows-1252.")
        var encoding: String = "utf-8"

        @Flag(help: "Replace an existing output file (it may hold a reviewer's edits).")
        var force = false

        @OptionGroup var server: ServerOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            _ = try format()
            _ = try delimiterByte()
            guard let textEncoding = ExportEncoding(name: encoding) else {
                throw ValidationError("--encoding must be utf-8 or windows-1252, not '\(encoding)'.")
            }
            if try format() == .xlsx && textEncoding != .utf8 {
                throw ValidationError("--encoding applies to CSV and TSV; \(output) is an Excel workbook, which holds every character.")
            }
            if (!ids.isEmpty || idsFile != nil) && (state != nil || user != nil || scorecard != nil) {
                throw ValidationError("--id/--ids name the assessments: do not combine them with --state, --user or --scorecard.")
            }
            if let bad = ids.first(where: { $0 <= 0 }) { throw ValidationError("--id must be a positive integer, not \(bad).") }
            if let user, user <= 0 { throw ValidationError("--user must be a positive integer.") }
            if let scorecard, scorecard <= 0 { throw ValidationError("--scorecard must be a positive integer (the scorecard's base id).") }
            _ = try states()
            if !force && FileManager.default.fileExists(atPath: output) {
                throw ValidationError("\(output) exists and may hold a reviewer's edits: choose another name or pass --force.")
            }
        }

        private func format() throws -> InputFormat {
            guard let format = InputFormat(path: output) else {
                throw ValidationError("--output must end in .xlsx, .csv, .tsv or .jsonl, not '\(output)'.")
            }
            return format
        }

        private func delimiterByte() throws -> UInt8 {
            guard let delimiter else { return UInt8(ascii: ",") }
            let format = try format()
            let byte: UInt8
            switch delimiter.lowercased() {
            case ",", "comma": byte = UInt8(ascii: ",")
            case ";", "semicolon": byte = UInt8(ascii: ";")
            case "tab", "\t", "\\t": byte = UInt8(ascii: "\t")
            default: throw ValidationError("--delimiter must be ',', ';' or 'tab', not '\(delimiter)'.")
            }
            if format == .jsonl { throw ValidationError("--delimiter applies to CSV; \(output) is JSONL.") }
            if format == .xlsx { throw ValidationError("--delimiter applies to CSV; \(output) is an Excel workbook.") }
            if format == .tsv && byte != UInt8(ascii: "\t") { throw ValidationError("a .tsv file is tab-separated: use .csv for --delimiter '\(delimiter)'.") }
            return byte
        }

        private func states() throws -> [String]? {
            guard let state else { return nil }
            let names = state.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !names.isEmpty else { throw ValidationError("--state names no state.") }
            for name in names where !ExportSelection.listableStates.contains(name) {
                throw ValidationError("--state: unknown state '\(name)'; one of \(ExportSelection.listableStates.joined(separator: ", ")).")
            }
            return names
        }

        func run() throws {
            logging.apply()
            var selected: [Int]?
            if let idsFile {
                do {
                    selected = try AssessmentIdList.read(path: idsFile)
                } catch {
                    printError("\(error)")
                    throw ExitCode(ExitStatus.invalidInput.rawValue)
                }
            }
            if !ids.isEmpty {
                var seen = Set(selected ?? [])
                selected = (selected ?? []) + ids.filter { seen.insert($0).inserted }
            }
            let options = ExportJobOptions(
                output: output, format: try format(), delimiter: try delimiterByte(), encoding: ExportEncoding(name: encoding) ?? .utf8,
                force: force, selection: ExportSelection(states: try states(), user: user, scorecardBaseId: scorecard, ids: selected),
                configuration: try server.configuration())
            let logger = server.logger()
            let started = Date()
            let result = runInterruptibly { control, observer in
                ExportJob.run(options, logger: logger, control: control, observer: observer)
            }
            for failure in result.failures {
                printError("assessment-batch export: assessment \(failure.assessmentId) not exported: \(failure.message)")
            }
            let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
            if let path = result.path {
                var line = "assessment-batch export: \(result.exported) assessment\(result.exported == 1 ? "" : "s"), \(result.rows) row\(result.rows == 1 ? "" : "s") written to \(path) in \(seconds) s"
                if !result.failures.isEmpty { line += "; \(result.failures.count) could not be read (above)" }
                printError(line)
            } else {
                printError("assessment-batch export: nothing written: \(result.problem ?? "the run stopped")")
            }
            if result.exitStatus != .success { throw ExitCode(result.exitStatus.rawValue) }
        }
    }
}
