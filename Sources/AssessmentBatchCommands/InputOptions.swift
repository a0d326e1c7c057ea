import ArgumentParser
import AssessmentBatchCore

/// Options shared by every command that reads input files.
struct InputOptions: ParsableArguments {
    @Argument(help: "Input files: .csv, .tsv, .txt (tab-separated), .jsonl or .ndjson.")
    var files: [String] = []

    @Option(help: "Input format for every file, overriding the extension: csv, tsv or jsonl.")
    var format: String?

    @Option(help: "CSV delimiter: ',', ';' or 'tab' (default: detected from the header).")
    var delimiter: String?

    @Option(help: "Time zone for date-times written without an offset: an IANA name (Europe/Berlin) or an offset (+01:00). Without it such values are rejected.")
    var timezone: String?

    @Option(help: "Encoding of files without a byte order mark: utf-8 (default), windows-1252 (Excel's \"CSV\" on Windows), iso-8859-15 or utf-16. A BOM (UTF-8, UTF-16 LE/BE) always decides.")
    var encoding: String?

    func validate() throws {
        _ = try loadOptions()
    }

    /// Fails unless at least one file was named.
    func requireFiles() throws {
        if files.isEmpty { throw ValidationError("Give at least one input file.") }
    }

    /// The reading options these flags describe.
    func loadOptions(scorecards: ScorecardCatalog? = nil) throws -> LoadOptions {
        var options = LoadOptions(scorecards: scorecards)
        if let format {
            guard let parsed = InputFormat(rawValue: format.lowercased()), parsed != .xlsx else {  // .xlsx input: the reader (issue 20)
                throw ValidationError("--format must be csv, tsv or jsonl, not '\(format)'.")
            }
            options.format = parsed
        }
        if let delimiter {
            switch delimiter.lowercased() {
            case ",", "comma": options.delimiter = UInt8(ascii: ",")
            case ";", "semicolon": options.delimiter = UInt8(ascii: ";")
            case "tab", "\t", "\\t": options.delimiter = UInt8(ascii: "\t")
            default: throw ValidationError("--delimiter must be ',', ';' or 'tab', not '\(delimiter)'.")
            }
        }
        if let timezone {
            guard let zone = Timestamp.Zone(timezone) else {
                throw ValidationError("--timezone must be an IANA name like Europe/Berlin or an offset like +01:00, not '\(timezone)'.")
            }
            options.zone = zone
        }
        if let encoding {
            guard let parsed = EncodingOption(name: encoding) else {
                throw ValidationError("--encoding must be utf-8, windows-1252, iso-8859-15 or utf-16, not '\(encoding)'.")
            }
            options.encoding = parsed
        }
        return options
    }

    /// The reading options as given, for the report.
    func record(into object: inout JSONObject) {
        object.append("format", format.map { .string($0) } ?? .null)
        object.append("delimiter", delimiter.map { .string($0) } ?? .null)
        object.append("timezone", timezone.map { .string($0) } ?? .null)
        object.append("encoding", encoding.map { .string($0) } ?? .null)
    }
}
